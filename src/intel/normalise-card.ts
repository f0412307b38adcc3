import { checkRaw, invalidIndicator } from './invalid-indicator.ts';

/** True when the digit string passes the Luhn (mod 10) check. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Normalise a payment card number (measure T2: sharing compromised cards
 * with brands and issuers): digits only (spaces and hyphens, full-width
 * included, are dropped), 12 to 19 digits, Luhn-valid.
 *
 * This value is sensitive: it is only ever stored and shared as its keyed
 * hash, never raw.
 *
 * @throws MamoruError `invalid_indicator` naming what is wrong.
 * @example normaliseCard('４１１１ １１１１-1111 1111') // '4111111111111111'
 */
export function normaliseCard(raw: string): string {
  const digits = checkRaw('card', raw).normalize('NFKC').replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) throw invalidIndicator('card', 'may hold only digits, spaces and hyphens');
  if (digits.length < 12 || digits.length > 19) throw invalidIndicator('card', 'must be 12 to 19 digits');
  if (!luhnValid(digits)) throw invalidIndicator('card', 'fails the Luhn check digit');
  return digits;
}
