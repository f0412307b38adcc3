import type { CaseAction } from '../core/action.ts';
import type { Case } from './case.ts';
import { SYSTEM_ACTOR } from './case.ts';
import type { CaseEffect, Resolution } from './case-effect.ts';

/**
 * What happened to a case, for the channel that owns the held thing: release
 * it, refuse it, allow it once, or apply its fail-safe default because nobody
 * decided in time (`effect: 'expired'`, `resolution: null`).
 */
export interface CaseOutcome {
  readonly caseId: string;
  readonly orgId: string;
  readonly decisionId: string;
  readonly channel: string;
  readonly action: CaseAction;
  /** The person's decision; `null` when the case expired undecided. */
  readonly resolution: Resolution | null;
  readonly effect: CaseEffect;
  /** The resolver's reason, or why the case expired. */
  readonly reason: string;
  /** Actor id of the resolver; `system` for an expiry. */
  readonly resolvedBy: string;
  /** ISO time of the resolution or expiry. */
  readonly at: string;
}

/** Why an expired case closed, as its outcome says. */
export const EXPIRY_REASON = '期限までに判断されませんでした / not resolved by the due time';

/** The outcome of a closed (resolved or expired) case, as the owning channel receives it. */
export function caseOutcome(closed: Case): CaseOutcome {
  return {
    caseId: closed.id,
    orgId: closed.orgId,
    decisionId: closed.decisionId,
    channel: closed.channel,
    action: closed.action,
    resolution: closed.resolution,
    effect: closed.effect ?? 'expired',
    reason: closed.resolutionReason ?? EXPIRY_REASON,
    resolvedBy: closed.resolvedBy ?? SYSTEM_ACTOR,
    at: closed.resolvedAt ?? closed.updatedAt,
  };
}
