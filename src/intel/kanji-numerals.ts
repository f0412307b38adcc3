/** Kanji numerals (漢数字) as written in addresses: digits, 〇, and the units 十・百・千. */
export const KANJI_NUMERAL_CHARS = '〇一二三四五六七八九十百千';

const DIGIT_OF: Readonly<Record<string, number>> = {
  〇: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const UNIT_OF: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };
const DIGITS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;

/**
 * The value of a run of kanji numerals, in decimal digits: positional
 * (一〇一 → 101, 二〇 → 20) or with units (二十三 → 23, 百二 → 102,
 * 千二百三十四 → 1234). Any run of {@link KANJI_NUMERAL_CHARS} gives some
 * value; characters outside the set count as nothing.
 *
 * @example kanjiToDecimal('二十三') // '23'
 */
export function kanjiToDecimal(run: string): string {
  if (!/[十百千]/.test(run)) {
    const digits = [...run].map((c) => DIGIT_OF[c] ?? '').join('');
    return digits.replace(/^0+(?=\d)/, '');
  }
  let total = 0;
  let digit: number | undefined;
  for (const c of run) {
    const unit = UNIT_OF[c];
    if (unit !== undefined) {
      total += (digit ?? 1) * unit;
      digit = undefined;
      continue;
    }
    const d = DIGIT_OF[c];
    if (d !== undefined) digit = digit === undefined ? d : digit * 10 + d;
  }
  return String(total + (digit ?? 0));
}

/**
 * A whole number from 0 to 9999 in kanji with units, as place names write
 * it (10 → 十, 24 → 二十四, 1000 → 千); undefined outside that range.
 *
 * @example decimalToKanji(24) // '二十四'
 */
export function decimalToKanji(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > 9999) return undefined;
  if (n === 0) return '〇';
  let out = '';
  for (const [value, unit] of [
    [1000, '千'],
    [100, '百'],
    [10, '十'],
  ] as const) {
    const d = Math.floor(n / value) % 10;
    if (d > 0) out += (d === 1 ? '' : DIGITS[d]) + unit;
  }
  return out + DIGITS[n % 10];
}
