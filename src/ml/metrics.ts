/**
 * Detection metrics for every evaluation (issue 9 item 1; `npm run eval`,
 * `mamoru eval message|url`): the confusion matrix at a threshold,
 * precision, recall, false-positive rate, F1 and ROC-AUC.
 *
 * ROC-AUC is computed here as the Mann–Whitney rank statistic (ties count ½):
 * a dozen lines, exact, and no metrics library is in the dependencies.
 */

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface Metrics {
  n: number;
  fraud: number;
  legit: number;
  confusion: Confusion;
  /** null where undefined (no predicted positives, no positives, no negatives). */
  precision: number | null;
  recall: number | null;
  fpr: number | null;
  f1: number | null;
  rocAuc: number | null;
}

export interface Scored {
  readonly p: number;
  readonly fraud: boolean;
}

/** Probability that a random fraud scores above a random legit text (ties ½); null without both classes. */
export function rocAuc(scored: readonly Scored[]): number | null {
  const sorted = [...scored].sort((a, b) => a.p - b.p);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]?.p === sorted[i]?.p) j++;
    const rank = (i + 1 + j) / 2; // mean 1-based rank of the tie block
    for (let k = i; k < j; k++) {
      if (sorted[k]?.fraud) {
        positives++;
        rankSum += rank;
      }
    }
    i = j;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Precision, recall, false-positive rate and F1 of a confusion matrix; null where undefined. */
export function rates(c: Confusion): Pick<Metrics, 'precision' | 'recall' | 'fpr' | 'f1'> {
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const f1 =
    precision === null || recall === null || precision + recall === 0
      ? null
      : (2 * precision * recall) / (precision + recall);
  return { precision, recall, fpr: ratio(c.fp, c.fp + c.tn), f1 };
}

export function metrics(scored: readonly Scored[], threshold = 0.5): Metrics {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const s of scored) {
    const flagged = s.p >= threshold;
    if (s.fraud) flagged ? c.tp++ : c.fn++;
    else flagged ? c.fp++ : c.tn++;
  }
  return {
    n: scored.length,
    fraud: c.tp + c.fn,
    legit: c.fp + c.tn,
    confusion: c,
    ...rates(c),
    rocAuc: rocAuc(scored),
  };
}
