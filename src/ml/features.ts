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
const NS_BIGRAM = fnv1a32('b:');

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

/** Class of a code point for the n-gram scanner; computed once per code point, then cached. */
const CLASS_UNKNOWN = 0;
const CLASS_JA = 1;
const CLASS_WORD = 2;
const CLASS_SPACE = 3;
const CLASS_SYMBOL = 4;
const classCache = new Uint8Array(0x110000);

function classOf(cp: number): number {
  const c = classCache[cp] as number;
  if (c !== CLASS_UNKNOWN) return c;
  const ch = String.fromCodePoint(cp);
  const k =
    cp === 0x20
      ? CLASS_SPACE
      : JA_CHAR.test(ch)
        ? CLASS_JA
        : WORD_CHAR.test(ch) && cp > 0x20
          ? CLASS_WORD
          : CLASS_SYMBOL;
  classCache[cp] = k;
  return k;
}

/** Reused buffers: the scanner allocates nothing per call once they have grown to the longest text. */
let run = new Int32Array(256);
let found = new Int32Array(1024);
let foundLength = 0;

/** Set only by {@link labelledFeatures}: the readable text of each emitted feature, in order. */
let labels: string[] | null = null;
/** When set, only these indices get their text (the others an empty label): evidence wants a few. */
let wantedLabels: ReadonlySet<number> | null = null;

/** Whether the feature just emitted gets its text. */
function wantLabel(): boolean {
  return wantedLabels === null || wantedLabels.has(found[foundLength - 1] as number);
}
let previousWordLabel = '';

function runText(from: number, to: number): string {
  let t = '';
  for (let k = from; k < to; k++) t += String.fromCodePoint(run[k] as number);
  return t;
}

function emit(hash: number, mask: number): void {
  if (foundLength === found.length) {
    const bigger = new Int32Array(found.length * 2);
    bigger.set(found);
    found = bigger;
  }
  found[foundLength++] = (hash >>> 0) & mask;
}

function pushRun(length: number, cp: number): void {
  if (length === run.length) {
    const bigger = new Int32Array(run.length * 2);
    bigger.set(run);
    run = bigger;
  }
  run[length] = cp;
}

/** n-grams of lengths min..max over run[from, to), hashed incrementally from each start. */
function emitNgrams(from: number, to: number, min: number, max: number, ns: number, mask: number): void {
  for (let start = from; start < to; start++) {
    let h = ns;
    const last = Math.min(to, start + max);
    for (let k = start; k < last; k++) {
      h = fnvStep(h, run[k] as number);
      if (k - start + 1 >= min) {
        emit(h, mask);
        if (labels !== null) labels.push(wantLabel() ? runText(start, k + 1) : '');
      }
    }
  }
}

/**
 * The same n-grams with the `unit` hash: one multiply per code point (FNV-1a over whole 32-bit
 * units rather than their four bytes), then murmur3's 32-bit finaliser so the low bits that the
 * mask keeps depend on every unit. About 3× cheaper than byte-wise FNV-1a.
 */
function emitNgramsUnit(from: number, to: number, min: number, max: number, ns: number, mask: number): void {
  for (let start = from; start < to; start++) {
    let h = ns;
    const last = Math.min(to, start + max);
    for (let k = start; k < last; k++) {
      h = Math.imul(h ^ (run[k] as number), FNV_PRIME);
      if (k - start + 1 >= min) {
        emit(fmix32(h), mask);
        if (labels !== null) labels.push(wantLabel() ? runText(start, k + 1) : '');
      }
    }
  }
}

/** murmur3's 32-bit finaliser (avalanche). */
export function fmix32(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Word unigram and bigram hashes of a Latin run (`latinWords`); `previous` is the last word's hash. */
function emitWord(from: number, to: number, previous: number, mask: number): number {
  let h = NS_WORD;
  for (let k = from; k < to; k++) h = Math.imul(h ^ (run[k] as number), FNV_PRIME);
  h = fmix32(h) | 1; // never 0: 0 means "no previous word"
  emit(h, mask);
  const word = labels === null ? '' : runText(from, to);
  if (labels !== null) labels.push(word);
  if (previous !== 0) {
    emit(fmix32(Math.imul(previous ^ NS_BIGRAM, FNV_PRIME) ^ h), mask);
    if (labels !== null) labels.push(`${previousWordLabel} ${word}`);
  }
  previousWordLabel = word;
  return h;
}

const PLACEHOLDER_LIST = Object.values(PLACEHOLDER_TOKENS);
const PLACEHOLDER_HASHES = PLACEHOLDER_LIST.map((t) => fnv1a32(t, NS_PLACEHOLDER));

function placeholderAt(text: string, i: number): number {
  for (let k = 0; k < PLACEHOLDER_LIST.length; k++) {
    if (text.startsWith(PLACEHOLDER_LIST[k] as string, i)) return k;
  }
  return -1;
}

/** Options of {@link featureIndices}. */
export interface IndexOptions {
  readonly dimension?: number;
  /**
   * Also each whole Latin word (a run of letters and digits outside Japanese script) and each pair
   * of consecutive Latin words (default false). A few hashes per word, no segmenter.
   */
  readonly latinWords?: boolean;
  /**
   * `fnv1a` (default): byte-wise FNV-1a, the hashes {@link extractFeatures} gives; `unit`: one
   * multiply per code point plus a finaliser ({@link fmix32}), for models trained with it (the
   * message lure model). A model must be scored with the hash it was trained with.
   */
  readonly hash?: 'fnv1a' | 'unit';
}

/** Feature indices of a text: `indices[0, length)`, a feature repeated once per occurrence. */
export interface FeatureIndices {
  /** A buffer reused by the next call: read it (or copy it) before calling again. */
  readonly indices: Int32Array;
  readonly length: number;
}

/**
 * The character n-gram and placeholder features of a normalised text as bucket indices, in one
 * pass over its UTF-16 code units, with no substring or per-feature allocation (issue 9 item 2: the
 * model's ~1 µs budget per SMS). `extractFeatures(text, { words: false })` counts exactly these
 * indices (a test checks it on arbitrary Unicode). The returned buffer is reused by the next call.
 */
/** Scanner state, module-level so that a call allocates no closure (one scan runs at a time: JS is single-threaded). */
let scanMask = 0;
let scanWords = false;
let scanNgrams = emitNgrams;
let runLength = 0;
let runIsJa = false;
let previousWord = 0;

function flushRun(): void {
  if (runLength === 0) return;
  if (runIsJa) {
    scanNgrams(0, runLength, 1, 3, NS_JA, scanMask);
    previousWord = 0;
  } else {
    if (scanWords) previousWord = emitWord(1, runLength, previousWord, scanMask);
    pushRun(runLength, 0x20);
    scanNgrams(0, runLength + 1, 2, 4, NS_LATIN, scanMask);
  }
  runLength = 0;
}

export function featureIndices(normalised: string, options: IndexOptions = {}): FeatureIndices {
  const mask = checkDimension(options.dimension ?? DEFAULT_DIMENSION);
  scanMask = mask;
  scanWords = options.latinWords === true;
  scanNgrams = options.hash === 'unit' ? emitNgramsUnit : emitNgrams;
  foundLength = 0;
  runLength = 0;
  runIsJa = false;
  previousWord = 0;
  const n = normalised.length;
  for (let i = 0; i < n; i++) {
    let cp = normalised.charCodeAt(i);
    if (cp === 0x3c /* < */) {
      const k = placeholderAt(normalised, i);
      if (k >= 0) {
        flushRun();
        previousWord = 0;
        emit(PLACEHOLDER_HASHES[k] as number, mask);
        if (labels !== null) labels.push(PLACEHOLDER_LIST[k] as string);
        i += (PLACEHOLDER_LIST[k] as string).length - 1;
        continue;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const low = normalised.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    const c = classOf(cp);
    if (c === CLASS_JA || c === CLASS_WORD) {
      const isJa = c === CLASS_JA;
      if (runLength > 0 && isJa !== runIsJa) flushRun();
      if (runLength === 0 && !isJa) {
        pushRun(0, 0x20); // the leading pad of a Latin run
        runLength = 1;
      }
      runIsJa = isJa;
      pushRun(runLength, cp);
      runLength++;
    } else {
      flushRun();
      if (c === CLASS_SYMBOL) {
        emit(fnvStep(NS_SYMBOL, cp), mask);
        if (labels !== null) labels.push(String.fromCodePoint(cp));
        if (scanWords) previousWord = 0;
      }
    }
  }
  flushRun();
  return { indices: found, length: foundLength };
}

/** One feature with the text it stands for (Latin n-grams keep their padding spaces). */
export interface LabelledFeature {
  readonly index: number;
  readonly text: string;
}

/**
 * The features of {@link featureIndices} with their readable text, for evidence: the slow path,
 * run only for a message that hits, never for every message. With `wanted`, only those indices'
 * n-grams are spelt out (the rest have empty text): building a string per n-gram is most of the cost.
 */
export function labelledFeatures(
  normalised: string,
  options: IndexOptions = {},
  wanted?: ReadonlySet<number>,
): LabelledFeature[] {
  labels = [];
  wantedLabels = wanted ?? null;
  try {
    const { indices, length } = featureIndices(normalised, options);
    const out: LabelledFeature[] = [];
    for (let k = 0; k < length; k++) out.push({ index: indices[k] as number, text: labels[k] ?? '' });
    return out;
  } finally {
    labels = null;
    wantedLabels = null;
  }
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
  const { indices, length } = featureIndices(normalised, { dimension: mask + 1 });
  for (let k = 0; k < length; k++) add(out, indices[k] as number, mask);
  if (options.words !== false) {
    const parts = normalised.split(PLACEHOLDER_SPLIT);
    for (let i = 0; i < parts.length; i += 2) {
      const part = parts[i] ?? '';
      if (part.length > 0) wordFeatures(part, out, mask);
    }
  }
  return out;
}
