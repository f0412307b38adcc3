import type { CaseAction } from '../core/action.ts';

/** Per-action case deadlines in hours, as a policy's `caseSlaHours` gives them. */
export type SlaHours = Readonly<Partial<Record<CaseAction, number>>>;

/**
 * Hours a case may wait before it expires, when the policy names none:
 * a step-up waits on a customer at the counter or in an app (1 h), a review
 * on HQ within a working day (24 h), a hold on a release over a weekend (72 h).
 */
export const DEFAULT_SLA_HOURS = {
  step_up: 1,
  review: 24,
  hold: 72,
} as const satisfies Record<CaseAction, number>;

const HOUR_MS = 3_600_000;

/** The hours for an action: the policy's value when it sets a positive finite one, else the default. */
export function slaHoursFor(action: CaseAction, sla: SlaHours | undefined): number {
  const hours = sla?.[action];
  return hours !== undefined && Number.isFinite(hours) && hours > 0 ? hours : DEFAULT_SLA_HOURS[action];
}

/**
 * When a case opened by `action` at `from` is due.
 *
 * @example dueAt('review', new Date('2026-01-01T00:00:00Z'), { review: 4 }) // 04:00Z
 */
export function dueAt(action: CaseAction, from: Date, sla?: SlaHours): Date {
  return new Date(from.getTime() + Math.round(slaHoursFor(action, sla) * HOUR_MS));
}
