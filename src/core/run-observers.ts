import type { DetectorOutcome } from './detector.ts';
import type { ScreenEvent } from './event.ts';
import { awaitWithin, errorOutcome, isPromiseLike, ms, TIMEOUT } from './run-stage.ts';
import type { Verdict } from './verdict.ts';

/** Runs after the verdict is made (export, history, metrics); cannot change it. */
export interface Observer {
  readonly name: string;
  /** Time budget in milliseconds; the engine's default applies when absent. */
  readonly budgetMs?: number;
  /** Gets the verdict frozen: an observer that tries to change it throws, and that is recorded. */
  observe(verdict: Verdict, event: ScreenEvent): void | Promise<void>;
}

/**
 * The observe stage: each observer in turn sees the frozen verdict, within
 * its budget. One that throws (trying to change the verdict included) or runs
 * past its budget becomes an error outcome on the returned copy; the action,
 * score, hits and reasons stay as they were.
 */
export async function runObservers(
  observers: readonly Observer[],
  defaultBudgetMs: number,
  verdict: Verdict,
  event: ScreenEvent,
  started: number,
): Promise<Verdict> {
  const seen = freezeVerdict(verdict);
  const failures: DetectorOutcome[] = [];
  const begun = performance.now();
  for (const o of observers) {
    const budget = o.budgetMs ?? defaultBudgetMs;
    const s = performance.now();
    try {
      const result = o.observe(seen, event);
      const late = isPromiseLike(result)
        ? (await awaitWithin(result, budget - (performance.now() - s))) === TIMEOUT
        : performance.now() - s > budget;
      if (late)
        failures.push(
          errorOutcome(
            o.name,
            'observe',
            'timeout',
            `ran past its budget of ${budget} ms`,
            performance.now() - s,
          ),
        );
    } catch (error) {
      failures.push(errorOutcome(o.name, 'observe', 'threw', error, performance.now() - s));
    }
  }
  const end = performance.now();
  // The rest of the verdict is frozen already: only what changed is new.
  const outcomes =
    failures.length === 0
      ? seen.outcomes
      : Object.freeze([...seen.outcomes, ...failures.map((f) => Object.freeze(f))]);
  return Object.freeze({
    ...seen,
    outcomes,
    timings: Object.freeze({ ...seen.timings, observe: ms(end - begun), total: ms(end - started) }),
  });
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
  if (verdict.enrichments) {
    for (const e of verdict.enrichments) Object.freeze(e);
    Object.freeze(verdict.enrichments);
  }
  for (const i of verdict.indicators) Object.freeze(i);
  Object.freeze(verdict.indicators);
  if (verdict.forced) Object.freeze(verdict.forced);
  Object.freeze(verdict.summary);
  Object.freeze(verdict.policy);
  Object.freeze(verdict.timings);
  return Object.freeze(verdict);
}
