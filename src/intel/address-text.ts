import { KANJI_VARIANT_PAIRS } from './address-data/kanji-variants.ts';
import { KANJI_NUMERAL_CHARS } from './kanji-numerals.ts';

// Text cleaning shared by the address normal form (normalise-address.ts) and the municipality index (jp-places.ts).

const NUMERAL = `0-9${KANJI_NUMERAL_CHARS}`;
export const IS_NUMERAL = new RegExp(`[${NUMERAL}]`);
export const IS_KANJI_NUMERAL = new RegExp(`[${KANJI_NUMERAL_CHARS}]`);
const VARIANTS = new Map<string, string>();
for (let i = 0; i + 1 < KANJI_VARIANT_PAIRS.length; i += 2)
  VARIANTS.set(KANJI_VARIANT_PAIRS[i] ?? '', KANJI_VARIANT_PAIRS[i + 1] ?? '');
const VARIANT_CHARS = new RegExp(`[${[...VARIANTS.keys()].join('')}]`, 'gu');
/** Hyphen-like characters (after NFKC); ー and ｰ only between numerals. */
const DASHES = /[\u2010-\u2015\u2043\u2212\u2500\u2501\u23af\u23e4\ufe58\ufe63\uff0d]/g;
const LONG_VOWEL_BETWEEN_NUMERALS = new RegExp(`(?<=[${NUMERAL}] ?)ー(?= ?[${NUMERAL}])`, 'g');

/**
 * Clean address text the way every part of the normal form needs it: NFKC (full-width
 * digits, letters and spaces), lower case, control and format characters out
 * (zero-width, bidi), every white space one space, old kanji to new, dashes
 * to `-`, and the kana written in place names in several ways to one:
 * ヶ・ケ・が・ガ・ヵ・カ・か → ケ (霞が関 = 霞ヶ関), っ・つ・ッ → ツ, の・之 → ノ
 * (一の宮 = 一ノ宮) — the last only where it is not between two numerals,
 * where の separates numbers (2の8の1).
 */
export function cleanAddressText(raw: string): string {
  let s = raw.toWellFormed().normalize('NFKC').toLowerCase().normalize('NFKC');
  s = s.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\ufffd]/gu, (c) => (/\s/.test(c) ? ' ' : ''));
  s = s.replace(VARIANT_CHARS, (c) => VARIANTS.get(c) ?? c);
  s = s.replace(/\s+/gu, ' ').trim();
  s = s.replace(DASHES, '-').replace(LONG_VOWEL_BETWEEN_NUMERALS, '-');
  return foldKana(s);
}

/** The kana of place names written in several ways, as one (see {@link cleanAddressText}). */
export function foldKana(text: string): string {
  let s = text.replace(
    /(?<=[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[ヶケがガ](?=\p{Script=Han})/gu,
    'ケ',
  );
  s = s.replace(/(?<=\p{Script=Han})[ヵカか](?=\p{Script=Han})/gu, 'ケ');
  s = s.replace(/(?<=\p{Script=Han})[ッツっつ](?=\p{Script=Han})/gu, 'ツ');
  return s.replace(
    /(?<=(\p{Script=Han}))[のノ之](?=(\p{Script=Han}))/gu,
    (c, before: string, after: string) => (IS_NUMERAL.test(before) && IS_NUMERAL.test(after) ? c : 'ノ'),
  );
}
