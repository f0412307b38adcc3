import type { CaseAction } from '../core/action.ts';
import { assertNever } from '../core/assert-never.ts';

/** What a person decided: let the held thing go (`approved`) or stop it (`denied`). */
export const RESOLUTIONS = ['approved', 'denied'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/**
 * What the owning channel does when a case closes.
 *
 * - `release` — a held thing (quarantined mail, transfer on hold) goes through.
 * - `allow_once` — the reviewed or stepped-up request is allowed this once;
 *   the next one is screened afresh.
 * - `refuse` — the thing is refused (contract declined, mail stays out,
 *   transfer cancelled).
 * - `expired` — nobody decided before the due time. The channel applies its
 *   own fail-safe default, which is never a release: a held thing stays held
 *   or is refused, a step-up that was never completed is refused.
 */
export const CASE_EFFECTS = ['release', 'allow_once', 'refuse', 'expired'] as const;
export type CaseEffect = (typeof CASE_EFFECTS)[number];

/** Labels a resolution gives the decision, for training and evaluating models. */
export const CASE_LABELS = ['legit', 'fraud'] as const;
export type CaseLabel = (typeof CASE_LABELS)[number];

/**
 * The effect of a resolution on a case opened by `action`.
 *
 * | action            | approved     | denied   |
 * | ----------------- | ------------ | -------- |
 * | `hold`            | `release`    | `refuse` |
 * | `review`/`step_up`| `allow_once` | `refuse` |
 */
export function caseEffect(action: CaseAction, resolution: Resolution): CaseEffect {
  switch (resolution) {
    case 'denied':
      return 'refuse';
    case 'approved':
      switch (action) {
        case 'hold':
          return 'release';
        case 'review':
        case 'step_up':
          return 'allow_once';
        default:
          return assertNever(action, 'case action');
      }
    default:
      return assertNever(resolution, 'resolution');
  }
}

/** The label a resolution gives: approved → `legit`, denied → `fraud`. */
export const LABEL_OF_RESOLUTION = {
  approved: 'legit',
  denied: 'fraud',
} as const satisfies Record<Resolution, CaseLabel>;
