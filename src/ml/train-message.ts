/**
 * `npm run train`: trains the message lure model (issue 9, item 1; the model
 * behind I1, I3 and P7) on the TRAIN split of the SMS sources only and writes
 * `src/ml/models/message-lure.json`.
 *
 * Seeded and deterministic (same data, same file). Weights with |w| < 1e-3
 * are pruned before writing: they move a score by less than the rounding of
 * any threshold and would only make the committed file larger.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LogisticModel, trainLogistic } from './linear-model.ts';
import {
  loadMessageDataset,
  MESSAGE_DIMENSION,
  MESSAGE_MODEL_URL,
  MESSAGE_SEED,
  messageFeatures,
} from './message-data.ts';

/** Weights below this magnitude are dropped from the file. */
export const PRUNE_BELOW = 1e-3;

export const MESSAGE_TRAIN_OPTIONS = {
  dimension: MESSAGE_DIMENSION,
  seed: MESSAGE_SEED,
  epochs: 8,
  learningRate: 0.1,
  l2: 1e-6,
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

function main(): void {
  const data = loadMessageDataset();
  const examples = data.train.map((row) => ({
    features: messageFeatures(row.text),
    label: row.label === 'fraud' ? (1 as const) : (0 as const),
  }));
  const trained = trainLogistic(examples, MESSAGE_TRAIN_OPTIONS, {
    name: 'message-lure',
    features: 'normaliseText + extractFeatures (char n-grams, Intl.Segmenter words, placeholders)',
    data: 'uci-sms, ja-smishing (SpamHunter), ja-legit-seed (hand-written); train split only',
    seed: MESSAGE_SEED,
    trainRows: data.train.length,
    trainFraud: data.report.train.fraud,
    trainLegit: data.report.train.legit,
    prunedBelow: PRUNE_BELOW,
  });
  const { model, kept } = pruneModel(trained, PRUNE_BELOW);
  const file = `${JSON.stringify(model.toJSON())}\n`;
  writeFileSync(MESSAGE_MODEL_URL, file);
  console.log(JSON.stringify({ report: data.report }, null, 2));
  console.log(
    `wrote ${fileURLToPath(MESSAGE_MODEL_URL)}: ${kept} weights, ${Buffer.byteLength(file)} bytes (train ${data.train.length} rows)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
