import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { normalisePhone } from './normalise-phone.ts';

describe('normalisePhone (I1, I3, I4)', () => {
  it.each([
    ['090-1234-5678', '+819012345678'],
    ['09012345678', '+819012345678'],
    ['０９０－１２３４－５６７８', '+819012345678'],
    ['090ー1234ー5678', '+819012345678'],
    ['090 1234 5678', '+819012345678'],
    ['(090) 1234-5678', '+819012345678'],
    ['+81 90-1234-5678', '+819012345678'],
    ['＋８１　９０　１２３４　５６７８', '+819012345678'],
    ['0081-90-1234-5678', '+819012345678'],
    ['010-81-90-1234-5678', '+819012345678'],
    ['tel:+81-3-1234-5678', '+81312345678'],
    ['03-1234-5678', '+81312345678'],
    ['06-6123-4567', '+81661234567'],
    ['0120-123-456', '+81120123456'],
    ['050-1234-5678', '+815012345678'],
    ['+1 202-555-0143', '+12025550143'],
    ['+819012345678', '+819012345678'],
    ['+81 3-0000-0000', '+81300000000'],
  ])('%j → %j', (raw, expected) => {
    expect(normalisePhone(raw)).toBe(expected);
  });

  it.each([
    ['090-1234-567', /not a valid number/],
    ['03-0000-0000', /not a valid number/],
    ['+81 12', /too few|not a valid/],
    ['110', /too few/],
    ['090-ABCD-5678', /only digits/],
    ['', /empty/],
    ['+81 90 1234 5678 ext. 1', /only digits/],
    ['12345678901234567890', /too many/],
  ])('refuses %j', (raw, pattern) => {
    expectInvalid(() => normalisePhone(raw), pattern);
  });

  it('property: never throws anything but invalid_indicator, and is idempotent', () => {
    const phoneish = fc.string({
      unit: fc.constantFrom(...'0123456789+-() ー０９＋'),
      minLength: 0,
      maxLength: 20,
    });
    fc.assert(
      fc.property(fc.oneof(phoneish, fc.string({ maxLength: 30 })), (raw) => {
        const once = onlyInvalidIndicator(() => normalisePhone(raw));
        if (once !== undefined) {
          expect(once).toMatch(/^\+[1-9]\d{4,16}$/);
          expect(normalisePhone(once)).toBe(once);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('property: every Japanese mobile number in national form maps to +81', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('70', '80', '90'),
        fc.integer({ min: 1, max: 9 }),
        fc.stringMatching(/^\d{7}$/),
        (p, d, rest) => {
          expect(normalisePhone(`0${p}-${d}${rest.slice(0, 3)}-${rest.slice(3)}`)).toBe(`+81${p}${d}${rest}`);
        },
      ),
    );
  });
});
