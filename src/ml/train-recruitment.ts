/**
 * `npm run train` (third step): trains the recruitment-for-crimes model (P7, issue 9 item 2;
 * `POST_RECRUITMENT_CRIME`) on the TRAIN split of the hand-written posts in `src/ml/data/recruitment-*.jsonl`,
 * writes `src/ml/models/recruitment.json`, and prints the held-out TEST split's metrics for the cues
 * alone, the model alone and the two combined (what the detector uses), Japanese and English apart.
 *
 * Honest limits, printed with the figures: every text was written by the Mamoru developers (no public
 * labelled 闇バイト corpus exists); the cues were written while reading the whole set, so their
 * test figures are optimistic; only the model never saw its test rows. The 15 police-cited phrases
 * (`../shared/data/posts`, copied to the detector's fixtures) are never trained on: this script refuses
 * to train if a training text contains one, and reports how they score (a smoke test, not a metric).
 *
 * Seeded and deterministic: the same files give the same model file, byte for byte.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normaliseForDedup, type ParsedFile, prepareDataset } from './dataset.ts';
import { trainLogistic } from './linear-model.ts';
import { parseHandWritten } from './message-data.ts';
import { type Metrics, metrics, type Scored } from './metrics.ts';
import { normaliseText } from './normalise-text.ts';
import {
  FLAG_POINTS,
  RECRUITMENT_DATA_URLS,
  RECRUITMENT_DIMENSION,
  RECRUITMENT_MODEL_URL,
  RECRUITMENT_SEED,
  recruitmentFeatures,
  scoreRecruitment,
} from './recruitment-model.ts';
import { pruneModel } from './train-message.ts';

export const RECRUITMENT_TRAIN_OPTIONS = {
  dimension: RECRUITMENT_DIMENSION,
  seed: RECRUITMENT_SEED,
  epochs: 12,
  learningRate: 0.1,
  l2: 1e-5,
  positiveWeight: 1,
} as const;

/** The committed fixture of the police-cited phrases (the smoke test; never trained on). */
export const POLICE_PHRASES_URL = new URL(
  '../channels/message/detectors/fixtures/npa-recruitment-phrases.tsv',
  import.meta.url,
);

/** Hand-written rows: `{"kind", "lang", "text"}` per line, all of the file's label; `{"_comment"}` skipped. */
export function parseRecruitmentRows(text: string, label: 'fraud' | 'legit', source: string): ParsedFile {
  return parseHandWritten(text, source, label, (o) => `${source}-${o.lang === 'en' ? 'en' : 'ja'}`);
}

/** The police phrases of the fixture (column `text` of the TSV). */
export function readPolicePhrases(): string[] {
  const lines = readFileSync(POLICE_PHRASES_URL, 'utf8').split(/\r?\n/).slice(1);
  return lines.filter((l) => l.trim() !== '').map((l) => l.split('\t')[0] ?? '');
}

function main(): void {
  const crime = parseRecruitmentRows(readFileSync(RECRUITMENT_DATA_URLS.crime, 'utf8'), 'fraud', 'crime');
  const ordinary = parseRecruitmentRows(
    readFileSync(RECRUITMENT_DATA_URLS.ordinary, 'utf8'),
    'legit',
    'ordinary',
  );
  const data = prepareDataset([crime, ordinary], { seed: RECRUITMENT_SEED, testFraction: 0.25 });
  const police = existsSync(POLICE_PHRASES_URL) ? readPolicePhrases() : [];
  for (const row of data.train) {
    const t = normaliseForDedup(row.text).replace(/\s/g, '');
    for (const p of police) {
      if (t.includes(normaliseForDedup(p).replace(/\s/g, ''))) {
        throw new Error(`training row ${row.source}:${row.line} contains a police-cited phrase: ${p}`);
      }
    }
  }
  const trained = trainLogistic(
    data.train.map((row) => ({
      features: recruitmentFeatures(normaliseText(row.text).text),
      label: row.label === 'fraud' ? (1 as const) : (0 as const),
    })),
    RECRUITMENT_TRAIN_OPTIONS,
    {
      name: 'recruitment',
      features: 'normaliseText + extractFeatures (char n-grams, placeholders; no words), 2^14',
      data: 'recruitment-crime.jsonl, recruitment-ordinary.jsonl (hand-written, 2026-12-06); train split only',
      seed: RECRUITMENT_SEED,
      trainRows: data.train.length,
      trainFraud: data.report.train.fraud,
      trainLegit: data.report.train.legit,
      prunedBelow: 1e-3,
    },
  );
  const { model, kept } = pruneModel(trained, 1e-3);
  const file = `${JSON.stringify(model.toJSON())}\n`;
  writeFileSync(RECRUITMENT_MODEL_URL, file);

  const by: Record<string, { cues: Scored[]; model: Scored[]; combined: Scored[] }> = {};
  for (const row of data.test) {
    const lang = row.source.endsWith('-en') ? 'en' : 'ja';
    const b = by[lang] ?? { cues: [], model: [], combined: [] };
    by[lang] = b;
    const n = normaliseText(row.text);
    const s = scoreRecruitment(n, model);
    const fraud = row.label === 'fraud';
    b.cues.push({ p: s.cuePoints, fraud });
    b.model.push({ p: model.predict(recruitmentFeatures(n.text)), fraud });
    b.combined.push({ p: s.points, fraud });
  }
  const results: Record<string, Record<string, Metrics>> = {};
  for (const [lang, b] of Object.entries(by)) {
    results[lang] = {
      cues: metrics(b.cues, FLAG_POINTS),
      model: metrics(b.model, 0.5),
      combined: metrics(b.combined, FLAG_POINTS),
    };
  }
  const f = (x: number | null) => (x === null ? '—' : x.toFixed(3));
  console.table(
    Object.entries(results).flatMap(([lang, r]) =>
      Object.entries(r).map(([what, m]) => ({
        lang,
        what,
        n: m.n,
        precision: f(m.precision),
        recall: f(m.recall),
        FPR: f(m.fpr),
        F1: f(m.f1),
        'ROC-AUC': f(m.rocAuc),
        'TP/FP/TN/FN': `${m.confusion.tp}/${m.confusion.fp}/${m.confusion.tn}/${m.confusion.fn}`,
      })),
    ),
  );
  const smoke = police.map((p) => scoreRecruitment(normaliseText(p), model).points);
  console.log(
    `police-cited phrases flagged (≥ ${FLAG_POINTS} points): ${smoke.filter((s) => s >= FLAG_POINTS).length}/${police.length}; points ${smoke.map((s) => s.toFixed(1)).join(' ')}`,
  );
  console.log(
    JSON.stringify({
      split: {
        train: data.report.train,
        test: data.report.test,
        duplicatesRemoved: data.report.duplicatesRemoved,
      },
    }),
  );
  console.log(
    `wrote ${fileURLToPath(RECRUITMENT_MODEL_URL)}: ${kept} weights, ${Buffer.byteLength(file)} bytes. ` +
      'All texts hand-written by the Mamoru developers; cue figures are optimistic (cues written while reading the whole set).',
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
