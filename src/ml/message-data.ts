/**
 * The message lure model's data and feature pipeline, shared by `npm run train`
 * (train-message.ts) and `npm run eval` (eval-message.ts) so both see the same
 * split and the same features (issue 9, item 1; measures I1, I3, P7).
 *
 * Sources: the UCI SMS Spam Collection (English, ham and spam) and the
 * SpamHunter Japanese smishing texts (fraud only) from `../shared/data/sms`,
 * plus `data/ja-legit-seed.jsonl`: ~60 Japanese LEGITIMATE messages written by
 * hand for this project (OTP codes, delivery, bank, appointments, chat,
 * notices). They are a stand-in: no Japanese legitimate set exists in the
 * shared data, and a model trained on Japanese fraud alone would learn
 * "Japanese script means fraud". Japanese metrics on them are indicative only.
 * The seed has no dates, so it is split by the seeded hash in
 * {@link prepareDataset}: a fixed split for a fixed seed.
 */
import { readFileSync } from 'node:fs';
import {
  jsonLines,
  type LabelledRow,
  loadSharedData,
  type ParsedFile,
  prepareDataset,
  type RejectedLine,
  type SplitDataset,
} from './dataset.ts';
import { extractFeatures, type SparseFeatures } from './features.ts';
import { normaliseText } from './normalise-text.ts';

/** Feature dimension of the message model: 2^16 keeps the committed file small. */
export const MESSAGE_DIMENSION = 1 << 16;
/** Seed of the split and of training. */
export const MESSAGE_SEED = 9;
export const MESSAGE_MODEL_URL = new URL('./models/message-lure.json', import.meta.url);
export const JA_LEGIT_SEED_URL = new URL('./data/ja-legit-seed.jsonl', import.meta.url);

/** Which language a source's texts are in, for per-language metrics. */
export const SOURCE_LANGUAGE: Readonly<Record<string, 'en' | 'ja'>> = {
  'uci-sms': 'en',
  'ja-smishing': 'ja',
  'ja-legit-seed': 'ja',
};

/** The hand-written seed: `{"kind", "text"}` lines, all legit; a `{"_comment"}` line is skipped. */
export function parseJaLegitSeed(text: string, source = 'ja-legit-seed'): ParsedFile {
  const rows: LabelledRow[] = [];
  const rejected: RejectedLine[] = [];
  jsonLines(text, source, rejected, (o, line) => {
    if ('_comment' in o) return;
    if (typeof o.text !== 'string' || o.text.trim() === '') {
      rejected.push({ source, line, reason: 'text is not a non-empty string' });
      return;
    }
    rows.push({ text: o.text, label: 'legit', source, line });
  });
  return { rows, rejected };
}

/** Loads the SMS sources and the seed, deduplicated and split (needs ../shared/data). */
export function loadMessageDataset(): SplitDataset {
  const { sms } = loadSharedData();
  const seed = parseJaLegitSeed(readFileSync(JA_LEGIT_SEED_URL, 'utf8'));
  return prepareDataset([...sms, seed], { seed: MESSAGE_SEED });
}

/** Normalise then hash: the one feature path for training, evaluation and scoring. */
export function messageFeatures(text: string): SparseFeatures {
  return extractFeatures(normaliseText(text).text, { dimension: MESSAGE_DIMENSION });
}
