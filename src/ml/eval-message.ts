/**
 * `npm run eval`: measures the committed message lure model
 * (`src/ml/models/message-lure.json`, issue 9 item 1; the model behind I1, I3
 * and P7) on the TEST split only, English and Japanese apart: precision,
 * recall, false-positive rate, F1 at the 0.5 threshold, ROC-AUC and the
 * confusion matrix. Prints a table and writes
 * `bench/results/message-lure-eval.json` (gitignored).
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
import { type Metrics, metrics, type Scored } from './metrics.ts';

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
