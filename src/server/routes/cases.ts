import { z } from 'zod';
import { CASE_EVENT_TYPES } from '../../cases/case.ts';
import { CASE_EFFECTS, RESOLUTIONS } from '../../cases/case-effect.ts';
import {
  assignCaseSchema,
  commentCaseSchema,
  listCasesQuerySchema,
  resolveCaseSchema,
} from '../../cases/case-schemas.ts';
import { CASE_STATUSES } from '../../cases/case-status.ts';
import { CASE_ACTIONS, INDICATOR_TYPES } from '../../core/index.ts';
import type { Mamoru } from '../../mamoru.ts';
import { caseFor, casePageFor } from '../origin-view.ts';
import { type App, actorOf } from '../route-kit.ts';
import { errorResponses, idParams, reasonSchema } from '../schemas.ts';

const localized = { ja: z.string(), en: z.string() };
const caseSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    decisionId: z.string(),
    channel: z.string(),
    action: z.enum(CASE_ACTIONS),
    status: z.enum(CASE_STATUSES),
    assignee: z.string().nullable(),
    dueAt: z.string(),
    summary: z.object({
      action: z.enum(CASE_ACTIONS),
      score: z.number(),
      channel: z.string(),
      eventId: z.string(),
      summary: z.object(localized),
      reasons: z.array(reasonSchema).readonly(),
      hits: z
        .array(
          z.object({
            signal: z.string(),
            detector: z.string(),
            score: z.number(),
            evidence: z.array(z.string()).readonly(),
            params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
          }),
        )
        .readonly(),
      details: z
        .record(z.string(), z.unknown())
        .optional()
        .describe('チャネルが審査担当者に示す情報 / what the channel shows the reviewer'),
      indicators: z
        .array(z.object({ type: z.enum(INDICATOR_TYPES), value: z.string(), field: z.string().optional() }))
        .readonly(),
      policy: z.object({ id: z.string(), version: z.number().int() }),
      decidedAt: z.string(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    resolution: z.enum(RESOLUTIONS).nullable(),
    resolutionReason: z.string().nullable(),
    effect: z.enum(CASE_EFFECTS).nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    outcomeDeliveredAt: z
      .string()
      .nullable()
      .describe('チャネルが結果を反映した日時 / when the owning channel acted on the outcome'),
    outcomeAttempts: z.number().int().describe('結果の反映に失敗した回数 / failed deliveries of the outcome'),
    origin: z
      .string()
      .nullable()
      .describe(
        '事象の発生元（販売店・代理店・MTA など） / where the event came from (a shop, an agency, an MTA…); keys bound to it see the case',
      ),
    outlet: z.string().nullable().describe('旧名（origin と同じ） / deprecated: the same as origin'),
    subject: z
      .string()
      .nullable()
      .describe(
        '審査対象（申込など）のキー。対象ごとに審査待ちの案件は一つ / what the event is about; one waiting case per subject',
      ),
  })
  .meta({ id: 'Case' });
const caseEventSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    at: z.string(),
    actor: z.string(),
    type: z
      .enum(CASE_EVENT_TYPES)
      .describe(
        'rescreened: 審査待ちの間に同じ対象が再審査された / the subject was screened again while the case waited',
      ),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'CaseEvent' });
const caseDetailSchema = caseSchema
  .extend({ history: z.array(caseEventSchema).readonly() })
  .meta({ id: 'CaseDetail' });

/** The case queue: list and filter, get with history, assign, comment, resolve. */
export async function caseRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  app.get(
    '/v1/cases',
    {
      schema: {
        tags: ['cases'],
        summary: '案件の一覧 / List cases',
        querystring: listCasesQuerySchema,
        response: {
          200: z.object({ items: z.array(caseSchema).readonly(), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'cases:read');
      return casePageFor(actor, await mamoru.cases.list(actor.orgId, request.query, actor.origin));
    },
  );
  app.get(
    '/v1/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: '案件と履歴 / A case and its history',
        params: idParams,
        response: { 200: caseDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'cases:read');
      return caseFor(actor, await mamoru.cases.get(actor.orgId, request.params.id, actor.origin));
    },
  );
  app.post(
    '/v1/cases/:id/assign',
    {
      schema: {
        tags: ['cases'],
        summary: '担当者を割り当て / Assign',
        params: idParams,
        body: assignCaseSchema,
        response: { 200: caseSchema, ...errorResponses },
      },
    },
    async (request) => mamoru.cases.assign(actorOf(request), request.params.id, request.body.assignee),
  );
  app.post(
    '/v1/cases/:id/comments',
    {
      schema: {
        tags: ['cases'],
        summary: 'コメントを追加 / Comment',
        params: idParams,
        body: commentCaseSchema,
        response: { 201: caseEventSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await mamoru.cases.comment(actorOf(request), request.params.id, request.body.text)),
  );
  app.post(
    '/v1/cases/:id/resolve',
    {
      schema: {
        tags: ['cases'],
        summary: '案件を解決（承認・否認）/ Resolve: approve or deny',
        description:
          '代理店（agent）は解決できません。本部の審査担当（reviewer）、分析担当（analyst）、管理者（admin）が理由を添えて解決します。\n\nAgents never resolve; reviewers (HQ), analysts and admins resolve with a reason.',
        params: idParams,
        body: resolveCaseSchema,
        response: { 200: caseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await mamoru.assertMayPublish(actor.orgId, request.body.shareIndicators, 'body.shareIndicators');
      return mamoru.cases.resolve(actor, request.params.id, request.body);
    },
  );
}
