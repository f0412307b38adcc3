import type { CompiledPolicy, OverrideMatch } from './policy.ts';
import { type Forced, type RawHit, type Scored, scoreHits } from './verdict.ts';

/** The detector name recorded on the hits an allow or deny list adds. */
export const OVERRIDE_DETECTOR = 'policy.overrides';

/** Score hits, or let an allow/deny override decide: the one rule both evaluate and rescore follow. */
export function decide(
  policy: CompiledPolicy,
  hits: readonly RawHit[],
  override: OverrideMatch | undefined,
): Scored {
  if (!override) return scoreHits(policy, hits);
  const signal = override.list === 'deny' ? 'POLICY_DENY_LISTED' : 'POLICY_ALLOW_LISTED';
  const scored = scoreHits(policy, [...hits, overrideHit(signal, override)]);
  const forced: Forced =
    override.list === 'deny'
      ? { action: policy.denyAction, by: signal, kind: 'deny_override' }
      : { action: 'allow', by: signal, kind: 'allow_override' };
  return { action: forced.action, score: scored.score, hits: scored.hits, forced };
}

function overrideHit(signal: string, { indicator, reason }: OverrideMatch): RawHit {
  const evidence = [`${indicator.type}=${indicator.value}`];
  if (indicator.field) evidence.push(`field=${indicator.field}`);
  if (reason) evidence.push(`reason=${reason}`);
  return {
    signal,
    detector: OVERRIDE_DETECTOR,
    factor: 1,
    evidence,
    params: { type: indicator.type, value: indicator.value },
  };
}
