import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { luhnValid, normaliseCard } from './normalise-card.ts';

describe('normaliseCard (T2)', () => {
  it.each([
    ['4111 1111 1111 1111', '4111111111111111'],
    ['４１１１－１１１１－１１１１－１１１１', '4111111111111111'],
    ['3782-822463-10005', '378282246310005'],
    ['5555555555554444', '5555555555554444'],
    ['3530111333300000', '3530111333300000'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseCard(raw)).toBe(expected);
  });

  it.each([
    ['4111 1111 1111 1112', /Luhn/],
    ['41111111111', /12 to 19/],
    ['41111111111111111111', /12 to 19/],
    ['4111-1111-1111-111X', /only digits/],
    ['', /12 to 19|only digits/],
  ])('refuses %j', (raw, pattern) => {
    expectInvalid(() => normaliseCard(raw), pattern);
  });

  it('property: exactly one check digit makes any 11–18 digit prefix Luhn-valid', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11,18}$/), (prefix) => {
        const valid = [...'0123456789'].filter((d) => luhnValid(prefix + d));
        expect(valid).toHaveLength(1);
        expect(normaliseCard(prefix + valid[0])).toBe(prefix + valid[0]);
      }),
    );
  });

  it('property: never throws anything but invalid_indicator, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: fc.constantFrom(...'0123456789 -'), maxLength: 25 }),
          fc.string({ maxLength: 25 }),
        ),
        (raw) => {
          const once = onlyInvalidIndicator(() => normaliseCard(raw));
          if (once !== undefined) expect(normaliseCard(once)).toBe(once);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
