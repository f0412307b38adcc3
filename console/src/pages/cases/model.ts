import type { Localized } from '../../types.ts';

/**
 * The case objects as `GET /v1/cases` and `GET /v1/cases/{id}` send them
 * (`Case`, `CaseDetail`, `CaseEvent` in /openapi.json; only what the pages read).
 */
export const CASE_STATUSES = ['open', 'in_review', 'resolved', 'expired'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const WAITING: readonly CaseStatus[] = ['open', 'in_review'];

export const CASE_ACTIONS = ['step_up', 'review', 'hold'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export const RESOLUTIONS = ['approved', 'denied'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export type CaseEffect = 'release' | 'allow_once' | 'refuse' | 'expired';

/** Who may see the indicators of a denied case (SHARE_INDICATORS in case-schemas.ts). */
export const SHARE_INDICATORS = ['none', 'org', 'partners', 'public'] as const;
export type ShareIndicators = (typeof SHARE_INDICATORS)[number];

export interface Reason extends Localized {
  readonly signal: string;
}

export interface Hit {
  readonly signal: string;
  readonly detector: string;
  readonly score: number;
  readonly evidence: readonly string[];
  readonly params?: Readonly<Record<string, string | number>>;
}

export interface CaseSummary {
  readonly action: CaseAction;
  readonly score: number;
  readonly channel: string;
  readonly eventId: string;
  readonly summary: Localized;
  readonly reasons: readonly Reason[];
  readonly hits: readonly Hit[];
  readonly details?: Readonly<Record<string, unknown>>;
  readonly indicators: readonly { type: string; value: string; field?: string }[];
  readonly policy: { readonly id: string; readonly version: number };
  readonly decidedAt: string;
}

export interface Case {
  readonly id: string;
  readonly decisionId: string;
  readonly channel: string;
  readonly action: CaseAction;
  readonly status: CaseStatus;
  readonly assignee: string | null;
  readonly dueAt: string;
  readonly summary: CaseSummary;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly resolution: Resolution | null;
  readonly resolutionReason: string | null;
  readonly effect: CaseEffect | null;
  readonly resolvedBy: string | null;
  readonly resolvedAt: string | null;
  readonly outcomeDeliveredAt: string | null;
  readonly outcomeAttempts: number;
  readonly origin: string | null;
  readonly subject: string | null;
}

export interface CaseEvent {
  readonly id: string;
  readonly caseId: string;
  readonly at: string;
  readonly actor: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface CaseDetail extends Case {
  readonly history: readonly CaseEvent[];
}

/** `GET /v1/decisions/{id}`: the verdict and the event as recorded. */
export interface DecisionRecord {
  readonly verdict: Readonly<Record<string, unknown>> & {
    readonly reasons?: readonly Reason[];
    readonly hits?: readonly Hit[];
  };
  readonly event: unknown;
}

/** The effect of a resolution on a case opened by `action` (caseEffect in src/cases/case-effect.ts). */
export function effectOf(action: CaseAction, resolution: Resolution): CaseEffect {
  if (resolution === 'denied') return 'refuse';
  return action === 'hold' ? 'release' : 'allow_once';
}

export function isWaiting(status: CaseStatus): boolean {
  return status === 'open' || status === 'in_review';
}

export function isOverdue(item: Pick<Case, 'status' | 'dueAt'>, now: number): boolean {
  return isWaiting(item.status) && Date.parse(item.dueAt) < now;
}

/** A case's age as a short figure and unit: minutes, hours or days. */
export function ageOf(createdAt: string, now: number): { unit: 'minutes' | 'hours' | 'days'; count: number } {
  const minutes = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000));
  if (minutes < 60) return { unit: 'minutes', count: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { unit: 'hours', count: hours };
  return { unit: 'days', count: Math.floor(hours / 24) };
}
