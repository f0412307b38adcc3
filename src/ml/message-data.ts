/**
 * The message lure model's data and feature pipeline, shared by `npm run train`
 * (train-message.ts), `npm run eval` (eval-message.ts) and the detector
 * (MESSAGE_LURE_MODEL), so all see the same split and the same features
 * (issue 9, items 1–2; measures I1, I3, P7).
 *
 * Sources (provenance and licences: `data/README.md`, `../shared/data/sms/PROVENANCE.txt`):
 * - `uci-sms`: the UCI SMS Spam Collection (English, ham and spam, 2000s), real;
 * - `ja-smishing`: SpamHunter Japanese smishing texts (fraud only, 2018–2020), real;
 * - `ja-legit-seed`, `ja-legit-written`: Japanese LEGITIMATE messages written by hand;
 * - `ja-smishing-written`: Japanese smishing in the styles of 2020–2026, written by hand;
 * - `en-smishing-written`: recent English smishing (parcel fees, tolls, "Hi Mum", bank
 *   alerts, tax refunds, crypto, job offers, wrong-number openers), written by hand;
 * - `en-legit-written`: modern English legitimate SMS (codes, deliveries, appointments,
 *   bank alerts that tell you not to click, chat), written by hand.
 * Metrics on the hand-written sources measure how well the model learnt our own
 * writing, not real traffic: the eval report keeps them apart, per source.
 * Undated sources are split by a seeded hash of the normalised text in
 * {@link prepareDataset}; the calibration rows are carved from TRAIN the same way.
 */
import { readFileSync } from 'node:fs';
import { calibrate, IDENTITY_PLATT, type Platt } from './calibration.ts';
import {
  hashUnit,
  jsonLines,
  type LabelledRow,
  loadSharedData,
  normaliseForDedup,
  type ParsedFile,
  prepareDataset,
  type RejectedLine,
  type SplitDataset,
} from './dataset.ts';
import { featureIndices, type SparseFeatures } from './features.ts';
import { LogisticModel } from './linear-model.ts';
import { normaliseText } from './normalise-text.ts';

/** Feature dimension of the message model: 2^17 buckets; pruning keeps the committed file small. */
export const MESSAGE_DIMENSION = 1 << 17;
/** Seed of the split and of training. */
export const MESSAGE_SEED = 9;
/** Share of the TRAIN split held apart to fit the calibration (never the test split). */
export const CALIBRATION_FRACTION = 0.15;
export const MESSAGE_MODEL_URL = new URL('./models/message-lure.json', import.meta.url);
export const JA_LEGIT_SEED_URL = new URL('./data/ja-legit-seed.jsonl', import.meta.url);

/** The hand-written files: source name → file and label. */
export const HAND_WRITTEN = {
  'ja-legit-seed': { url: JA_LEGIT_SEED_URL, label: 'legit', language: 'ja' },
  'ja-legit-written': {
    url: new URL('./data/ja-legit-written.jsonl', import.meta.url),
    label: 'legit',
    language: 'ja',
  },
  'ja-smishing-written': {
    url: new URL('./data/ja-smishing-written.jsonl', import.meta.url),
    label: 'fraud',
    language: 'ja',
  },
  'en-smishing-written': {
    url: new URL('./data/en-smishing-written.jsonl', import.meta.url),
    label: 'fraud',
    language: 'en',
  },
  'en-legit-written': {
    url: new URL('./data/en-legit-written.jsonl', import.meta.url),
    label: 'legit',
    language: 'en',
  },
} as const satisfies Record<string, { url: URL; label: 'fraud' | 'legit'; language: 'en' | 'ja' }>;

/** Which language a source's texts are in, for per-language metrics. */
export const SOURCE_LANGUAGE: Readonly<Record<string, 'en' | 'ja'>> = {
  'uci-sms': 'en',
  'ja-smishing': 'ja',
  ...Object.fromEntries(Object.entries(HAND_WRITTEN).map(([name, f]) => [name, f.language])),
};

/** Sources of real messages (the rest were written by the Mamoru developers). */
export const REAL_SOURCES: ReadonlySet<string> = new Set(['uci-sms', 'ja-smishing']);

/**
 * A hand-written file: `{"kind"?, "text"}` lines, all with one label; a `{"_comment"}` line is
 * skipped, a line without a non-empty text is rejected with its number. `sourceOf` names a row's
 * source from its line (the recruitment files split theirs by `lang`); the file's by default.
 */
export function parseHandWritten(
  text: string,
  source: string,
  label: 'fraud' | 'legit',
  sourceOf: (row: Record<string, unknown>) => string = () => source,
): ParsedFile {
  const rows: LabelledRow[] = [];
  const rejected: RejectedLine[] = [];
  jsonLines(text, source, rejected, (o, line) => {
    if ('_comment' in o) return;
    if (typeof o.text !== 'string' || o.text.trim() === '') {
      rejected.push({ source, line, reason: 'text is not a non-empty string' });
      return;
    }
    rows.push({ text: o.text, label, source: sourceOf(o), line });
  });
  return { rows, rejected };
}

/** The hand-written seed: `{"kind", "text"}` lines, all legit; a `{"_comment"}` line is skipped. */
export function parseJaLegitSeed(text: string, source = 'ja-legit-seed'): ParsedFile {
  return parseHandWritten(text, source, 'legit');
}

/** Every hand-written file, parsed (they are committed: no ../shared needed). */
export function loadHandWritten(): ParsedFile[] {
  return Object.entries(HAND_WRITTEN).map(([name, f]) =>
    parseHandWritten(readFileSync(f.url, 'utf8'), name, f.label),
  );
}

/** Loads the SMS sources and the hand-written files, deduplicated and split (needs ../shared/data). */
export function loadMessageDataset(): SplitDataset {
  const { sms } = loadSharedData();
  return prepareDataset([...sms, ...loadHandWritten()], { seed: MESSAGE_SEED });
}

/** TRAIN rows split again: `fit` trains the weights, `calibration` fits the calibration. */
export function calibrationSplit(train: readonly LabelledRow[]): {
  fit: LabelledRow[];
  calibration: LabelledRow[];
} {
  const fit: LabelledRow[] = [];
  const calibration: LabelledRow[] = [];
  for (const row of train) {
    const side = hashUnit(`calibration\0${normaliseForDedup(row.text)}`, MESSAGE_SEED) < CALIBRATION_FRACTION;
    (side ? calibration : fit).push(row);
  }
  return { fit, calibration };
}

/** Feature options of the message model: character n-grams and Latin words, `unit` hash. */
export const MESSAGE_FEATURES = { dimension: MESSAGE_DIMENSION, latinWords: true, hash: 'unit' } as const;

/** Features of an already normalised text, as a sparse map (training, evidence). */
export function normalisedFeatures(normalised: string): SparseFeatures {
  const { indices, length } = featureIndices(normalised, MESSAGE_FEATURES);
  const out: SparseFeatures = new Map();
  for (let k = 0; k < length; k++) {
    const i = indices[k] as number;
    out.set(i, (out.get(i) ?? 0) + 1);
  }
  return out;
}

/** Normalise then hash: the one feature path for training, evaluation and scoring. */
export function messageFeatures(text: string): SparseFeatures {
  return normalisedFeatures(normaliseText(text).text);
}

/** Raw log-odds of an already normalised text: no map, no allocation (the detector's path). */
export function messageScore(model: LogisticModel, normalised: string): number {
  const { indices, length } = featureIndices(normalised, MESSAGE_FEATURES);
  return model.scoreIndices(indices, length);
}

/** The committed model and its Platt calibration (from `meta.calibrationA/B`; identity when absent). */
export interface MessageModel {
  readonly model: LogisticModel;
  readonly platt: Platt;
}

/** Reads and checks `models/message-lure.json` (throws ModelFormatError on a bad file). */
export function loadMessageModel(url: URL = MESSAGE_MODEL_URL): MessageModel {
  const model = LogisticModel.fromJSON(JSON.parse(readFileSync(url, 'utf8')), {
    dimension: MESSAGE_DIMENSION,
  });
  const a = model.meta?.calibrationA;
  const b = model.meta?.calibrationB;
  const platt = typeof a === 'number' && typeof b === 'number' ? { a, b } : IDENTITY_PLATT;
  return { model, platt };
}

/** Calibrated probability of fraud of an already normalised text. */
export function messageProbability(m: MessageModel, normalised: string): number {
  return calibrate(m.platt, messageScore(m.model, normalised));
}
