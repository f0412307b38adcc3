import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { checkRaw, invalidIndicator } from './invalid-indicator.ts';

// Separators people put in phone numbers, Japanese ones included: the katakana
// long-vowel mark (ー) and full-width/typographic dashes stand in for hyphens.
const SEPARATORS = /[\s\-‐‑‒–—―−ー－ｰ.()/]/g;

/**
 * Normalise a phone number to E.164 (measures I1, I3, I4): default region
 * Japan, so `090-1234-5678` → `+819012345678`. Accepts `+81`, the
 * international prefixes `00` and `010`, full-width digits, `tel:` and the
 * usual separators. A number in national form must be valid by
 * libphonenumber's full metadata (a dropped digit is refused); one written
 * internationally (`+…`) needs only a possible length, because spoofed
 * caller IDs and feeds carry numbers from unallocated ranges.
 *
 * @throws MamoruError `invalid_indicator` naming what is wrong.
 * @example normalisePhone('０９０－１２３４－５６７８') // '+819012345678'
 */
export function normalisePhone(raw: string): string {
  let s = checkRaw('phone', raw).normalize('NFKC').trim();
  if (/^tel:/i.test(s)) s = s.slice(4);
  s = s.replace(SEPARATORS, '');
  if (s === '') throw invalidIndicator('phone', 'is empty');
  if (!/^\+?\d+$/.test(s))
    throw invalidIndicator('phone', 'may hold only digits, an optional leading + and separators');
  // `00` + country code is the international prefix most carriers accept; libphonenumber knows only `010` for JP.
  if (/^00[1-9]/.test(s)) s = `+${s.slice(2)}`;
  const international = s.startsWith('+');
  const digits = s.replace('+', '').length;
  if (digits < 5 || digits > 17) throw invalidIndicator('phone', 'has too few or too many digits');
  const parsed = parsePhoneNumberFromString(s, 'JP');
  if (!parsed) throw invalidIndicator('phone', 'is not a phone number');
  if (parsed.isValid()) return parsed.number;
  // A number written internationally (a feed, a caller ID from the network) is taken when its length is
  // possible even if the range is unallocated: spoofed calls use such numbers. National forms are typed
  // by people and must be valid, which catches a dropped digit.
  if (international && parsed.isPossible()) return parsed.number;
  throw invalidIndicator('phone', `is not a valid number for its region (${parsed.number})`);
}
