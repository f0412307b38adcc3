import { LATIN_LOOKALIKES } from '../intel/homoglyphs.ts';
/**
 * Text normalisation for Japanese and English lures (issue 9, build item 1; measures I1, I3, P7).
 *
 * SMS, DMs and posts (I1 smishing, I3 nuisance SMS, P7 闇バイト recruitment posts) are written to dodge
 * filters: full-width letters, Cyrillic look-alikes, zero-width marks, "p a y p a l" spelled out, URLs
 * defanged as `hxxps://example[.]com`. {@link normaliseText} folds these into one canonical text for the
 * features ({@link ../features.ts}) and the model, and replaces URLs, e-mail addresses, phone numbers,
 * amounts and one-time codes with placeholders (`<URL>`, `<EMAIL>`, `<PHONE>`, `<AMOUNT>`, `<CODE>`),
 * keeping the list of what it replaced so that detectors can check the URLs and numbers themselves.
 *
 * Steps, in order (each is documented where it is written):
 * 1. zero-width, bidi and control characters removed;
 * 2. NFKC (full-width ASCII → ASCII, half-width katakana → full-width, ① → 1);
 * 3. dash-like characters between digits (ー − ‐ –) → `-`, so 090ー1234ー5678 reads as a phone number;
 * 4. spacing inserted by OCR or obfuscation removed (between Japanese characters; runs of ≥ 3 single
 *    letters or digits), other whitespace collapsed to one space;
 * 5. placeholders — found before any case or homoglyph folding, so the list keeps the URL as written
 *    (a look-alike `pаypal.com` with a Cyrillic а stays visible to the look-alike detector);
 * 6. outside placeholders: lower-case, homoglyphs folded to Latin, katakana folded to hiragana.
 *
 * Idempotent: `normaliseText(normaliseText(x).text).text === normaliseText(x).text`. A literal `<URL>`
 * already in the input is kept as a placeholder (that is what makes the function idempotent).
 *
 * Written here rather than taken from a library: no npm package does Japanese + homoglyph +
 * placeholder normalisation together, and each step is a few lines of standard `String` / `RegExp`.
 */

/** The placeholder kinds, in the priority in which they are matched. */
export const PLACEHOLDER_KINDS = ['email', 'url', 'phone', 'amount', 'code'] as const;
export type PlaceholderKind = (typeof PLACEHOLDER_KINDS)[number];

/** The token that stands for each kind in the normalised text. */
export const PLACEHOLDER_TOKENS = {
  email: '<EMAIL>',
  url: '<URL>',
  phone: '<PHONE>',
  amount: '<AMOUNT>',
  code: '<CODE>',
} as const satisfies Record<PlaceholderKind, string>;

/** One thing the normaliser replaced by a placeholder. */
export interface Replacement {
  readonly kind: PlaceholderKind;
  /** The text as it stood after steps 1–4 (case and homoglyphs untouched). */
  readonly text: string;
  /**
   * A usable value: URLs refanged (`hxxp` → `http`, `[.]` → `.`) and given `http://` when bare;
   * phone numbers with only their digits (`+` kept); amounts without spaces or commas, unit kept
   * (`10万円`, `¥1000`); codes as written; e-mail lower-cased.
   */
  readonly value: string;
}

export interface NormalisedText {
  /** Canonical text for features: folded, lower-case, single-spaced, with placeholders. */
  readonly text: string;
  /** What was replaced, in the order it appears. */
  readonly replacements: readonly Replacement[];
}

// Step 1. Zero-width (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, Mongolian vowel separator,
// invisible operators), bidi marks and overrides (LRM, RLM, ALM, LRE…RLO, LRI…PDI), variation
// selectors, and C0/C1 controls other than tab and line breaks (those become spaces in step 4).
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: each code point is removed on its own (U+034F is meant to go too)
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB\u{E0000}-\u{E0FFF}]|[^\P{Cc}\t\n\r]/gu;

// Step 3. Dashes people (and lure kits) put between the groups of a phone number. ー is the katakana
// long-vowel mark, typed by Japanese IMEs in place of a hyphen.
const DIGIT_DASH = /(?<=\d)[\u2010-\u2015\u2212\u30FC\uFF70\uFE58\uFE63\u2E3A\u2E3B]+(?=\d)/gu;

// Step 4. Japanese text has no spaces between words, so whitespace between two Japanese characters was
// inserted (OCR line breaks, "ア カ ウ ン ト"). ー, 々, 〆, 〜 are Script=Common but part of words.
const JA = '\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Han}\u30FC\u3005\u3006\u301C';
const SPACE_BETWEEN_JA = new RegExp(`(?<=[${JA}])\\s+(?=[${JA}])`, 'gu');
// Three or more single letters or digits separated by short whitespace: "p a y p a l", "1 2 3 4".
// Two ("a I") are left: too common in ordinary English.
// Japanese characters are left to SPACE_BETWEEN_JA, so "へ 0 9 0" keeps its space before the digits.
const SPACED_SINGLES =
  /(?<![\p{L}\p{N}\p{M}])[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}](?:\s{1,3}[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}](?![\p{L}\p{N}\p{M}])){2,}/gu;
const WHITESPACE = /\s+/gu;

// Step 5. Placeholders. One regex with one named group per kind, in priority order, so the text is
// scanned once, left to right (linear time; each alternative is anchored by a literal or a bounded
// repetition, so no catastrophic backtracking on 100 KB inputs).
const LABEL =
  '[\\p{Script=Latin}\\p{Script=Cyrillic}\\p{Script=Greek}\\d](?:[\\p{Script=Latin}\\p{Script=Cyrillic}\\p{Script=Greek}\\p{M}\\d-]{0,62})';
// Defanged dots seen in shared lure reports and in lures themselves: [.] (.) {.} [dot] (dot).
const DOT = '(?:\\.|\\[\\.\\]|\\(\\.\\)|\\{\\.\\}|\\[dot\\]|\\(dot\\))';
// A bare domain must end in a TLD from this list: without a scheme, "e.g." or "No.1" must not be a URL.
// The list holds the generic TLDs and the ones common in Japanese and English smishing reports.
const TLDS =
  'com|net|org|info|biz|jp|co|io|me|ly|cc|tv|ws|app|dev|xyz|top|site|online|shop|store|club|vip|icu|link|live|life|tech|asia|fun|buzz|cyou|monster|work|click|win|today|cn|ru|uk|us|de|fr|tk|ml|ga|cf|gq|pw|su|in|kr|tw|hk|sg|ph|vn|th|id|my|au|ca|br|mx|page|cloud|email|support|services|help|gov|edu|mobi|name|pro|one|bond|sbs|cfd|lol|rest|quest';
// A URL ends at whitespace, quotes, brackets or Japanese script: lures run the URL straight into the
// next sentence (https://x.example/aこちらから), and Japanese paths are rare enough to give up.
const URL_CHAR = `[^\\s<>"'\`「」『』【】（）、。${JA}]`;
const PATH = `(?:[/?#:]${URL_CHAR}*)?`;
// The colon may be dropped or spaced out (`http //`, `https: //`), as lure kits write to dodge link filters.
const URL_SCHEME = `(?:h(?:tt|xx|\\*\\*)ps?|ftp)(?::|\\[:\\]| {0,2}: {0,2}| {1,2})/ ?/${URL_CHAR}+`;
// Labels are counted ({1,16}): unbounded, a 100 KB run of defanged dots backtracked for seconds.
const URL_WWW = `www${DOT}${LABEL}(?:${DOT}${LABEL}){1,16}${PATH}`;
// Combining marks count: 'İ' lower-cases to 'i' + U+0307, which must still bound a placeholder.
const LATINISH = '\\p{Script=Latin}\\p{Script=Cyrillic}\\p{Script=Greek}\\d\\p{M}';
const URL_BARE = `(?<![${LATINISH}@.-])${LABEL}(?:${DOT}${LABEL}){0,16}${DOT}(?:${TLDS})(?![${LATINISH}-])${PATH}`;
// The local part takes Cyrillic and Greek look-alikes too, as the folded text would read them as Latin.
const EMAIL = `(?<![\\p{L}\\p{N}\\p{M}._%+-])[\\p{Script=Latin}\\p{Script=Cyrillic}\\p{Script=Greek}\\p{M}\\d._%+-]{1,64}@${LABEL}(?:\\.${LABEL}){1,16}`;
// Phone numbers: Japanese mobile and IP (0X0-XXXX-XXXX), toll-free and navi-dial (0120, 0800, 0570),
// landlines (separators required, else a 10-digit run), +81 and other international forms.
const SEP = '[- ]?';
const PHONE = [
  `\\+81${SEP}(?:\\(0\\))?\\d{1,4}${SEP}\\d{1,4}${SEP}\\d{4}`,
  `\\+[1-9]\\d{0,2}${SEP}\\(?\\d{1,4}\\)?(?:${SEP}\\d{2,4}){1,3}`,
  `0[5789]0${SEP}\\d{4}${SEP}\\d{4}`,
  `0(?:120|800|570)${SEP}\\d{2,3}${SEP}\\d{3,4}`,
  `0\\d{1,4}[- (]\\d{1,4}[- )]\\d{4}`,
  '0\\d{9}',
]
  .map((p) => `(?:${p})`)
  .join('|');
const NUM = '\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?';
const AMOUNT = `[¥$€£]\\s?(?:${NUM})(?:\\s?(?:万|億|千))?(?:円)?|(?:${NUM})\\s?(?:万|億|千)?\\s?(?:円|ドル|ユーロ|yen|jpy|usd|dollars?|(?<=\\d)\\s?(?:万|億)(?=\\s|$|[^\\p{L}\\p{N}]))`;
// One-time codes: a 4–8 digit run standing alone. Runs next to / . , - % or 年月日時分秒 are dates,
// decimals, postcodes, percentages, not codes.
const CODE = '(?<![\\d/.,%-])\\d{4,8}(?![\\d/.,%年月日時分秒-])';
// Idempotence: a second pass sees a placeholder token where the first saw the text it replaced, so
// no placeholder may start right after a Latin letter, digit or hyphen, nor right after a token ("x.com0円"
// must not become "x.com<AMOUNT>", which a second pass would read as a URL), and a bare domain may not
// end right before a token.
const TOKEN = '<(?:URL|EMAIL|PHONE|AMOUNT|CODE)>';
const START = `(?<![${LATINISH}-])(?<!${TOKEN})`;
const ALTERNATIVES = {
  existing: `(?<existing>${TOKEN})`,
  email: `(?<email>(?<!${TOKEN})${EMAIL}(?!${TOKEN}))`,
  url: `(?<url>${START}(?:${URL_SCHEME}|${URL_WWW}|${URL_BARE}(?!${TOKEN})))`,
  phone: `(?<phone>${START}(?<![\\d+])(?:${PHONE})(?!\\d))`,
  amount: `(?<amount>${START}(?<![\\d.,])(?:${AMOUNT}))`,
  code: `(?<code>${START}${CODE})`,
};
const PLACEHOLDER = new RegExp(
  [
    ALTERNATIVES.existing,
    ALTERNATIVES.email,
    ALTERNATIVES.url,
    ALTERNATIVES.phone,
    ALTERNATIVES.amount,
    ALTERNATIVES.code,
  ].join('|'),
  'giu',
);
const EXISTING = /^<(?:URL|EMAIL|PHONE|AMOUNT|CODE)>$/;
// Every alternative of PLACEHOLDER needs one of these: a token '<', an e-mail '@', a scheme's '//',
// a (defanged) dot of a domain, or a digit of a phone number, amount or code. A text with none of
// them (much chat) skips the placeholder scan, which costs ~5 µs even on a short text.
const MAY_HOLD_PLACEHOLDER = /[\d@.</]|dot/i;

// Step 6. Homoglyphs folded to Latin: Cyrillic and Greek lower-case letters that render like a Latin
// letter in common phone fonts (Unicode confusables.txt, restricted to the ones that are
// indistinguishable in practice). Applied after lower-casing, so upper-case look-alikes (А, Ρ, Ο)
// are covered through their lower-case forms. A small explicit table rather than the full
// confusables data: the full table folds legitimate Japanese punctuation and digits too.
const HOMOGLYPHS = LATIN_LOOKALIKES;
// Upper-case letters whose lower-case form looks like another Latin letter (Υ looks like Y, υ like u),
// folded before lower-casing.
const UPPER_HOMOGLYPHS: Readonly<Record<string, string>> = Object.freeze({
  Υ: 'y',
  Η: 'h',
  Ν: 'n',
  Μ: 'm',
  Τ: 't',
  Κ: 'k',
  Β: 'b',
  Н: 'h',
  В: 'b',
  М: 'm',
  Т: 't',
  К: 'k',
});
const UPPER_HOMOGLYPH = new RegExp(`[${Object.keys(UPPER_HOMOGLYPHS).join('')}]`, 'gu');
const HOMOGLYPH = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'gu');

/**
 * Katakana folded to hiragana (ァ U+30A1 … ヶ U+30F6 → ぁ … ゖ): lure kits alternate the two scripts
 * (アカウント / あかうんと) and the model should see one word. Katakana carries no fraud signal of its own
 * that hiragana lacks; the long-vowel mark ー stays as it is. ヷ–ヺ have no hiragana and stay.
 */
const KATAKANA = /[\u30A1-\u30F6\u30FD\u30FE]/gu;
const foldKatakana = (c: string): string => String.fromCharCode(c.charCodeAt(0) - 0x60);

function foldSegment(segment: string): string {
  // NFKC again at the end: a folded letter followed by a combining mark (Cyrillic а + U+0301)
  // composes into a new character (á), and the output must already be in its final form.
  return segment
    .replace(UPPER_HOMOGLYPH, (c) => UPPER_HOMOGLYPHS[c] ?? c)
    .toLowerCase()
    .replace(HOMOGLYPH, (c) => HOMOGLYPHS[c] ?? c)
    .replace(KATAKANA, foldKatakana)
    .normalize('NFKC');
}

// A URL written plainly (http:// or https://, no bracket): every rewrite below leaves it as it is.
const PLAIN_URL = /^https?:\/\/[^[({]*$/i;

function refangUrl(url: string): string {
  if (PLAIN_URL.test(url)) return url;
  let u = url
    .replace(/^h(?:xx|\*\*)p/i, 'http')
    .replace(/^(\w+)\[:\]/, '$1:')
    .replace(/^(\w+)(?: {0,2}: {0,2}| {1,2})\/ ?\//, '$1://')
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi, '.');
  if (!/^[a-z]+:\/\//i.test(u)) u = `http://${u}`;
  return u;
}

function replacementValue(kind: PlaceholderKind, text: string): string {
  switch (kind) {
    case 'url':
      return refangUrl(text);
    case 'email':
      return text.toLowerCase();
    case 'phone':
      return text.replace(/[^\d+]/g, '');
    case 'amount':
      // The unit stays (10万円 is 100,000 yen, $50 is dollars); only spaces and thousands commas go.
      return text.replace(/[\s,]/g, '').toLowerCase();
    case 'code':
      return text;
    default:
      return assertNever(kind);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected placeholder kind ${String(x)}`);
}

// Performance (issue 9, "Must show": ≥ 100k messages/s per core). The steps above stay the
// definition; the code below only skips work that cannot change the result, so the output is
// identical to applying every step to the whole text (src/ml/normalise-text.equivalence.test.ts
// compares it with the frozen reference in test/helpers/reference/normalise-text.ts).

// Guards: each is a superset test (it may say yes when the step would change nothing, never the
// reverse), linear in the text's length, and cheaper than the step it guards.
/** Some character INVISIBLE removes (the same class, not global). */
const MAY_HOLD_INVISIBLE = new RegExp(INVISIBLE.source, 'u');
const NON_ASCII = /[\u0080-\uFFFF]/;
/** DIGIT_DASH's dash right after a digit. */
const MAY_HOLD_DIGIT_DASH = /\d[\u2010-\u2015\u2212\u30FC\uFF70\uFE58\uFE63\u2E3A\u2E3B]/;
/** Whitespace between two non-ASCII characters (every character of JA is non-ASCII). */
const MAY_HOLD_SPACE_BETWEEN_JA = /(?<=[\u0080-\uFFFF])\s+(?=[\u0080-\uFFFF])/;
/** One character (one or two units) with whitespace on both sides: the middle of three SPACED_SINGLES. */
const MAY_HOLD_SPACED_SINGLES = /\s\S[\s\S]?\s/;
/** Whitespace other than ' ' (`\s` less the space). */
const OTHER_SPACE = /[\t\n\v\f\r\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]/;

/** Whether WHITESPACE and trim() would change `s`: whitespace other than ' ', two spaces in a row, or a space at either end. */
function mayCollapse(s: string): boolean {
  return (
    s.length > 0 &&
    (s.charCodeAt(0) === 32 || s.charCodeAt(s.length - 1) === 32 || s.includes('  ') || OTHER_SPACE.test(s))
  );
}

/** Steps 1–4: the text with invisible characters removed, NFKC, dashes and spacing folded. */
export function foldSpacing(input: string): string {
  let s = MAY_HOLD_INVISIBLE.test(input) ? input.replace(INVISIBLE, '') : input;
  // ASCII is its own NFKC; when NFKC changes nothing, the second INVISIBLE pass has nothing to remove.
  if (NON_ASCII.test(s)) {
    const nfkc = s.normalize('NFKC');
    if (nfkc !== s) s = MAY_HOLD_INVISIBLE.test(nfkc) ? nfkc.replace(INVISIBLE, '') : nfkc;
    if (MAY_HOLD_DIGIT_DASH.test(s)) s = s.replace(DIGIT_DASH, '-');
    if (MAY_HOLD_SPACE_BETWEEN_JA.test(s)) s = s.replace(SPACE_BETWEEN_JA, '');
  }
  if (MAY_HOLD_SPACED_SINGLES.test(s)) s = s.replace(SPACED_SINGLES, (m) => m.replace(WHITESPACE, ''));
  return collapse(s);
}

/** Steps 6 on a piece of text outside placeholders; ASCII needs lower-casing only (every fold above is of non-ASCII letters). */
function foldPiece(segment: string): string {
  if (!ASCII_FOLDS_ONLY_LOWER) return foldSegment(segment);
  if (!NON_ASCII.test(segment)) return segment.toLowerCase();
  // foldSegment's steps, with the katakana fold as a loop rather than a callback per character, and
  // each homoglyph table scanned only when a character of its range is there.
  let s = UPPER_RANGE.test(segment)
    ? segment.replace(UPPER_HOMOGLYPH, (c) => UPPER_HOMOGLYPHS[c] ?? c)
    : segment;
  s = s.toLowerCase();
  if (LOWER_RANGE.test(s)) s = s.replace(HOMOGLYPH, (c) => HOMOGLYPHS[c] ?? c);
  return foldKatakanaLoop(s).normalize('NFKC');
}

/** One range holding every key of a table (all in the BMP): a cheap test before the table's regex. */
function rangeOf(keys: readonly string[]): RegExp {
  const codes = keys.map((k) => {
    if (k.length !== 1) throw new Error(`homoglyph key ${k} is not one BMP character`);
    return k.charCodeAt(0);
  });
  const hex = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`;
  return new RegExp(`[${hex(Math.min(...codes))}-${hex(Math.max(...codes))}]`);
}
const UPPER_RANGE = rangeOf(Object.keys(UPPER_HOMOGLYPHS));
const LOWER_RANGE = rangeOf(Object.keys(HOMOGLYPHS));

/** `s.replace(KATAKANA, foldKatakana)` without a call per character. */
function foldKatakanaLoop(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30a1 && c <= 0x30f6) || c === 0x30fd || c === 0x30fe) {
      if (i > last) out += s.slice(last, i);
      out += String.fromCharCode(c - 0x60);
      last = i + 1;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}
const ASCII_FOLDS_ONLY_LOWER = [...Object.keys(HOMOGLYPHS), ...Object.keys(UPPER_HOMOGLYPHS)].every(
  (k) => k.charCodeAt(0) > 0x7f,
);

/**
 * Where a placeholder may start. PLACEHOLDER is tried (sticky) only at positions where one of its
 * alternatives can begin, which is most of its cost saved: scanned at every position, each
 * alternative ran to the end of the word before failing. A position qualifies when it holds '<'
 * (a token); or a character that starts a URL, phone number, amount or code (Latin, Cyrillic or
 * Greek letter, digit, ¥ $ € £ +) with no character of START's lookbehind before it; or a
 * character of an e-mail's local part with no character of EMAIL's lookbehind before it. The
 * classes are the regex's own, with its flags (case folding included), cached per code point.
 */
const CAN_START = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\d¥$€£+]/iu;
const BLOCKS_START = new RegExp(`[${LATINISH}-]`, 'iu');
const EMAIL_LOCAL = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{M}\d._%+-]/iu;
const BLOCKS_EMAIL = /[\p{L}\p{N}\p{M}._%+-]/iu;
const F_KNOWN = 1;
const F_CAN_START = 2;
const F_BLOCKS_START = 4;
const F_EMAIL_LOCAL = 8;
const F_BLOCKS_EMAIL = 16;
/** Starts a phone number, amount or code, or is a token's '<': needs no anchor. */
const F_NUMERIC = 32;
const NUMERIC = /[\d¥$€£+<]/iu;
const charFlags = new Uint8Array(0x110000);

function flagsOf(cp: number): number {
  const known = charFlags[cp]!;
  if (known !== 0) return known;
  const c = String.fromCodePoint(cp);
  const flags =
    F_KNOWN |
    (CAN_START.test(c) ? F_CAN_START : 0) |
    (BLOCKS_START.test(c) ? F_BLOCKS_START : 0) |
    (EMAIL_LOCAL.test(c) ? F_EMAIL_LOCAL : 0) |
    (BLOCKS_EMAIL.test(c) ? F_BLOCKS_EMAIL : 0) |
    (NUMERIC.test(c) ? F_NUMERIC : 0);
  charFlags[cp] = flags;
  return flags;
}

const PLACEHOLDER_AT = new RegExp(PLACEHOLDER.source, 'iuy');
/**
 * PLACEHOLDER without the alternatives that need an anchor (e-mail, URL) nor the token, in the same
 * order: what PLACEHOLDER matches at a digit, '+' or currency sign with no '@' or dot close ahead.
 */
const NUMBER_AT = new RegExp([ALTERNATIVES.phone, ALTERNATIVES.amount, ALTERNATIVES.code].join('|'), 'iuy');

/** The next placeholder match at or after `from`, as `PLACEHOLDER` scanning from `from` would find it. */
function nextPlaceholder(s: string, from: number): RegExpExecArray | null {
  const n = s.length;
  let previous = 0; // flags of the code point before i; 0 at the start of the text
  if (from > 0) {
    let p = s.charCodeAt(from - 1);
    if (p >= 0xdc00 && p <= 0xdfff && from > 1) {
      const h = s.charCodeAt(from - 2);
      if (h >= 0xd800 && h <= 0xdbff) p = ((h - 0xd800) << 10) + (p - 0xdc00) + 0x10000;
    }
    previous = flagsOf(p);
  }
  for (let i = from; i < n; ) {
    let cp = s.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const low = s.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const flags = flagsOf(cp);
    if (
      cp === 60 || // '<'
      (flags & F_CAN_START && !(previous & F_BLOCKS_START)) ||
      (flags & F_EMAIL_LOCAL && !(previous & F_BLOCKS_EMAIL))
    ) {
      // Past a digit, '+', '<' or a currency sign, only an e-mail or a URL can start, and each needs
      // an anchor close ahead: '@' after ≤ 64 code points of local part, '/' of a scheme, or the
      // first (defanged) dot of a domain ('.', '[.]', '(dot)', '{.}') after a ≤ 63-code-point label.
      let re: RegExp | undefined;
      if (cp === 60) re = PLACEHOLDER_AT;
      else if (flags & F_NUMERIC) {
        // A digit, '+' or currency sign: an e-mail or URL only with '@' or a dot close ahead.
        if (i > digitAnchor) digitAnchor = nextAnchor(s, i, false);
        if (digitAnchor - i <= ANCHOR_WINDOW) re = PLACEHOLDER_AT;
        else if (!(cp >= 48 && cp <= 57) || digitMayStart(s, i)) re = NUMBER_AT;
      } else {
        if (i > anchor) anchor = nextAnchor(s, i, true);
        if (anchor - i <= ANCHOR_WINDOW) re = PLACEHOLDER_AT;
      }
      if (re !== undefined) {
        re.lastIndex = i;
        const m = re.exec(s);
        if (m !== null) return m;
      }
    }
    previous = flags;
    i += width;
  }
  return null;
}

/**
 * The next anchor at or after the last position that looked for one, kept across the calls of one
 * text (`normaliseText` resets it) so that the search stays linear: each unit is read once.
 */
let anchor = -1;

/** UTF-16 units from a candidate to the anchor it needs: 64 code points of two units each, and a margin. */
const ANCHOR_WINDOW = 140;

/** The index of the next '@', '.', '[', '(' or '{' (and '/' when `slash`) at or after `from` (∞ when none). */
function nextAnchor(s: string, from: number, slash: boolean): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 64 || c === 46 || c === 91 || c === 40 || c === 123 || (slash && c === 47)) return i;
  }
  return Number.POSITIVE_INFINITY;
}

/** Like `anchor`, without '/': a URL that starts with a digit, '+' or currency sign has no scheme. */
let digitAnchor = -1;
/** The end of the last run of digits, commas and dots measured (a number's extent), kept as `anchor` is. */
let numberEnd = -1;
/** First characters of the units an amount may end in (円 ドル ユーロ yen jpy usd dollar 万 億 千), either case. */
const UNIT_FIRST = new Set([...'万億千円ドユyYjJuUdD'].map((c) => c.charCodeAt(0)));

/**
 * Whether a phone number, amount or code may start at the ASCII digit at `i` (START's lookbehind
 * already holds): a phone number starts with 0 (or +); a code is a run of 4–8 digits; an amount
 * is digits, commas and dots then, after at most three whitespace characters, a unit. Each scan
 * is linear over the text: runs are measured once.
 */
function digitMayStart(s: string, i: number): boolean {
  if (s.charCodeAt(i) === 48) return true;
  const n = s.length;
  let j = i + 1;
  while (j < n && isDigit(s.charCodeAt(j))) j++;
  if (j - i >= 4 && j - i <= 8) return true;
  if (i >= numberEnd) {
    numberEnd = j;
    while (numberEnd < n && isNumberUnit(s.charCodeAt(numberEnd))) numberEnd++;
  }
  let k = numberEnd;
  for (let spaces = 0; spaces < 3 && k < n && isSpaceUnit(s.charCodeAt(k)); spaces++) k++;
  return k < n && UNIT_FIRST.has(s.charCodeAt(k));
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNumberUnit = (c: number): boolean => (c >= 48 && c <= 57) || c === 44 || c === 46;
const isSpaceUnit = (c: number): boolean => c === 32 || WHITESPACE_UNIT.test(String.fromCharCode(c));
const WHITESPACE_UNIT = /\s/;

/**
 * Normalises a Japanese or English message for the lure features and the model (issue 9; I1, I3, P7).
 *
 * @example
 * normaliseText('【ＳＭＢＣ】ご本人様確認のため hxxps://smbc-jp[.]top へ 0 9 0 1 2 3 4 5 6 7 8')
 * // → { text: '【smbc】ご本人様確認のため <URL> へ <PHONE>', replacements: [
 * //      { kind: 'url', text: 'hxxps://smbc-jp[.]top', value: 'https://smbc-jp.top' },
 * //      { kind: 'phone', text: '09012345678', value: '09012345678' } ] }
 */
export function normaliseText(input: string): NormalisedText {
  const folded = foldSpacing(input);
  if (!MAY_HOLD_PLACEHOLDER.test(folded)) {
    return { text: collapse(foldPiece(folded)), replacements: [] };
  }
  const replacements: Replacement[] = [];
  let out = '';
  let last = 0;
  anchor = -1;
  digitAnchor = -1;
  numberEnd = -1;
  for (let m = nextPlaceholder(folded, 0); m !== null; m = nextPlaceholder(folded, m.index + m[0].length)) {
    const groups = m.groups ?? {};
    let token: string | undefined;
    if (groups.existing !== undefined) {
      token = groups.existing.toUpperCase();
    } else {
      for (const kind of PLACEHOLDER_KINDS) {
        const text = groups[kind];
        if (text !== undefined) {
          replacements.push({ kind, text, value: replacementValue(kind, text) });
          token = PLACEHOLDER_TOKENS[kind];
          break;
        }
      }
    }
    if (token === undefined || !EXISTING.test(token)) continue;
    out += foldPiece(folded.slice(last, m.index)) + token;
    last = m.index + m[0].length;
  }
  out += foldPiece(folded.slice(last));
  // Folding can join what a placeholder or lower-casing separated; a final pass keeps it idempotent.
  return { text: collapse(out), replacements };
}

/** `s.replace(WHITESPACE, ' ').trim()`, skipped when it would change nothing. */
function collapse(s: string): string {
  return mayCollapse(s) ? s.replace(WHITESPACE, ' ').trim() : s;
}
