import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { formatIpv6, parseIpv4Lenient, parseIpv6 } from './ip-address.ts';
import { normaliseIp } from './normalise-ip.ts';

describe('normaliseIp (T4)', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    [' [192.0.2.1] ', '192.0.2.1'],
    ['１９２．０．２．１', '192.0.2.1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:0201', '192.0.2.1'],
    ['::192.0.2.1', '::c000:201'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseIp(raw)).toBe(expected);
  });

  it.each([
    ['256.1.1.1', /not a valid/],
    ['1.2.3', /not a valid/],
    ['010.1.1.1', /leading zero/],
    ['192.0.2.0/24', /CIDR/],
    ['fe80::1%eth0', /zone/],
    ['1:2:3:4:5:6:7:8:9', /IPv6/],
    ['1::2::3', /IPv6/],
    ['12345::1', /IPv6/],
    ['1:2:3:4:5:6:7::8', /IPv6/],
    ['example.com', /not a valid/],
    ['', /empty/],
  ])('refuses %j', (raw, pattern) => {
    expectInvalid(() => normaliseIp(raw), pattern);
  });

  it('property: every IPv4 address round-trips', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(normaliseIp(ip)).toBe(ip);
      }),
    );
  });

  it('property: IPv6 text forms of one address normalise alike, and idempotently', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const once = normaliseIp(ip);
        expect(normaliseIp(once)).toBe(once);
        expect(normaliseIp(ip.toUpperCase())).toBe(once);
        const groups = parseIpv6(ip)!.groups;
        // The fully expanded form says the same thing.
        const expanded = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        expect(normaliseIp(expanded)).toBe(once);
      }),
    );
  });

  it('property: never throws anything but invalid_indicator, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.[]/% ０１'), maxLength: 45 }),
        (raw) => {
          const once = onlyInvalidIndicator(() => normaliseIp(raw));
          if (once !== undefined) expect(normaliseIp(once)).toBe(once);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('RFC 5952 formatting', () => {
  it('compresses the longest zero run, the first on a tie, never a single group', () => {
    expect(formatIpv6([1, 0, 0, 2, 0, 0, 0, 3])).toBe('1:0:0:2::3');
    expect(formatIpv6([1, 0, 0, 2, 0, 0, 3, 4])).toBe('1::2:0:0:3:4');
    expect(formatIpv6([1, 2, 3, 4, 5, 6, 0, 7])).toBe('1:2:3:4:5:6:0:7');
    expect(formatIpv6([0, 0, 0, 0, 0, 0, 0xc009, 0x505], true)).toBe('::192.9.5.5');
    expect(formatIpv6([1, 0, 0, 0, 0, 2, 0xc009, 0x505], true)).toBe('1::2:192.9.5.5');
  });
});

describe('Safe Browsing lenient IPv4 (ip_parse.json)', () => {
  const rows = JSON.parse(readFileSync('/work/shared/vectors/safebrowsing/ip_parse.json', 'utf8')) as {
    case: number;
    input: string;
    expected: string;
  }[];
  it.each(rows.map((r) => [r.case, r.input, r.expected] as const))(
    'case %i: %j → %j',
    (_n, input, expected) => {
      expect(parseIpv4Lenient(input)).toBe(expected);
    },
  );
});
