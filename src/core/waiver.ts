import type { Hit } from './detector.ts';

/**
 * A person's approval that lets one event pass checks it would otherwise
 * fail — HQ's exception to the line cap (P2), say — applied once by the
 * engine (issue 8, item 5) instead of by every detector it covers. Each hit
 * it covers is replaced by one hit of the waiver's own signal per covered
 * signal, keeping what was found as evidence (`covers=<SIGNAL>` then the
 * hit's evidence), so an audit still sees what the approval let through.
 *
 * The waiver's signal is declared by the channel (typically weight 0 and
 * `explainAlways`, so the approval is the reason a re-screen passes).
 */
export interface Waiver {
  readonly signal: string;
  /** Whether the approval covers a hit (its signal, and any condition on what it saw). */
  covers(hit: Hit): boolean;
  /** Who approved what, when: the first evidence of every waiver hit. */
  readonly evidence: readonly string[];
  readonly params?: Readonly<Record<string, string | number>>;
}

/**
 * The hits with every hit the waiver covers replaced by waiver hits (one
 * per covered signal, in the order the signals first appear); the same list
 * when the waiver covers none. A `covers` that throws covers nothing.
 */
export function applyWaiver<H extends Hit>(
  hits: readonly H[],
  waiver: Waiver,
  make: (hit: Hit, like: H) => H,
): H[] {
  const kept: H[] = [];
  const covered = new Map<string, { like: H; evidence: string[] }>();
  for (const hit of hits) {
    let covers = false;
    try {
      covers = hit.signal !== waiver.signal && waiver.covers(hit) === true;
    } catch {
      covers = false;
    }
    if (!covers) {
      kept.push(hit);
      continue;
    }
    const entry = covered.get(hit.signal);
    if (entry) entry.evidence.push(...hit.evidence);
    else covered.set(hit.signal, { like: hit, evidence: [...hit.evidence] });
  }
  if (covered.size === 0) return kept;
  for (const [signal, { like, evidence }] of covered) {
    const hit: Hit = {
      signal: waiver.signal,
      evidence: [...waiver.evidence, `covers=${signal}`, ...evidence],
      ...(waiver.params ? { params: { ...waiver.params } } : {}),
    };
    kept.push(make(hit, like));
  }
  return kept;
}
