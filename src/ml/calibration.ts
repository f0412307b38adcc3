/**
 * Probability calibration for the text models (issue 9 item 1, build step 3;
 * the probability MESSAGE_LURE_MODEL turns into a score for I1, I3, P7).
 *
 * A logistic model trained with class weights and on a corpus whose fraud share
 * is not the real one gives log-odds that rank well but whose sigmoid is not a
 * frequency. Platt scaling fits `p = σ(a·z + b)` on a calibration split carved
 * from TRAIN (never the test split), with Platt's smoothed targets
 * (`(n₊+1)/(n₊+2)`, `1/(n₋+2)`) so a separable calibration set does not drive
 * `a` to infinity. Two parameters: a few hundred rows fit them well, where
 * isotonic regression would need thousands.
 *
 * Also the reliability table (10 equal-width bins: mean predicted against
 * observed fraud share) and the Brier score the eval report prints.
 *
 * Written here: ~60 lines of Newton's method; no statistics package is in the
 * dependencies.
 */
import { sigmoid } from './linear-model.ts';

/** Platt parameters: calibrated p = σ(a·z + b) for raw log-odds z. */
export interface Platt {
  readonly a: number;
  readonly b: number;
}

/** The identity calibration (a = 1, b = 0). */
export const IDENTITY_PLATT: Platt = { a: 1, b: 0 };

export function calibrate(platt: Platt, z: number): number {
  return sigmoid(platt.a * z + platt.b);
}

/**
 * Fits Platt scaling by Newton's method with a backtracking line search
 * (Lin, Lin & Weng 2007, "A note on Platt's probabilistic outputs").
 * `scores` are raw log-odds, `labels` 1 = fraud. Deterministic.
 */
export function fitPlatt(scores: readonly number[], labels: readonly (0 | 1)[]): Platt {
  if (scores.length !== labels.length) throw new RangeError('scores and labels differ in length');
  let positives = 0;
  for (const y of labels) positives += y;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return IDENTITY_PLATT;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const t = labels.map((y) => (y === 1 ? hi : lo));
  // Parameterised on log-odds: f = a·z + b, p = σ(f); minimise cross-entropy against t.
  let a = 1;
  let b = 0; // start at the identity
  const loss = (a0: number, b0: number) => {
    let l = 0;
    for (let i = 0; i < scores.length; i++) {
      const f = a0 * (scores[i] as number) + b0;
      // log(1 + e^f) − t·f, stable
      l += (f >= 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f))) - (t[i] as number) * f;
    }
    return l;
  };
  const sigma = 1e-12;
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let gA = 0;
    let gB = 0;
    let hAA = sigma;
    let hBB = sigma;
    let hAB = 0;
    for (let i = 0; i < scores.length; i++) {
      const z = scores[i] as number;
      const p = sigmoid(a * z + b);
      const d = p - (t[i] as number);
      const w = p * (1 - p);
      gA += d * z;
      gB += d;
      hAA += w * z * z;
      hBB += w;
      hAB += w * z;
    }
    if (Math.abs(gA) < 1e-9 && Math.abs(gB) < 1e-9) break;
    const det = hAA * hBB - hAB * hAB;
    if (!(det > 0)) break;
    const dA = -(hBB * gA - hAB * gB) / det;
    const dB = -(-hAB * gA + hAA * gB) / det;
    let step = 1;
    let next = current;
    while (step >= 1e-10) {
      next = loss(a + step * dA, b + step * dB);
      if (next < current + 1e-4 * step * (gA * dA + gB * dB)) break;
      step /= 2;
    }
    if (step < 1e-10) break;
    a += step * dA;
    b += step * dB;
    if (current - next < 1e-12) {
      current = next;
      break;
    }
    current = next;
  }
  return { a, b };
}

/** One bin of a reliability table. */
export interface ReliabilityBin {
  /** Lower and upper bound of predicted p (the last bin includes 1). */
  readonly from: number;
  readonly to: number;
  readonly n: number;
  /** Mean predicted probability in the bin (null when empty). */
  readonly meanPredicted: number | null;
  /** Share of fraud among the bin's rows (null when empty). */
  readonly observed: number | null;
}

/** Reliability table: `bins` equal-width bins of predicted p. */
export function reliability(
  scored: readonly { readonly p: number; readonly fraud: boolean }[],
  bins = 10,
): ReliabilityBin[] {
  const n = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const pos = new Array<number>(bins).fill(0);
  for (const s of scored) {
    const k = Math.min(bins - 1, Math.max(0, Math.floor(s.p * bins)));
    n[k] = (n[k] as number) + 1;
    sumP[k] = (sumP[k] as number) + s.p;
    if (s.fraud) pos[k] = (pos[k] as number) + 1;
  }
  return n.map((count, k) => ({
    from: k / bins,
    to: (k + 1) / bins,
    n: count,
    meanPredicted: count === 0 ? null : (sumP[k] as number) / count,
    observed: count === 0 ? null : (pos[k] as number) / count,
  }));
}

/** Brier score: mean squared difference between predicted p and the outcome (0 best); null when empty. */
export function brier(scored: readonly { readonly p: number; readonly fraud: boolean }[]): number | null {
  if (scored.length === 0) return null;
  let s = 0;
  for (const x of scored) s += (x.p - (x.fraud ? 1 : 0)) ** 2;
  return s / scored.length;
}
