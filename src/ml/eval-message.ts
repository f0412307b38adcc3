/**
 * `npm run eval`: measures the committed message lure model
 * (`src/ml/models/message-lure.json`, issue 9 item 1; the model behind I1, I3
 * and P7) on the TEST split only, per language AND per source (real sources
 * apart from the hand-written ones, so hand-written test items are never read
 * as real-data figures): precision, recall, false-positive rate, F1 at the
 * calibrated 0.5 threshold (where MESSAGE_LURE_MODEL alone warns), ROC-AUC,
 * the confusion matrix, the calibration (reliability table, Brier score), and
 * the cost per message of features + scoring.
 *
 * Writes `bench/results/message-lure-eval.json` (gitignored),
 * `bench/results/message-lure-eval.md`, `bench/results/message-lure-roc.svg`
 * and the copy `docs/images/message-roc.svg` that docs/message.md shows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brier, calibrate, type ReliabilityBin, reliability } from './calibration.ts';
import type { LabelledRow } from './dataset.ts';
import {
  loadMessageDataset,
  loadMessageModel,
  type MessageModel,
  messageFeatures,
  messageScore,
  REAL_SOURCES,
  SOURCE_LANGUAGE,
} from './message-data.ts';
import { type Metrics, metrics, type Scored } from './metrics.ts';
import { normaliseText } from './normalise-text.ts';
import { rocPoints, rocSvg } from './roc-svg.ts';

export const EVAL_THRESHOLD = 0.5;

export interface GroupResult extends Metrics {
  readonly real: boolean | 'mixed';
  readonly brier: number | null;
  readonly reliability: ReliabilityBin[];
  /** Recall at the lowest threshold whose FPR stays within the goals (0.5 % English, 1/75 Japanese). */
  readonly recallAtFpr: { fpr005: number | null; fpr1in75: number | null };
}

/**
 * Recall at the lowest threshold whose false-positive rate is at most `fpr` (rows tied on p stay
 * together); null without both classes.
 */
export function recallAtFpr(scored: readonly Scored[], fpr: number): number | null {
  const points = rocPoints(scored);
  if (points.length < 2) return null;
  // The ROC curve's points, threshold by threshold from the highest p: the last one within the FPR.
  let best = 0;
  for (const point of points) {
    if (point.fpr > fpr) break;
    best = point.tpr;
  }
  return best;
}

/** µs per message of `normaliseText`, and of features + scoring on normalised text (median of 5 runs). */
export function benchmark(
  m: MessageModel,
  texts: readonly string[],
): { normaliseUs: number; modelUs: number } {
  const normalised = texts.map((t) => normaliseText(t).text);
  const time = (f: (i: number) => void) => {
    const runs: number[] = [];
    const n = Math.max(20_000, texts.length);
    for (let r = 0; r < 5; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f(i % texts.length);
      runs.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
    }
    runs.sort((a, b) => a - b);
    return runs[2] as number;
  };
  let sink = 0;
  time((i) => {
    sink += messageScore(m.model, normalised[i] as string);
  });
  const modelUs = time((i) => {
    sink += messageScore(m.model, normalised[i] as string);
  });
  const normaliseUs = time((i) => {
    sink += normaliseText(texts[i] as string).text.length;
  });
  if (sink === Number.POSITIVE_INFINITY) console.log(sink);
  return { normaliseUs, modelUs };
}

function group(scored: Scored[], real: boolean | 'mixed'): GroupResult {
  return {
    ...metrics(scored, EVAL_THRESHOLD),
    real,
    brier: brier(scored),
    reliability: reliability(scored),
    recallAtFpr: { fpr005: recallAtFpr(scored, 0.005), fpr1in75: recallAtFpr(scored, 1 / 75) },
  };
}

const f3 = (x: number | null) => (x === null ? '—' : x.toFixed(3));

function table(title: string, results: Record<string, GroupResult>): string {
  const lines = [
    `### ${title}`,
    '',
    '| group | data | n | fraud | legit | precision | recall | FPR | F1 | ROC-AUC | TP | FP | TN | FN | Brier | recall @FPR≤0.5 % | recall @FPR≤1/75 |',
    '| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const [name, m] of Object.entries(results)) {
    const data = m.real === true ? 'real' : m.real === false ? '**hand-written**' : 'real + hand-written';
    const c = m.confusion;
    lines.push(
      `| ${name} | ${data} | ${m.n} | ${m.fraud} | ${m.legit} | ${f3(m.precision)} | ${f3(m.recall)} | ${f3(m.fpr)} | ${f3(m.f1)} | ${f3(m.rocAuc)} | ${c.tp} | ${c.fp} | ${c.tn} | ${c.fn} | ${f3(m.brier)} | ${f3(m.recallAtFpr.fpr005)} | ${f3(m.recallAtFpr.fpr1in75)} |`,
    );
  }
  return lines.join('\n');
}

function reliabilityTable(results: Record<string, GroupResult>): string {
  const names = Object.keys(results);
  const lines = [
    '### 校正 / Calibration (reliability: mean predicted p → observed fraud share, n)',
    '',
    `| p bin | ${names.join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
  ];
  for (let k = 0; k < 10; k++) {
    const cells = names.map((name) => {
      const b = results[name]?.reliability[k];
      return b === undefined || b.n === 0 ? '—' : `${f3(b.meanPredicted)} → ${f3(b.observed)} (${b.n})`;
    });
    lines.push(`| ${(k / 10).toFixed(1)}–${((k + 1) / 10).toFixed(1)} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function push(into: Record<string, Scored[]>, key: string, s: Scored): void {
  const list = into[key] ?? [];
  list.push(s);
  into[key] = list;
}

function main(): void {
  const m = loadMessageModel();
  const data = loadMessageDataset();
  const byLanguage: Record<string, Scored[]> = { en: [], ja: [] };
  const bySource: Record<string, Scored[]> = {};
  const byLanguageReal: Record<string, Scored[]> = {};
  const misses: { source: string; label: string; p: number; text: string }[] = [];
  const score = (row: LabelledRow) => calibrate(m.platt, m.model.score(messageFeatures(row.text)));
  for (const row of data.test) {
    const p = score(row);
    const s = { p, fraud: row.label === 'fraud' };
    const lang = SOURCE_LANGUAGE[row.source] ?? 'other';
    push(byLanguage, lang, s);
    push(bySource, row.source, s);
    if (REAL_SOURCES.has(row.source)) push(byLanguageReal, `${lang} (real only)`, s);
    if (s.fraud !== p >= EVAL_THRESHOLD)
      misses.push({ source: row.source, label: row.label, p, text: row.text });
  }
  const languages: Record<string, GroupResult> = {};
  for (const [lang, scored] of Object.entries(byLanguage)) languages[lang] = group(scored, 'mixed');
  for (const [lang, scored] of Object.entries(byLanguageReal)) languages[lang] = group(scored, true);
  const sources: Record<string, GroupResult> = {};
  for (const [source, scored] of Object.entries(bySource))
    sources[source] = group(scored, REAL_SOURCES.has(source));
  const sample = data.test.filter((r) => r.text.length >= 60 && r.text.length <= 160).map((r) => r.text);
  const speed = benchmark(m, sample.length > 0 ? sample : ['x']);

  const svg = rocSvg(
    [
      { label: 'English', color: '#1f77b4', scored: byLanguage.en ?? [] },
      { label: '日本語 Japanese', color: '#d62728', scored: byLanguage.ja ?? [] },
    ],
    'MESSAGE_LURE_MODEL — held-out split (real + hand-written)',
  );
  const md = [
    '# MESSAGE_LURE_MODEL 評価 / evaluation (held-out split)',
    '',
    `Generated by \`npm run eval\` (src/ml/eval-message.ts). Threshold: calibrated p ≥ ${EVAL_THRESHOLD} (the model alone then warns).`,
    'Rows marked **hand-written** were written by the Mamoru developers (2026-12), not collected from real traffic:',
    'their figures say how well the model learnt our own writing, not how it does on real messages.',
    '',
    `Calibration: Platt a = ${m.platt.a}, b = ${m.platt.b} (fitted on ${String(m.model.meta?.calibrationRows ?? '?')} TRAIN rows).`,
    `Speed (this machine, median of 5): features + score ${speed.modelUs.toFixed(2)} µs per message on normalised text; normaliseText ${speed.normaliseUs.toFixed(2)} µs (done once per screening by the channel).`,
    '',
    table('言語別 / By language', languages),
    '',
    table('データ源別 / By source', sources),
    '',
    reliabilityTable({ ...languages, ...sources }),
    '',
    '![ROC](message-lure-roc.svg)',
    '',
  ].join('\n');
  const out = new URL('../../bench/results/', import.meta.url);
  mkdirSync(out, { recursive: true });
  const json = {
    model: 'message-lure',
    threshold: EVAL_THRESHOLD,
    meta: m.model.meta,
    platt: m.platt,
    split: data.report,
    byLanguage: languages,
    bySource: sources,
    speed,
    errors: misses.sort((a, b) => a.source.localeCompare(b.source) || b.p - a.p).slice(0, 200),
  };
  writeFileSync(new URL('message-lure-eval.json', out), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(new URL('message-lure-eval.md', out), md);
  writeFileSync(new URL('message-lure-roc.svg', out), svg);
  const images = new URL('../../docs/images/', import.meta.url);
  mkdirSync(images, { recursive: true });
  writeFileSync(new URL('message-roc.svg', images), svg);
  console.log(md);
  console.log(
    `wrote ${fileURLToPath(out)}message-lure-eval.{json,md}, message-lure-roc.svg, docs/images/message-roc.svg`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
