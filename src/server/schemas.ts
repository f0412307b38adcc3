import { z } from 'zod';
import { CASE_STATUSES } from '../cases/case-status.ts';
import {
  ACTIONS,
  DETECTOR_ERROR_CODES,
  ENRICHMENT_ERROR_CODES,
  INDICATOR_TYPES,
  STAGES,
} from '../core/index.ts';
import { ROLES } from '../store/store.ts';

/**
 * Response and shared request schemas of the HTTP API. Each zod schema is the
 * validation, the TypeScript type and the OpenAPI 3.1 component at once.
 */
const localized = { ja: z.string(), en: z.string() };

/** One reason of a verdict: the reviewer's text, and the customer's where the signal has one. */
export const reasonSchema = z.object({
  signal: z.string(),
  ...localized,
  customer: z
    .object(localized)
    .optional()
    .describe(
      'お客様に伝えてよい文言（他の申込・件数・閾値を含まない） / what may be told to the customer (never other applications, counts or thresholds)',
    ),
});

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    code: z.string(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string().describe('English'),
          ja: z.string().optional().describe('日本語'),
        }),
      )
      .readonly()
      .optional(),
    retryAfter: z
      .number()
      .int()
      .optional()
      .describe(
        '429: 再試行までの秒数（Retry-After ヘッダーと同じ）/ seconds to wait, as in the Retry-After header',
      ),
  })
  .meta({
    id: 'Problem',
    description:
      'RFC 9457 problem details; `errors` names each field at fault, in Japanese (`ja`) and English (`message`); a 400 `detail` is Japanese, then English',
  });

export const verdictSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    channel: z.string(),
    eventId: z.string(),
    action: z.enum(ACTIONS),
    score: z.number(),
    hits: z
      .array(
        z.object({
          signal: z.string(),
          group: z.string(),
          detector: z.string(),
          factor: z.number(),
          weight: z.number(),
          score: z.number(),
          evidence: z.array(z.string()).readonly(),
          params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
        }),
      )
      .readonly(),
    forced: z
      .object({
        action: z.enum(ACTIONS),
        by: z.string(),
        kind: z.enum(['signal', 'allow_override', 'deny_override']),
      })
      .optional(),
    outcomes: z
      .array(
        z.object({
          detector: z.string(),
          stage: z.enum(STAGES),
          outcome: z.enum(['ok', 'error', 'skipped']),
          code: z.enum(DETECTOR_ERROR_CODES).optional(),
          message: z.string().optional(),
          hits: z.number().int(),
          ms: z.number(),
        }),
      )
      .readonly(),
    reasons: z.array(reasonSchema).readonly(),
    summary: z.object(localized),
    notices: z
      .array(z.object({ code: z.string(), ...localized }))
      .readonly()
      .optional()
      .describe(
        '判定と一緒に表示する告知（転売禁止の周知など） / notices shown beside the verdict (e.g. resale prohibited)',
      ),
    enrichments: z
      .array(
        z.object({
          enrichment: z.string(),
          outcome: z.enum(['ok', 'error']),
          cached: z.literal(true).optional(),
          code: z.enum(ENRICHMENT_ERROR_CODES).optional(),
          message: z.string().optional(),
          ms: z.number(),
        }),
      )
      .readonly()
      .optional()
      .describe(
        '検査に必要な照会（履歴・DNS など）の結果と所要時間 / how each lookup the detectors needed went (history, DNS…), with its time',
      ),
    indicators: z
      .array(z.object({ type: z.enum(INDICATOR_TYPES), value: z.string(), field: z.string().optional() }))
      .readonly(),
    policy: z.object({
      id: z.string(),
      version: z.number().int(),
      thresholds: z
        .string()
        .optional()
        .describe(
          "ポリシーの閾値に代えて使った名前付きの閾値（利用者のフィルタ強度など）/ Named thresholds used in place of the policy's (a subscriber's filter strength)",
        ),
    }),
    timings: z.object({
      pre: z.number(),
      detect: z.number(),
      post: z.number(),
      observe: z.number(),
      total: z.number(),
      enrich: z.number().optional(),
    }),
    createdAt: z.string(),
  })
  .meta({
    id: 'Verdict',
    description: 'The action, score, hits with evidence and reasons in Japanese and English',
  });

/** What a screening answers: the verdict, and its case when a person is needed. */
export const screenResultSchema = verdictSchema
  .extend({
    case: z
      .object({
        id: z.string(),
        status: z.enum(CASE_STATUSES),
        reused: z
          .boolean()
          .describe(
            'true: 同じ申込等の審査待ち案件がすでにあり、その案件を返した / true: the subject already had a case waiting, and that case is returned',
          ),
      })
      .optional()
      .describe(
        '人の判断を待つ案件（review・hold・step_up のとき） / the case waiting on a person (review, hold, step_up)',
      ),
  })
  .meta({
    id: 'ScreenResult',
    description: 'The verdict, with the case that waits on it when a person is needed',
  });

export const decisionSchema = z
  .object({
    seq: z.number().int(),
    hash: z.string().describe('SHA-256 (hex) of this row (RFC 8785 JSON of its fields and prevHash)'),
    prevHash: z
      .string()
      .describe(
        'the hash of decision seq − 1: with it, one organisation’s decisions verify on their own (docs/audit.md)',
      ),
    verdict: verdictSchema,
    event: z.unknown(),
  })
  .meta({ id: 'Decision' });

export const idParams = z.object({ id: z.string().min(1).max(200) });

export const roleSchema = z.enum(ROLES);

export const apiKeySchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    role: roleSchema,
    createdBy: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    origin: z
      .string()
      .nullable()
      .describe(
        'キーの限定先（販売店・代理店・MTA など） / the one origin a bound key acts for (shop:<id>, agency:<id>, online, mta:<host>…)',
      ),
    outlet: z.string().nullable().describe('旧名（origin と同じ） / deprecated: the same as origin'),
  })
  .meta({ id: 'ApiKey' });

export const organisationSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string() })
  .meta({ id: 'Organisation' });

export const errorResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  413: problemSchema,
  414: problemSchema,
  415: problemSchema,
  429: problemSchema,
} as const;
