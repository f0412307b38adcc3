/**
 * Hashed text features for the lure model (issue 9, build item 1; measures I1, I3, P7).
 *
 * Works without a word dictionary, as the issue asks: from the text {@link normaliseText} returns,
 * - character n-grams: 1–3 code points inside runs of Japanese script (hiragana, katakana, kanji: a
 *   kanji or a kana pair already carries meaning), 2–4 inside runs of other letters and digits
 *   (Latin words, padded with a space at each end so prefixes and suffixes count), and each other
 *   non-space symbol (emoji, 【】, !) as a unigram;
 * - word tokens from `Intl.Segmenter` (granularity `word`, locale `ja` when the text holds Japanese
 *   script, else `en`), only the word-like segments;
 * - one feature per placeholder (`<URL>`, `<PHONE>` …).
 * Each feature is hashed into a fixed dimension (the hashing trick), so the model needs no vocabulary
 * file and unseen words cost nothing.
 *
 * Hash: FNV-1a 32-bit, written here: a few lines with `Math.imul`, no dependency, and it can be fed one
 * code point at a time, so n-grams are hashed incrementally without building a substring for each
 * (that keeps 100 KB of text well inside the time budget). Murmur3 mixes better, but with a 2^18
 * dimension the collisions come from the dimension, not from the hash; FNV-1a is the hash Vowpal
 * Wabbit-style hashing tricks commonly use for short keys. Code points are fed as one 32-bit unit each
 * (not UTF-8 bytes): same result on every platform, and the model files only need to agree with this
 * function.
 */

import { PLACEHOLDER_TOKENS } from './normalise-text.ts';

/** Default feature dimension: 2^18 buckets (a 1 MB float32 weight vector at most, far less sparse). */
export const DEFAULT_DIMENSION = 1 << 18;

export interface FeatureOptions {
  /** Number of hash buckets; a power of two between 2^4 and 2^26. */
  readonly dimension?: number;
  /**
   * Word tokens from `Intl.Segmenter` (default true). They cost about 9 µs of the ~15 µs a short
   * message takes here (measured on the dev machine), so a caller chasing throughput can turn them off
   * and keep the character n-grams, which already cover Japanese without a dictionary.
   */
  readonly words?: boolean;
}

/** Sparse feature vector: bucket index → count. */
export type SparseFeatures = Map<number, number>;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvStep(hash: number, unit: number): number {
  // One code point as four bytes, low byte first: FNV-1a proper over a 32-bit unit.
  let h = hash;
  h = Math.imul(h ^ (unit & 0xff), FNV_PRIME);
  h = Math.imul(h ^ ((unit >>> 8) & 0xff), FNV_PRIME);
  h = Math.imul(h ^ ((unit >>> 16) & 0xff), FNV_PRIME);
  h = Math.imul(h ^ (unit >>> 24), FNV_PRIME);
  return h;
}

/**
 * FNV-1a 32-bit of a string's code points (each fed as a 32-bit little-endian unit), unsigned.
 * @example fnv1a32('') === 0x811c9dc5
 */
export function fnv1a32(text: string, seed: number = FNV_OFFSET): number {
  let h = seed;
  for (const ch of text) h = fnvStep(h, ch.codePointAt(0) ?? 0);
  return h >>> 0;
}

// Namespaces keep a character trigram "abc" apart from the word "abc".
const NS_JA = fnv1a32('j:');
const NS_LATIN = fnv1a32('c:');
const NS_SYMBOL = fnv1a32('s:');
const NS_WORD = fnv1a32('w:');
const NS_PLACEHOLDER = fnv1a32('p:');

const JA_CHAR = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}\u30FC\u3005\u3006\u301C]/u;
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
const HAS_JA = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;
const PLACEHOLDER_SPLIT = new RegExp(`(${Object.values(PLACEHOLDER_TOKENS).join('|')})`, 'u');

const segmenters = {
  ja: new Intl.Segmenter('ja', { granularity: 'word' }),
  en: new Intl.Segmenter('en', { granularity: 'word' }),
} as const;

function checkDimension(dimension: number): number {
  if (
    !Number.isInteger(dimension) ||
    dimension < 16 ||
    dimension > 1 << 26 ||
    (dimension & (dimension - 1)) !== 0
  ) {
    throw new RangeError(`feature dimension must be a power of two between 16 and 2^26, got ${dimension}`);
  }
  return dimension - 1;
}

function add(features: SparseFeatures, hash: number, mask: number): void {
  const i = (hash >>> 0) & mask;
  features.set(i, (features.get(i) ?? 0) + 1);
}

/** Emits n-grams of lengths min..max over `units`, hashed incrementally from each start. */
function ngrams(
  units: readonly number[],
  min: number,
  max: number,
  ns: number,
  out: SparseFeatures,
  mask: number,
) {
  for (let start = 0; start < units.length; start++) {
    let h = ns;
    for (let n = 1; n <= max && start + n <= units.length; n++) {
      h = fnvStep(h, units[start + n - 1] ?? 0);
      if (n >= min) add(out, h, mask);
    }
  }
}

function charFeatures(text: string, out: SparseFeatures, mask: number): void {
  let run: number[] = [];
  let runIsJa = false;
  const flush = () => {
    if (run.length === 0) return;
    if (runIsJa) ngrams(run, 1, 3, NS_JA, out, mask);
    else ngrams([0x20, ...run, 0x20], 2, 4, NS_LATIN, out, mask);
    run = [];
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const isJa = JA_CHAR.test(ch);
    if (isJa || (WORD_CHAR.test(ch) && cp > 0x20)) {
      if (run.length > 0 && isJa !== runIsJa) flush();
      runIsJa = isJa;
      run.push(cp);
    } else {
      flush();
      if (ch !== ' ') add(out, fnvStep(NS_SYMBOL, cp), mask);
    }
  }
  flush();
}

function wordFeatures(text: string, out: SparseFeatures, mask: number): void {
  const segmenter = HAS_JA.test(text) ? segmenters.ja : segmenters.en;
  for (const s of segmenter.segment(text)) {
    if (s.isWordLike === true) add(out, fnv1a32(s.segment, NS_WORD), mask);
  }
}

/**
 * Features of a normalised text (the `text` of {@link normaliseText}), hashed into `dimension` buckets.
 *
 * @example
 * extractFeatures(normaliseText('アカウントを確認 <URL>').text) // Map { 81234 => 1, … }
 */
export function extractFeatures(normalised: string, options: FeatureOptions = {}): SparseFeatures {
  const mask = checkDimension(options.dimension ?? DEFAULT_DIMENSION);
  const out: SparseFeatures = new Map();
  const parts = normalised.split(PLACEHOLDER_SPLIT);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i % 2 === 1) {
      add(out, fnv1a32(part, NS_PLACEHOLDER), mask);
    } else if (part.length > 0) {
      charFeatures(part, out, mask);
      if (options.words !== false) wordFeatures(part, out, mask);
    }
  }
  return out;
}
