/**
 * SimHash of a text, for the campaign check MESSAGE_CAMPAIGN (issue 9, build item 2; measures I1, I3, P7):
 * near-identical texts get fingerprints a few bits apart, so the copies of one lure sent from many
 * numbers are found in the message table by four 16-bit bands (by the pigeonhole principle, two
 * fingerprints within Hamming distance 3 agree on at least one of the four bands) and then compared
 * bit by bit.
 *
 * Charikar's SimHash (2002) over character 3-shingles of the NORMALISED text (`normaliseText`): its
 * placeholders (`<URL>`, `<AMOUNT>`, `<CODE>` …) make "the same text with another URL, amount or code"
 * one text, which is exactly how a campaign varies from copy to copy; spaces, punctuation, symbols and
 * emoji are skipped and digits fold to 0, so decoration changed between copies does not count either.
 * Character shingles need no word dictionary (Japanese has no spaces). Every shingle weighs 1; bit i of
 * the fingerprint is 1 when more than half of the shingles' 64-bit hashes have bit i set.
 *
 * How close is "near-identical": SimHash estimates the angle between the texts' shingle sets (bit
 * disagreement ≈ angle / π), so one changed character in a 60-character SMS already moves it by ~6 bits
 * on average. Exact band lookup finds every pair within 3 bits and most within 5 or 6; see
 * `docs/message.md` (MESSAGE_CAMPAIGN) for the measured distances.
 *
 * Written here: no maintained npm package computes a 64-bit SimHash without BigInt (the ones published
 * are unmaintained, hash with MD5 or SHA per token, or return strings), and the whole thing is a few
 * lines of `Math.imul`. The fingerprint is two unsigned 32-bit halves (no BigInt); the majority vote is
 * counted in bit-sliced counters (one 32-bit word per counter bit and half, a ripple carry per shingle),
 * so a shingle costs a few word operations instead of 64 additions: about 1 µs for an SMS.
 *
 * Deterministic: the same text gives the same fingerprint on every platform and release (the hash is
 * fixed below; changing it would make the stored fingerprints of `message_messages` incomparable).
 */

/** A 64-bit SimHash as two unsigned 32-bit halves, and how many shingles voted. */
export interface SimHash {
  readonly hi: number;
  readonly lo: number;
  /** Number of shingles hashed (0 for an empty text): a fingerprint of few shingles says little. */
  readonly shingles: number;
}

/** Shingle length in UTF-16 code units. */
export const SHINGLE_LENGTH = 3;

/** The band count and width used for candidate lookup: 4 × 16 bits. */
export const SIMHASH_BANDS = 4;

// Bit-sliced counters: planes[p] holds bit p of each of the 32 counters of the high half,
// planes[PLANES + p] those of the low half. 2^28 shingles is far more than any text screened (100 KB).
const PLANES = 28;
const planes = new Int32Array(PLANES * 2);

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const SEED = 0x9747b28c;

/** Murmur3's 32-bit finaliser: every input bit flips about half of the output bits. */
function fmix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One Murmur3 block step on a 16-bit unit. */
function step(h: number, unit: number): number {
  let k = Math.imul(unit, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  const x = h ^ k;
  return (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
}

/** Adds one 32-bit word to the bit-sliced counters starting at `base`: a ripple carry, 2 planes on average. */
function addWord(base: number, word: number): number {
  let carry = word;
  let p = 0;
  while (carry !== 0) {
    const at = base + p;
    const plane = planes[at] as number;
    planes[at] = plane ^ carry;
    carry &= plane;
    p++;
  }
  return p;
}

/** The 32 bits whose counter (in the planes from `base`, `used` of them) exceeds half of `n`. */
function majority(base: number, used: number, n: number): number {
  let out = 0;
  for (let bit = 0; bit < 32; bit++) {
    let count = 0;
    for (let p = 0; p < used; p++) count |= ((planes[base + p]! >>> bit) & 1) << p;
    if (count * 2 > n) out |= 1 << bit;
  }
  return out >>> 0;
}

/**
 * The code unit a shingle sees for `c`, or -1 to skip it: spaces, punctuation, symbols, emoji and
 * other astral characters, variation selectors and private-use characters are skipped, digits fold
 * to `0`. Lures vary their decoration (【】, ★, !!, spacing, "残り2日" / "残り3日") from copy to copy;
 * the words stay. Measured on the Japanese smishing and UCI sets (`simhash.test.ts`): skipping them
 * brings variants of one lure closer without bringing unrelated texts within the threshold.
 */
function unitOf(c: number): number {
  if (c < 0x80) {
    if (c >= 0x61 ? c <= 0x7a : c >= 0x41 ? c <= 0x5a : false) return c;
    return c >= 0x30 && c <= 0x39 ? 0x30 : -1;
  }
  if (c < 0xc0) return -1;
  if (c >= 0x2000 && c <= 0x2bff) return -1;
  if (c >= 0x3000 && c <= 0x303f) return c >= 0x3005 && c <= 0x3007 ? c : -1;
  if (c === 0x30fb) return -1;
  if (c >= 0xd800 && c <= 0xf8ff) return -1;
  if (c >= 0xfe00 && c <= 0xfe6f) return -1;
  if (c >= 0xff00) {
    if (c >= 0xff10 && c <= 0xff19) return 0x30;
    if ((c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a) || (c >= 0xff66 && c <= 0xffdc))
      return c;
    return -1;
  }
  return c;
}

/**
 * The 64-bit SimHash of `text` (give it the normalised text: `normaliseText(raw).text`) over
 * character 3-shingles of its words: spaces, punctuation, symbols and emoji are skipped and digits
 * fold to `0` first (see {@link unitOf}); a text with fewer than 3 such characters is one shingle.
 * Never throws; linear in the text's length, no allocation but the answer.
 *
 * @example hammingDistance(simhash('【重要】お荷物の配達 <URL>'), simhash('重要!! お荷物の配達 <URL>')) // 0
 */
export function simhash(text: string): SimHash {
  planes.fill(0);
  let a = -1;
  let b = -1;
  let n = 0;
  let usedHi = 0;
  let usedLo = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = unitOf(text.charCodeAt(i));
    if (c < 0) continue;
    if (a >= 0) {
      const h = step(step(step(SEED, a), b), c);
      const pHi = addWord(0, fmix32(h));
      const pLo = addWord(PLANES, fmix32((h + 0x9e3779b9) | 0));
      if (pHi > usedHi) usedHi = pHi;
      if (pLo > usedLo) usedLo = pLo;
      n++;
    }
    a = b;
    b = c;
  }
  if (n === 0) {
    // Fewer than 3 characters kept: the one shingle is what there is (none at all: the zero fingerprint).
    if (b < 0) return { hi: 0, lo: 0, shingles: 0 };
    const h = step(a < 0 ? SEED : step(SEED, a), b);
    return { hi: fmix32(h), lo: fmix32((h + 0x9e3779b9) | 0), shingles: 1 };
  }
  return { hi: majority(0, usedHi, n), lo: majority(PLANES, usedLo, n), shingles: n };
}

/** Number of differing bits between two fingerprints (0–64). */
export function hammingDistance(a: Pick<SimHash, 'hi' | 'lo'>, b: Pick<SimHash, 'hi' | 'lo'>): number {
  return popcount32((a.hi ^ b.hi) >>> 0) + popcount32((a.lo ^ b.lo) >>> 0);
}

function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * The four 16-bit bands a fingerprint is looked up by, high bits first: two fingerprints within
 * Hamming distance 3 share at least one.
 */
export function simhashBands(h: Pick<SimHash, 'hi' | 'lo'>): [number, number, number, number] {
  return [h.hi >>> 16, h.hi & 0xffff, h.lo >>> 16, h.lo & 0xffff];
}

/** The fingerprint as 16 lower-case hex digits (as `message_messages.simhash` stores it). */
export function simhashHex(h: Pick<SimHash, 'hi' | 'lo'>): string {
  return (h.hi >>> 0).toString(16).padStart(8, '0') + (h.lo >>> 0).toString(16).padStart(8, '0');
}

/** A fingerprint back from its 16 hex digits; undefined for anything else. */
export function parseSimhashHex(hex: string): Pick<SimHash, 'hi' | 'lo'> | undefined {
  if (!/^[0-9a-f]{16}$/i.test(hex)) return undefined;
  return { hi: Number.parseInt(hex.slice(0, 8), 16), lo: Number.parseInt(hex.slice(8), 16) };
}
