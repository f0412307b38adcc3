/**
 * Corporate number (法人番号) check (P4): 13 digits, the first being a check
 * digit over the other twelve, as the National Tax Agency defines it:
 * check = 9 − (Σ Pn × Qn mod 9), n = 1…12 counted from the right of the base
 * twelve digits, Qn = 1 for odd n and 2 for even n.
 *
 * @example isCorporateNumber('8700110005901') // true
 */
export function isCorporateNumber(value: string): boolean {
  if (!/^\d{13}$/.test(value)) return false;
  const base = value.slice(1);
  let sum = 0;
  for (let n = 1; n <= 12; n++) {
    const digit = Number(base[12 - n]);
    sum += digit * (n % 2 === 1 ? 1 : 2);
  }
  return Number(value[0]) === 9 - (sum % 9);
}
