/**
 * `npm run train`: trains the message lure model (issue 9, item 1; the model
 * behind I1, I3 and P7) and writes `src/ml/models/message-lure.json`.
 *
 * Rows: the TRAIN split of every source (message-data.ts), of which a seeded
 * 15 % is held apart to fit the Platt calibration (calibration.ts); the TEST
 * split is never read here. The calibration's `a` and `b` are stored in the
 * model's `meta` (`calibrationA`, `calibrationB`).
 *
 * Seeded and deterministic (same data, same file, byte for byte). Weights with
 * |w| < {@link PRUNE_BELOW} are pruned before writing: they move a score by
 * less than the rounding of any threshold and would only make the file larger.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitPlatt } from './calibration.ts';
import { LogisticModel, trainLogistic } from './linear-model.ts';
import {
  CALIBRATION_FRACTION,
  calibrationSplit,
  loadMessageDataset,
  MESSAGE_DIMENSION,
  MESSAGE_MODEL_URL,
  MESSAGE_SEED,
  messageFeatures,
} from './message-data.ts';

/** Weights below this magnitude are dropped from the file. */
export const PRUNE_BELOW = 5e-3;

export const MESSAGE_TRAIN_OPTIONS = {
  dimension: MESSAGE_DIMENSION,
  seed: MESSAGE_SEED,
  // Chosen on the CALIBRATION rows (ROC-AUC over epochs 3/6/10, l2 1e-5/1e-4, step 0.05/0.2,
  // positive weight 1/2: all within 0.978–0.983); fewer epochs also keep the weights modest.
  epochs: 3,
  learningRate: 0.05,
  l2: 1e-5,
  positiveWeight: 2,
} as const;

/** Zeroes every weight with |w| < `below`; returns the pruned model and how many weights remain. */
export function pruneModel(model: LogisticModel, below: number): { model: LogisticModel; kept: number } {
  const w = model.weights();
  let kept = 0;
  for (let i = 0; i < w.length; i++) {
    if (Math.abs(w[i] as number) < below) w[i] = 0;
    else kept++;
  }
  return { model: new LogisticModel(model.dimension, w, model.bias, model.meta), kept };
}

/** A feature must occur in at least this many training rows to get a weight. */
export const MIN_ROWS_PER_FEATURE = 2;

/**
 * Drops the features seen in fewer than `minRows` rows: a feature of one text (a word pair, a
 * 4-gram of one name) only memorises that text, and its weight would make the file larger
 * without helping on new messages.
 */
export function keepFrequent<E extends { features: ReadonlyMap<number, number> }>(
  examples: readonly E[],
  minRows: number,
): E[] {
  const rows = new Map<number, number>();
  for (const e of examples) for (const i of e.features.keys()) rows.set(i, (rows.get(i) ?? 0) + 1);
  return examples.map((e) => ({
    ...e,
    features: new Map([...e.features].filter(([i]) => (rows.get(i) ?? 0) >= minRows)),
  }));
}

/** Rounds a calibration parameter as the model file rounds weights. */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function main(): void {
  const data = loadMessageDataset();
  const { fit, calibration } = calibrationSplit(data.train);
  const label = (l: string) => (l === 'fraud' ? (1 as const) : (0 as const));
  const all = fit.map((row) => ({ features: messageFeatures(row.text), label: label(row.label) }));
  const examples = keepFrequent(all, MIN_ROWS_PER_FEATURE);
  const trained = trainLogistic(examples, MESSAGE_TRAIN_OPTIONS);
  const { model: pruned, kept } = pruneModel(trained, PRUNE_BELOW);
  // Calibrate the PRUNED model: that is the one the file holds.
  const platt = fitPlatt(
    calibration.map((row) => pruned.score(messageFeatures(row.text))),
    calibration.map((row) => label(row.label)),
  );
  const count = (rows: typeof fit, l: string) => rows.filter((r) => r.label === l).length;
  const meta = {
    name: 'message-lure',
    features:
      'normaliseText + featureIndices (unit hash; char 1-3 grams in Japanese runs, 2-4 in Latin runs, Latin words and word pairs, symbols, placeholders), 2^17',
    data: 'uci-sms, ja-smishing (SpamHunter) [real]; ja-legit-seed, ja-legit-written, ja-smishing-written, en-smishing-written, en-legit-written [hand-written]; train split only',
    seed: MESSAGE_SEED,
    fitRows: fit.length,
    fitFraud: count(fit, 'fraud'),
    fitLegit: count(fit, 'legit'),
    calibrationRows: calibration.length,
    calibrationFraction: CALIBRATION_FRACTION,
    calibration: 'platt',
    calibrationA: round6(platt.a),
    calibrationB: round6(platt.b),
    prunedBelow: PRUNE_BELOW,
    minRowsPerFeature: MIN_ROWS_PER_FEATURE,
  };
  const model = new LogisticModel(pruned.dimension, pruned.weights(), pruned.bias, meta);
  const file = `${JSON.stringify(model.toJSON())}\n`;
  writeFileSync(MESSAGE_MODEL_URL, file);
  console.log(JSON.stringify({ report: data.report, platt }, null, 2));
  console.log(
    `wrote ${fileURLToPath(MESSAGE_MODEL_URL)}: ${kept} weights, ${Buffer.byteLength(file)} bytes (fit ${fit.length} rows, calibration ${calibration.length})`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
