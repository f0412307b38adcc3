import type { Selectable } from 'kysely';
import type { CaseAction } from '../core/action.ts';
import type { IndicatorRef } from '../core/indicator.ts';
import type { LocalizedText } from '../core/text.ts';
import type { Reason } from '../core/verdict.ts';
import type { CaseEventsTable, CaseRow } from '../store/schema.ts';
import type { CaseEffect, Resolution } from './case-effect.ts';
import type { CaseStatus } from './case-status.ts';

/**
 * What a reviewer needs to see of the decision behind a case, copied from the
 * verdict when the case opens (the decision log stays the record; this is the
 * queue's view of it).
 */
export interface CaseSummary {
  readonly action: CaseAction;
  readonly score: number;
  readonly channel: string;
  readonly eventId: string;
  /** The verdict's one-line summary, ja and en. */
  readonly summary: LocalizedText;
  /** The strongest reasons, ja and en, strongest first. */
  readonly reasons: readonly Reason[];
  /** Every rule that fired, with its evidence (the decision log has the full verdict). */
  readonly hits: readonly CaseHit[];
  /** What the owning channel adds for the reviewer (counts, history, declared purpose). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Indicators extracted from the event (sensitive ones as keyed hashes); shared when a case is denied. */
  readonly indicators: readonly IndicatorRef[];
  readonly policy: { readonly id: string; readonly version: number };
  /** When the verdict was made (the SLA runs from here). */
  readonly decidedAt: string;
}

/** A rule that fired, as the case shows it. */
export interface CaseHit {
  readonly signal: string;
  readonly detector: string;
  readonly score: number;
  readonly evidence: readonly string[];
  readonly params?: Readonly<Record<string, string | number>>;
}

/** A case: a verdict that needs a person, and what became of it. */
export interface Case {
  readonly id: string;
  readonly orgId: string;
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
  /** Set when the case closes, by a resolution or by expiry. */
  readonly effect: CaseEffect | null;
  /** Who closed the case (`system` for an expiry). */
  readonly resolvedBy: string | null;
  /** When the case closed, by a resolution or by expiry. */
  readonly resolvedAt: string | null;
  /** Where the event came from (`shop:<id>`, `agency:<id>`, `online`, `mta:<host>`…), where known: keys bound to it see the case. */
  readonly origin: string | null;
  /** @deprecated The same as `origin`, under its name before issue 8; kept for clients that read it. */
  readonly outlet: string | null;
  /** When the owning channel acted on the closed case's outcome; null while open or not yet delivered. */
  readonly outcomeDeliveredAt: string | null;
  /** Failed deliveries of the outcome (after 5 the sweep stops; see `undelivered` in the list filter). */
  readonly outcomeAttempts: number;
  /**
   * What the event is about, as its channel keys it (an application and its holder at a shop);
   * null where the channel gives none. An organisation has at most one active case per channel and
   * subject: screening it again adds a `rescreened` entry to that case instead of opening another.
   */
  readonly subject: string | null;
}

/**
 * Kinds of entry in a case's history. `rescreened`: the case's subject was
 * screened again while the case waited (`decisionId`, `eventId`, `action`,
 * `score` of the new verdict); no second case was opened.
 */
export const CASE_EVENT_TYPES = [
  'opened',
  'rescreened',
  'assigned',
  'commented',
  'status_changed',
  'resolved',
  'expired',
] as const;
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number];

/** One entry of a case's history: who did what, when. */
export interface CaseEvent {
  readonly id: string;
  readonly caseId: string;
  readonly at: string;
  /** Actor id (key or user), or `system`. */
  readonly actor: string;
  readonly type: CaseEventType;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A case with its full history, oldest entry first. */
export interface CaseDetail extends Case {
  readonly history: readonly CaseEvent[];
}

/** The actor id recorded for what the platform does by itself (opening, expiry). */
export const SYSTEM_ACTOR = 'system';

const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();
const isoOrNull = (value: Date | string | null): string | null => (value === null ? null : iso(value));
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

/** A `cases` row as a `Case`. */
export function caseFromRow(row: CaseRow): Case {
  return {
    id: row.id,
    orgId: row.org_id,
    decisionId: row.decision_id,
    channel: row.channel,
    action: row.action as CaseAction,
    status: row.status as CaseStatus,
    assignee: row.assignee,
    dueAt: iso(row.due_at),
    summary: withHits(json<CaseSummary>(row.summary)),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    resolution: row.resolution as Resolution | null,
    resolutionReason: row.resolution_reason,
    effect: row.effect as CaseEffect | null,
    resolvedBy: row.resolved_by,
    resolvedAt: isoOrNull(row.resolved_at),
    origin: row.origin,
    outlet: row.origin,
    outcomeDeliveredAt: isoOrNull(row.outcome_delivered_at),
    outcomeAttempts: row.outcome_attempts,
    subject: row.subject ?? null,
  };
}

/** Cases opened before hits were copied onto them have none. */
function withHits(summary: CaseSummary): CaseSummary {
  return summary.hits ? summary : { ...summary, hits: [] };
}

/** A `case_events` row as a `CaseEvent`. */
export function caseEventFromRow(row: Selectable<CaseEventsTable>): CaseEvent {
  return {
    id: row.id,
    caseId: row.case_id,
    at: iso(row.at),
    actor: row.actor,
    type: row.type as CaseEventType,
    data: json<Record<string, unknown>>(row.data),
  };
}
