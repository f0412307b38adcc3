import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { checkRaw, invalidIndicator } from './invalid-indicator.ts';

// Separators people put in phone numbers, Japanese ones included: the katakana
// long-vowel mark (ー) and full-width/typographic dashes stand in for hyphens.
const SEPARATORS = /[\s\-‐‑‒–—―−ー－ｰ.()/]/g;

/**
 * Normalise a phone number to E.164 (measures I1, I3, I4): default region
 * Japan, so `090-1234-5678` → `+819012345678`. Accepts `+81`, the
 * international prefixes `00` and `010`, full-width digits, `tel:` and the
 * usual separators. Validity is checked against libphonenumber's full
 * metadata, so a number of the wrong length for its range is refused.
 *
 * @throws MamoruError `invalid_indicator` naming what is wrong.
 * @example normalisePhone('０９０－１２３４－５６７８') // '+819012345678'
 */
export function normalisePhone(raw: string): string {
  let s = checkRaw('phone', raw).normalize('NFKC').trim();
  if (/^tel:/i.test(s)) s = s.slice(4);
  s = s.replace(SEPARATORS, '');
  if (s === '') throw invalidIndicator('phone', 'is empty');
  if (!/^\+?\d+$/.test(s)) throw invalidIndicator('phone', 'may hold only digits, an optional leading + and separators');
  // `00` + country code is the international prefix most carriers accept; libphonenumber knows only `010` for JP.
  if (/^00[1-9]/.test(s)) s = `+${s.slice(2)}`;
  const digits = s.replace('+', '').length;
  if (digits < 5 || digits > 17) throw invalidIndicator('phone', 'has too few or too many digits');
  const parsed = parsePhoneNumberFromString(s, 'JP');
  if (!parsed) throw invalidIndicator('phone', 'is not a phone number');
  if (!parsed.isValid()) throw invalidIndicator('phone', `is not a valid number for its region (${parsed.number})`);
  return parsed.number;
}
