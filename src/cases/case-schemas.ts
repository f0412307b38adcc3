import { z } from 'zod';
import { CASE_ACTIONS } from '../core/action.ts';
import { SHARING_SCOPES } from '../core/indicator.ts';
import { isOrigin } from '../core/origin.ts';
import { textField } from '../core/text.ts';
import { RESOLUTIONS } from './case-effect.ts';
import { CASE_STATUSES } from './case-status.ts';

/**
 * Input schemas of the case operations. The HTTP layer uses them as request
 * validation and OpenAPI documents; the service parses with them too, so the
 * CLI and any other caller get the same checks and field-named errors.
 */

/** Who may see the indicators of a denied case: nobody else (`none`), or a sharing scope. */
export const SHARE_INDICATORS = ['none', ...SHARING_SCOPES] as const;
export type ShareIndicators = (typeof SHARE_INDICATORS)[number];

const caseStatusSchema = z.enum(CASE_STATUSES);

export const assignCaseSchema = z
  .object({
    /** User or key id of the person who takes the case. */
    assignee: textField('name', 200),
  })
  .strict()
  .meta({ examples: [{ assignee: 'hq-reviewer-tanaka' }] });
export type AssignCaseInput = z.input<typeof assignCaseSchema>;

export const commentCaseSchema = z
  .object({
    text: textField('text', 4000),
  })
  .strict()
  .meta({
    examples: [
      {
        text: 'ご本人と電話で利用目的（家族6人分）を確認しました / Purpose (a family of six) confirmed with the customer by phone',
      },
    ],
  });
export type CommentCaseInput = z.input<typeof commentCaseSchema>;

export const resolveCaseSchema = z
  .object({
    resolution: z.enum(RESOLUTIONS),
    /** Why: required, recorded in history and sent to the owning channel. */
    reason: textField('text', 2000),
    /** Write a training label for the decision (approved → legit, denied → fraud). */
    label: z.boolean().default(true),
    /** When denied: share the decision's indicators as malicious at this scope. */
    shareIndicators: z.enum(SHARE_INDICATORS).default('none'),
  })
  .strict()
  .meta({
    examples: [
      {
        resolution: 'denied',
        reason:
          '同一住所で複数名義の申込が続いており転売目的と判断 / Several holders at one address: resale ring',
        shareIndicators: 'partners',
      },
    ],
  });
export type ResolveCaseInput = z.input<typeof resolveCaseSchema>;
export type ResolveCase = z.output<typeof resolveCaseSchema>;

export const CASE_ORDERS = ['due', 'newest'] as const;
export type CaseOrder = (typeof CASE_ORDERS)[number];

/**
 * Filters of the case queue. Works for a query string as well as JSON: `limit`
 * is coerced from text, `overdue` accepts `true`/`false` as text, `status`
 * one status or several.
 */
export const listCasesQuerySchema = z
  .object({
    status: z
      .union([caseStatusSchema, z.array(caseStatusSchema).min(1).max(CASE_STATUSES.length)])
      .optional(),
    channel: z.string().min(1).max(50).optional(),
    action: z.enum(CASE_ACTIONS).optional(),
    assignee: z.string().min(1).max(200).optional(),
    /**
     * Only cases of this origin (`shop:123`, `online`…). An origin-bound key
     * sees only its own origin's cases whatever it asks.
     */
    /** The case opened by this decision (a decision opens at most one). */
    decisionId: z.string().min(1).max(200).optional(),
    origin: z
      .string()
      .max(140)
      .refine(isOrigin, 'must be an origin: <kind>:<id> or <kind> (shop:shinjuku-01, online)')
      .optional(),
    /** Only cases still waiting (open or in review) whose due time has passed. */
    overdue: z.union([z.boolean(), z.stringbool()]).optional(),
    /**
     * Only closed cases whose outcome the owning channel has not acted on yet
     * (delivery failed, or still to come): e.g. an approved exception not yet
     * written.
     */
    undelivered: z.union([z.boolean(), z.stringbool()]).optional(),
    /** `due`: oldest due first (the queue); `newest`: most recently opened first. */
    order: z.enum(CASE_ORDERS).default('due'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The `nextCursor` of the previous page. */
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ListCasesQuery = z.input<typeof listCasesQuerySchema>;
export type ListCasesFilter = z.output<typeof listCasesQuerySchema>;

export { parseInput } from '../core/parse-input.ts';
