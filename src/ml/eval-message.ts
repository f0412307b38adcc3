/**
 * `npm run eval`: measures the committed message lure model
 * (`src/ml/models/message-lure.json`, issue 9 item 1; the model behind I1, I3
 * and P7) on the TEST split only, English and Japanese apart: precision,
 * recall, false-positive rate, F1 at the 0.5 threshold, ROC-AUC and the
 * confusion matrix. Prints a table and writes
 * `bench/results/message-lure-eval.json` (gitignored).
 *
 * ROC-AUC is computed here as the Mann–Whitney rank statistic (ties count ½):
 * a dozen lines, exact, and no metrics library is in the dependencies.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LogisticModel } from './linear-model.ts';
import {
  loadMessageDataset,
  MESSAGE_DIMENSION,
  MESSAGE_MODEL_URL,
  messageFeatures,
  SOURCE_LANGUAGE,
} from './message-data.ts';

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

export function metrics(scored: readonly Scored[], threshold = 0.5): Metrics {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const s of scored) {
    const flagged = s.p >= threshold;
    if (s.fraud) flagged ? c.tp++ : c.fn++;
    else flagged ? c.fp++ : c.tn++;
  }
  const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
  const precision = ratio(c.tp, c.tp + c.fp);
  const recall = ratio(c.tp, c.tp + c.fn);
  const f1 =
    precision === null || recall === null || precision + recall === 0
      ? null
      : (2 * precision * recall) / (precision + recall);
  return {
    n: scored.length,
    fraud: c.tp + c.fn,
    legit: c.fp + c.tn,
    confusion: c,
    precision,
    recall,
    fpr: ratio(c.fp, c.fp + c.tn),
    f1,
    rocAuc: rocAuc(scored),
  };
}

function main(): void {
  const model = LogisticModel.fromJSON(JSON.parse(readFileSync(MESSAGE_MODEL_URL, 'utf8')), {
    dimension: MESSAGE_DIMENSION,
  });
  const data = loadMessageDataset();
  const byLanguage: Record<string, Scored[]> = { en: [], ja: [] };
  for (const row of data.test) {
    const lang = SOURCE_LANGUAGE[row.source] ?? 'other';
    const list = byLanguage[lang] ?? [];
    list.push({ p: model.predict(messageFeatures(row.text)), fraud: row.label === 'fraud' });
    byLanguage[lang] = list;
  }
  const results: Record<string, Metrics> = {};
  for (const [lang, scored] of Object.entries(byLanguage)) results[lang] = metrics(scored);
  const f = (x: number | null) => (x === null ? '—' : x.toFixed(3));
  const rows = Object.entries(results).map(([lang, m]) => ({
    言語_language: lang,
    n: m.n,
    fraud: m.fraud,
    legit: m.legit,
    precision: f(m.precision),
    recall: f(m.recall),
    FPR: f(m.fpr),
    F1: f(m.f1),
    'ROC-AUC': f(m.rocAuc),
    'TP/FP/TN/FN': `${m.confusion.tp}/${m.confusion.fp}/${m.confusion.tn}/${m.confusion.fn}`,
  }));
  console.table(rows);
  const out = new URL('../../bench/results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  const file = new URL('message-lure-eval.json', out);
  writeFileSync(
    file,
    `${JSON.stringify({ model: 'message-lure', threshold: 0.5, meta: model.meta, split: data.report, results }, null, 2)}\n`,
  );
  console.log(`wrote ${fileURLToPath(file)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
