// Frozen copy of src/normalise-text.ts as of commit b41345a (issue 9, performance): the reference the optimised
// version must match output for output (see its *.equivalence.test.ts). Do not optimise or change.
import { LATIN_LOOKALIKES } from '../../../src/intel/homoglyphs.ts';
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
const URL_WWW = `www${DOT}${LABEL}(?:${DOT}${LABEL})+${PATH}`;
// Combining marks count: 'İ' lower-cases to 'i' + U+0307, which must still bound a placeholder.
const LATINISH = '\\p{Script=Latin}\\p{Script=Cyrillic}\\p{Script=Greek}\\d\\p{M}';
const URL_BARE = `(?<![${LATINISH}@.-])${LABEL}(?:${DOT}${LABEL})*${DOT}(?:${TLDS})(?![${LATINISH}-])${PATH}`;
// The local part takes Cyrillic and Greek look-alikes too, as the folded text would read them as Latin.
const EMAIL = `(?<![\\p{L}\\p{N}\\p{M}._%+-])[\\p{Script=Latin}\\p{Script=Cyrillic}\\p{Script=Greek}\\p{M}\\d._%+-]{1,64}@${LABEL}(?:\\.${LABEL})+`;
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
const PLACEHOLDER = new RegExp(
  [
    `(?<existing>${TOKEN})`,
    `(?<email>(?<!${TOKEN})${EMAIL}(?!${TOKEN}))`,
    `(?<url>${START}(?:${URL_SCHEME}|${URL_WWW}|${URL_BARE}(?!${TOKEN})))`,
    `(?<phone>${START}(?<![\\d+])(?:${PHONE})(?!\\d))`,
    `(?<amount>${START}(?<![\\d.,])(?:${AMOUNT}))`,
    `(?<code>${START}${CODE})`,
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

function refangUrl(url: string): string {
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

/** Steps 1–4: the text with invisible characters removed, NFKC, dashes and spacing folded. */
export function foldSpacing(input: string): string {
  return input
    .replace(INVISIBLE, '')
    .normalize('NFKC')
    .replace(INVISIBLE, '')
    .replace(DIGIT_DASH, '-')
    .replace(SPACE_BETWEEN_JA, '')
    .replace(SPACED_SINGLES, (m) => m.replace(WHITESPACE, ''))
    .replace(WHITESPACE, ' ')
    .trim();
}

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
    return { text: foldSegment(folded).replace(WHITESPACE, ' ').trim(), replacements: [] };
  }
  const replacements: Replacement[] = [];
  let out = '';
  let last = 0;
  for (const m of folded.matchAll(PLACEHOLDER)) {
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
    out += foldSegment(folded.slice(last, m.index)) + token;
    last = m.index + m[0].length;
  }
  out += foldSegment(folded.slice(last));
  // Folding can join what a placeholder or lower-casing separated; a final pass keeps it idempotent.
  return { text: out.replace(WHITESPACE, ' ').trim(), replacements };
}
