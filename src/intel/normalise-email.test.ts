import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { normaliseEmail } from './normalise-email.ts';

describe('normaliseEmail (E1–E3, I1)', () => {
  it.each([
    ['Taro.Yamada@Example.CO.JP', 'taro.yamada@example.co.jp'],
    ['mailto:info@example.com', 'info@example.com'],
    ['<info@example.com>', 'info@example.com'],
    ['ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'info@example.com'],
    ['user+tag@sub.example.com.', 'user+tag@sub.example.com'],
    ['taro@例え.jp', 'taro@xn--r8jz45g.jp'],
    ['support@account-verify.example', 'support@account-verify.example'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseEmail(raw)).toBe(expected);
  });

  it.each([
    ['taro.example.com', /no @/],
    ['@example.com', /empty local/],
    ['taro..yamada@example.com', /invalid local/],
    ['.taro@example.com', /invalid local/],
    ['"taro yamada"@example.com', /quoted/],
    ['taro@[192.0.2.1]', /IP-literal/],
    ['taro@192.0.2.1', /IP address/],
    ['taro@localhost', /top-level|suffix/],
    ['taro@example.lan', /unknown top-level/],
    [`${'a'.repeat(65)}@example.com`, /64/],
  ])('refuses %j', (raw, pattern) => {
    expectInvalid(() => normaliseEmail(raw), pattern);
  });

  it('property: never throws anything but invalid_indicator, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.emailAddress(),
          fc.string({ maxLength: 40 }),
          fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => `${s}@example.com`),
        ),
        (raw) => {
          const once = onlyInvalidIndicator(() => normaliseEmail(raw));
          if (once !== undefined) expect(normaliseEmail(once)).toBe(once);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
