import type { Verdict } from './verdict.ts';

/**
 * Freeze a JSON-like value and everything in it. Returns the value, typed as
 * it was. Objects already frozen are taken as frozen all the way down.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key in value) deepFreeze(value[key]);
  }
  return value;
}

/**
 * Freeze a verdict all the way down, walking its known shape: several times
 * faster than {@link deepFreeze}, which matters when observers are on.
 */
export function freezeVerdict(verdict: Verdict): Verdict {
  for (const h of verdict.hits) {
    Object.freeze(h.evidence);
    if (h.params) Object.freeze(h.params);
    Object.freeze(h);
  }
  Object.freeze(verdict.hits);
  for (const o of verdict.outcomes) Object.freeze(o);
  Object.freeze(verdict.outcomes);
  for (const r of verdict.reasons) {
    if (r.customer) Object.freeze(r.customer);
    Object.freeze(r);
  }
  Object.freeze(verdict.reasons);
  if (verdict.notices) {
    for (const n of verdict.notices) Object.freeze(n);
    Object.freeze(verdict.notices);
  }
  for (const i of verdict.indicators) Object.freeze(i);
  Object.freeze(verdict.indicators);
  if (verdict.forced) Object.freeze(verdict.forced);
  Object.freeze(verdict.summary);
  Object.freeze(verdict.policy);
  Object.freeze(verdict.timings);
  return Object.freeze(verdict);
}

/** Channel settings merged with a policy's, frozen all the way down: every detector of every verdict shares them. */
export function freezeSettings(merged: Record<string, unknown>): Readonly<Record<string, unknown>> {
  try {
    return deepFreeze(structuredClone(merged));
  } catch {
    // Settings holding something that cannot be cloned (a function) are frozen at the top only.
    return Object.freeze(merged);
  }
}
