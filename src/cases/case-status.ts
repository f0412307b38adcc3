import { MamoruError } from '../core/errors.ts';

/**
 * The life of a case:
 *
 * ```
 * open ──assign──► in_review ──resolve──► resolved (approved | denied)
 *   │  └────────────resolve─────────────►    ▲
 *   └──────────┴──due time passes──► expired
 * ```
 *
 * `resolved` and `expired` are final: a closed case is never reopened (an
 * appeal against its outcome is a new case on a new decision).
 */
export const CASE_STATUSES = ['open', 'in_review', 'resolved', 'expired'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Statuses in which a case still waits for a person. */
export const ACTIVE_STATUSES = ['open', 'in_review'] as const satisfies readonly CaseStatus[];

/** Final statuses: the case has an outcome for its channel. */
export const CLOSED_STATUSES = ['resolved', 'expired'] as const satisfies readonly CaseStatus[];

/**
 * The legal status changes. A reviewer may resolve an open case without
 * assigning it first (the resolve records who decided); reassigning a case in
 * review keeps it in review and is not a status change.
 */
export const CASE_TRANSITIONS = {
  open: ['in_review', 'resolved', 'expired'],
  in_review: ['resolved', 'expired'],
  resolved: [],
  expired: [],
} as const satisfies Record<CaseStatus, readonly CaseStatus[]>;

export function isCaseStatus(value: unknown): value is CaseStatus {
  return typeof value === 'string' && (CASE_STATUSES as readonly string[]).includes(value);
}

/** Whether a case in this status still waits for a person. */
export function isActive(status: CaseStatus): boolean {
  return (ACTIVE_STATUSES as readonly CaseStatus[]).includes(status);
}

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return (CASE_TRANSITIONS[from] as readonly CaseStatus[]).includes(to);
}

/** Throw `conflict` unless `from → to` is in the transition table. */
export function assertTransition(from: CaseStatus, to: CaseStatus): void {
  if (!canTransition(from, to)) {
    throw new MamoruError('conflict', `a case that is ${from} cannot become ${to}`);
  }
}

/** Throw `conflict` when the case is closed (resolved or expired). */
export function assertActive(status: CaseStatus, doing: string): void {
  if (!isActive(status)) throw new MamoruError('conflict', `cannot ${doing}: the case is ${status}`);
}
