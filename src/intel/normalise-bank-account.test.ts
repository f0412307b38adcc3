import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { normaliseBankAccount } from './normalise-bank-account.ts';

describe('normaliseBankAccount (M3)', () => {
  it.each([
    ['0001-123 普通 1234567', 'jp:0001:123:1:1234567'],
    ['0001 123 普通預金 12345', 'jp:0001:123:1:0012345'],
    ['０００５・００１・当座・７６５４３２１', 'jp:0005:001:2:7654321'],
    ['9900/019/savings/1', 'jp:9900:019:4:0000001'],
    ['0009-456-Ordinary-0001234', 'jp:0009:456:1:0001234'],
    ['jp:0001:123:2:0000042', 'jp:0001:123:2:0000042'],
    ['0001,123,4,7', 'jp:0001:123:4:0000007'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseBankAccount(raw)).toBe(expected);
  });

  it.each([
    ['001-123-普通-1234567', /bank code/],
    ['0001-12-普通-1234567', /branch code/],
    ['0001-123-定期-1234567', /account type/],
    ['0001-123-3-1234567', /account type/],
    ['0001-123-普通-12345678', /account number/],
    ['0001-123-1234567', /four parts/],
    ['', /four parts/],
  ])('refuses %j', (raw, pattern) => {
    expectInvalid(() => normaliseBankAccount(raw), pattern);
  });

  it('property: never throws anything but invalid_indicator, and is idempotent', () => {
    const part = fc.oneof(
      fc.stringMatching(/^\d{1,8}$/),
      fc.constantFrom('普通', '当座', '貯蓄', 'ordinary', 'jp', 'x'),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(part, { maxLength: 6 }).map((p) => p.join('-')),
          fc.string({ maxLength: 30 }),
        ),
        (raw) => {
          const once = onlyInvalidIndicator(() => normaliseBankAccount(raw));
          if (once !== undefined) {
            expect(once).toMatch(/^jp:\d{4}:\d{3}:[124]:\d{7}$/);
            expect(normaliseBankAccount(once)).toBe(once);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
