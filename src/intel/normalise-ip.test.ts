import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { formatIpv6, mappedIpv4, nat64Ipv4, parseIpv4, parseIpv4Lenient, parseIpv6 } from './ip-address.ts';
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

/**
 * The hand-written parser and formatter ipaddr.js replaced (issue 8, item 9), kept as the reference:
 * the same text must give the same address and the same normalised value as before.
 */
const before = {
  ipv4(s: string): number[] | undefined {
    const parts = s.split('.');
    if (parts.length !== 4) return undefined;
    const out: number[] = [];
    for (const p of parts) {
      if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
      out.push(Number(p));
    }
    return out;
  },
  ipv6(s: string): { groups: number[]; dotted: boolean } | undefined {
    if (s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
    const halves = s.split('::');
    if (halves.length > 2) return undefined;
    let dotted = false;
    const side = (text: string, last: boolean): number[] | undefined => {
      if (text === '') return [];
      const pieces = text.split(':');
      const groups: number[] = [];
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i]!;
        if (last && i === pieces.length - 1 && piece.includes('.')) {
          const v4 = before.ipv4(piece);
          if (!v4) return undefined;
          dotted = true;
          groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
          continue;
        }
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        groups.push(Number.parseInt(piece, 16));
      }
      return groups;
    };
    if (halves.length === 1) {
      const groups = side(halves[0]!, true);
      return groups && groups.length === 8 ? { groups, dotted } : undefined;
    }
    const head = side(halves[0]!, false);
    const tail = side(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    return {
      groups: [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail],
      dotted,
    };
  },
  compress(groups: readonly number[]): string {
    let bestStart = -1;
    let bestLen = 0;
    for (let i = 0; i < groups.length; ) {
      if (groups[i] !== 0) {
        i++;
        continue;
      }
      let j = i;
      while (j < groups.length && groups[j] === 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    const hex = groups.map((g) => g.toString(16));
    if (bestLen < 2) return hex.join(':');
    return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
  },
  format(groups: readonly number[], dotted: boolean): string {
    const low = `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
    if (!dotted) return before.compress(groups);
    const head = before.compress(groups.slice(0, 6));
    return `${head}${head.endsWith(':') ? '' : ':'}${low}`;
  },
};

describe('ipaddr.js reads what the hand-written parser read, and nothing more', () => {
  // Text near the edge of the grammar: real addresses, then pieces of them cut, doubled and mixed.
  const group = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)),
    fc.constantFrom('0', '00000', '1.2.3.4', '01.2.3.4', '256.1.1.1', '', 'g', '0x1', '1.2.3'),
  );
  const near = fc.oneof(
    fc.ipV6(),
    fc.ipV4(),
    fc.ipV4Extended(),
    fc.tuple(fc.ipV6(), fc.ipV4()).map(([a, b]) => `${a.replace(/:[^:]*$/, ':')}${b}`),
    fc.tuple(fc.ipV6(), fc.ipV6()).map(([a, b]) => `${a}:${b}`),
    fc.array(group, { minLength: 1, maxLength: 10 }).map((g) => g.join(':')),
    fc
      .tuple(fc.array(group, { maxLength: 8 }), fc.array(group, { maxLength: 8 }))
      .map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'), maxLength: 46 }),
  );

  it('property: the same groups (and dotted flag) for IPv6 text, the same octets for IPv4 text', () => {
    fc.assert(
      fc.property(near, (text) => {
        expect(parseIpv6(text)).toEqual(before.ipv6(text));
        expect(parseIpv4(text)).toEqual(before.ipv4(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('property: the same RFC 5952 text, mapped and NAT64 IPv4 for any eight groups', () => {
    const groups = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    });
    const special = fc
      .tuple(fc.constantFrom([0, 0, 0, 0, 0, 0xffff], [0x64, 0xff9b, 0, 0, 0, 0]), groups)
      .map(([head, g]) => [...head, g[6]!, g[7]!]);
    fc.assert(
      fc.property(fc.oneof(groups, special), fc.boolean(), (g, dotted) => {
        expect(formatIpv6(g, dotted)).toBe(before.format(g, dotted));
        const low = `${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
        const isMapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
        const isNat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
        expect(mappedIpv4(g)).toBe(isMapped ? low : undefined);
        expect(nat64Ipv4(g)).toBe(isNat64 ? low : undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses the forms ipaddr.js alone would read', () => {
    for (const text of ['010.1.1.1', '0x7f.1', '1', '1.2.3', '0300.0250.1.1'])
      expect([text, parseIpv4(text)]).toEqual([text, undefined]);
    expect(parseIpv6('::192.0.2.1')).toEqual({ groups: [0, 0, 0, 0, 0, 0, 0xc000, 0x201], dotted: true });
    for (const text of ['::ffff:01.2.3.4', '::ffff:0x1.2.3.4', '::1.2.3', 'fe80::1%eth0', '1.2.3.4'])
      expect([text, parseIpv6(text)]).toEqual([text, undefined]);
  });
});
