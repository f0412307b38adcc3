import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCorporateNumber } from './corporate-number.ts';

describe('isCorporateNumber', () => {
  it('accepts published corporate numbers', () => {
    // National Tax Agency (国税庁) and Digital Agency (デジタル庁), as published on the corporate number site.
    expect(isCorporateNumber('7000012050002')).toBe(true);
    expect(isCorporateNumber('4000012090001')).toBe(true);
  });

  it('refuses a wrong check digit, a wrong length and non-digits', () => {
    expect(isCorporateNumber('8000012050002')).toBe(false);
    expect(isCorporateNumber('700001205000')).toBe(false);
    expect(isCorporateNumber('70000120500021')).toBe(false);
    expect(isCorporateNumber('70000120500O2')).toBe(false);
  });

  it('has exactly one valid check digit for any twelve digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{12}$/), (base) => {
        const valid = [...'0123456789'].filter((c) => isCorporateNumber(c + base));
        expect(valid).toHaveLength(1);
      }),
    );
  });
});
