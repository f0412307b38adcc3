import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { normaliseDomain } from './normalise-domain.ts';

describe('normaliseDomain (T1, E3)', () => {
  it.each([
    ['example.co.jp', 'example.co.jp'],
    ['login.secure.Example.CO.JP.', 'example.co.jp'],
    ['https://user@www.example.com:8443/path?q#f', 'example.com'],
    ['ＬＯＧＩＮ．ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com'],
    ['www.例え.jp', 'xn--r8jz45g.jp'],
    ['xn--r8jz45g.jp', 'xn--r8jz45g.jp'],
    ['evil.github.io', 'evil.github.io'],
    ['a.b.evil.github.io', 'evil.github.io'],
    ['amazon-co-jp.account-verify.example', 'account-verify.example'],
    ['bit.ly', 'bit.ly'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseDomain(raw)).toBe(expected);
  });

  it.each([
    ['192.0.2.1', /IP address/],
    ['[2001:db8::1]', /IP address/],
    ['co.jp', /public suffix/],
    ['github.io', /public suffix/],
    ['evil.lan', /unknown top-level/],
    ['report.pdf', /unknown top-level/],
    ['exa mple.com', /characters/],
    ['a..b.com', /empty label/],
    ['', /empty/],
    [`${'a'.repeat(64)}.com`, /63/],
    ['example', /unknown top-level|top-level domain/],
  ])('refuses %j', (raw, pattern) => {
    expectInvalid(() => normaliseDomain(raw), pattern);
  });

  it('property: never throws anything but invalid_indicator, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.domain(),
          fc.webUrl(),
          fc.string({ maxLength: 40 }),
          fc.string({ unit: 'grapheme', maxLength: 20 }),
        ),
        (raw) => {
          const once = onlyInvalidIndicator(() => normaliseDomain(raw));
          if (once !== undefined) expect(normaliseDomain(once)).toBe(once);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
