/**
 * `npm run train`: trains the mail content model (issue 11 items 2 and 7; the model behind
 * MAIL_LURE_MODEL, measures E1 and E4) and writes `src/ml/models/mail-lure.json`.
 *
 * Rows: the TRAIN split of mail-data.ts (SpamAssassin easy-ham-1, spam-1 and 70 % of
 * hard-ham-1; Enron enron1–4 when ../shared has them; 75 % of the hand-written families), of
 * which a seeded 15 % fits the Platt calibration; the held-out split is never read here.
 *
 * The hand-written 2022–26 rows are few beside 25,000 real mails of 1999–2005, and they are the
 * only modern and the only Japanese ones: each counts {@link WRITTEN_WEIGHT} times in the fit
 * (repeated examples; the trainer has no per-example weight), so that the model learns modern
 * lures and modern notices rather than the vocabulary of 2002 spam. The calibration rows keep
 * their natural weight.
 *
 * Seeded and deterministic. Weights with |w| < {@link MAIL_PRUNE_BELOW} are pruned, and features
 * seen in fewer than {@link MAIL_MIN_ROWS} rows get none (they would only memorise one mail).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitPlatt } from './calibration.ts';
import { LogisticModel, type TrainingExample, trainLogistic } from './linear-model.ts';
import {
  ENRON_URL,
  MAIL_CALIBRATION_FRACTION,
  MAIL_DIMENSION,
  MAIL_MODEL_URL,
  MAIL_REAL_SOURCES,
  MAIL_SEED,
  MAIL_WINDOW,
  type MailRow,
  mailCalibrationSplit,
  mailDataset,
  mailFeatures,
  mailModelText,
} from './mail-data.ts';
import { keepFrequent, pruneModel } from './train-message.ts';

/** Weights below this magnitude are dropped from the file. */
export const MAIL_PRUNE_BELOW = 0.05;
/** At most this many weights are kept (the largest in magnitude): the file stays well under 2 MB. */
export const MAIL_MAX_WEIGHTS = 60_000;

/** The magnitude below which weights go so that at most `keep` remain (ties may keep a few more). */
export function pruneThreshold(weights: Float64Array, keep: number, floor: number): number {
  const sorted = Array.from(weights, Math.abs)
    .filter((x) => x >= floor)
    .sort((a, b) => b - a);
  return sorted.length <= keep ? floor : (sorted[keep - 1] as number);
}
/** A feature must occur in at least this many training rows to get a weight. */
export const MAIL_MIN_ROWS = 5;
/** How many times a hand-written row counts in the fit. */
export const WRITTEN_WEIGHT = 12;

export const MAIL_TRAIN_OPTIONS = {
  dimension: MAIL_DIMENSION,
  seed: MAIL_SEED,
  epochs: 5,
  learningRate: 0.2,
  l2: 1e-6,
  positiveWeight: 1,
} as const;

const label = (row: MailRow) => (row.label === 'fraud' ? (1 as const) : (0 as const));
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Features of a row as the detector sees its mail. */
export function rowFeatures(row: MailRow) {
  return mailFeatures(mailModelText(row.subject, row.text));
}

/** Featureless legitimate examples per fit example (see {@link fitExamples}). */
export const NEUTRAL_SHARE = 0.2;

/**
 * The fit examples: features kept where frequent, hand-written rows repeated, and
 * {@link NEUTRAL_SHARE} × as many featureless legitimate examples.
 *
 * Why the featureless ones: Enron's ham is rich in one company's vocabulary and the old spam in
 * its own, so a model fitted on them alone learns "spam unless it sounds like Enron": its
 * intercept comes out positive, and a short modern mail with nothing it recognises — a note from
 * a friend, a library notice — scores as spam. An example with no features moves only the
 * intercept; with them the model is told that a mail it knows nothing of is legitimate, and must
 * find lure wording to call a mail fraud (in effect a prior on the intercept).
 */
export function fitExamples(fit: readonly MailRow[], writtenWeight = WRITTEN_WEIGHT): TrainingExample[] {
  const all = keepFrequent(
    fit.map((row) => ({
      features: rowFeatures(row),
      label: label(row),
      real: MAIL_REAL_SOURCES.has(row.source),
    })),
    MAIL_MIN_ROWS,
  );
  const examples: TrainingExample[] = all.flatMap((e) =>
    e.real ? [e] : Array.from({ length: writtenWeight }, () => e),
  );
  const neutral: TrainingExample = { features: new Map(), label: 0 };
  const anchors = Math.round(NEUTRAL_SHARE * examples.length);
  for (let k = 0; k < anchors; k++) examples.push(neutral);
  return examples;
}

/** Trains, prunes and calibrates on the TRAIN split; returns the model with its `meta`. */
export async function trainMailModel(): Promise<{ model: LogisticModel; kept: number; report: unknown }> {
  const data = await mailDataset();
  const { fit, calibration } = mailCalibrationSplit(data.train);
  const trained = trainLogistic(fitExamples(fit), MAIL_TRAIN_OPTIONS);
  const below = pruneThreshold(trained.weights(), MAIL_MAX_WEIGHTS, MAIL_PRUNE_BELOW);
  const { model: pruned, kept } = pruneModel(trained, below);
  const platt = fitPlatt(
    calibration.map((row) => pruned.score(rowFeatures(row))),
    calibration.map(label),
  );
  const count = (rows: readonly MailRow[], l: string) => rows.filter((r) => r.label === l).length;
  const meta = {
    name: 'mail-lure',
    features: `mailModelText (normaliseText of subject + text, first ${MAIL_WINDOW} chars) + featureIndices (unit hash; char 1-3 grams in Japanese runs, 2-4 in Latin runs, Latin words and word pairs, placeholders), binary, unit length, 2^18`,
    data: `spamassassin (easy-ham-1, spam-1, 70% hard-ham-1), enron (enron1-4) [real]; mail-*-written [hand-written, 75% of families, each counted ${WRITTEN_WEIGHT} times]; train split only`,
    seed: MAIL_SEED,
    fitRows: fit.length,
    fitFraud: count(fit, 'fraud'),
    fitLegit: count(fit, 'legit'),
    calibrationRows: calibration.length,
    calibrationFraction: MAIL_CALIBRATION_FRACTION,
    calibration: 'platt',
    calibrationA: round6(platt.a),
    calibrationB: round6(platt.b),
    prunedBelow: round6(below),
    maxWeights: MAIL_MAX_WEIGHTS,
    minRowsPerFeature: MAIL_MIN_ROWS,
    writtenWeight: WRITTEN_WEIGHT,
    neutralShare: NEUTRAL_SHARE,
  };
  return {
    model: new LogisticModel(pruned.dimension, pruned.weights(), pruned.bias, meta),
    kept,
    report: data.report,
  };
}

async function main(): Promise<void> {
  if (!existsSync(ENRON_URL)) {
    throw new Error(
      `Enron-spam がありません（${fileURLToPath(ENRON_URL)}）: コミット済みのモデルを上書きしません / Enron-spam is missing: not overwriting the committed model`,
    );
  }
  const { model, kept, report } = await trainMailModel();
  const file = `${JSON.stringify(model.toJSON())}\n`;
  writeFileSync(MAIL_MODEL_URL, file);
  console.log(JSON.stringify({ report, meta: model.meta }, null, 2));
  console.log(`wrote ${fileURLToPath(MAIL_MODEL_URL)}: ${kept} weights, ${Buffer.byteLength(file)} bytes`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
