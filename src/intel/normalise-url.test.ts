import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { canonicaliseUrlBytes, normaliseUrl } from './normalise-url.ts';

const VECTORS = '/work/shared/vectors/safebrowsing';
const load = <T>(name: string): T[] => JSON.parse(readFileSync(`${VECTORS}/${name}`, 'utf8')) as T[];

/**
 * The examples published with the Safe Browsing v4 API
 * (developers.google.com/safe-browsing/v4/urls-hashing, also replayed by
 * Firefox's test_canonicalization.js). They keep the query.
 */
const PUBLISHED: [string, string][] = [
  ['http://host/%25%32%35', 'http://host/%25'],
  ['http://host/%25%32%35%25%32%35', 'http://host/%25%25'],
  ['http://host/%2525252525252525', 'http://host/%25'],
  ['http://host/asdf%25%32%35asd', 'http://host/asdf%25asd'],
  ['http://host/%%%25%32%35asd%%', 'http://host/%25%25%25asd%25%25'],
  ['http://www.google.com/', 'http://www.google.com/'],
  [
    'http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/%77%77%77%2E%65%62%61%79%2E%63%6F%6D/',
    'http://168.188.99.26/.secure/www.ebay.com/',
  ],
  [
    'http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/',
    'http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/',
  ],
  [
    'http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B',
    'http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+',
  ],
  ['http://3279880203/blah', 'http://195.127.0.11/blah'],
  ['http://www.google.com/blah/..', 'http://www.google.com/'],
  ['www.google.com/', 'http://www.google.com/'],
  ['www.google.com', 'http://www.google.com/'],
  ['http://www.evil.com/blah#frag', 'http://www.evil.com/blah'],
  ['http://www.GOOgle.com/', 'http://www.google.com/'],
  ['http://www.google.com.../', 'http://www.google.com/'],
  ['http://www.google.com/foo\tbar\rbaz\n2', 'http://www.google.com/foobarbaz2'],
  ['http://www.google.com/q?', 'http://www.google.com/q?'],
  ['http://www.google.com/q?r?', 'http://www.google.com/q?r?'],
  ['http://www.google.com/q?r?s', 'http://www.google.com/q?r?s'],
  ['http://evil.com/foo#bar#baz', 'http://evil.com/foo'],
  ['http://evil.com/foo;', 'http://evil.com/foo;'],
  ['http://evil.com/foo?bar;', 'http://evil.com/foo?bar;'],
  ['http://notrailingslash.com', 'http://notrailingslash.com/'],
  ['http://www.gotaport.com:1234/', 'http://www.gotaport.com/'],
  ['  http://www.google.com/  ', 'http://www.google.com/'],
  ['http:// leadingspace.com/', 'http://%20leadingspace.com/'],
  ['http://%20leadingspace.com/', 'http://%20leadingspace.com/'],
  ['%20leadingspace.com/', 'http://%20leadingspace.com/'],
  ['https://www.securesite.com/', 'https://www.securesite.com/'],
  ['http://host.com/ab%23cd', 'http://host.com/ab%23cd'],
  ['http://host.com//twoslashes?more//slashes', 'http://host.com/twoslashes?more//slashes'],
];

/**
 * Where the Go reference library (the vector files) and the published
 * algorithm differ, we follow the publication: the Go `canonicalURL` drops
 * the query (its patterns keep it), and writes lower-case escapes in paths.
 */
const QUERY_KEPT: Record<number, string> = {
  14: 'http://www.google.com/q?',
  15: 'http://www.google.com/q?r?',
  16: 'http://www.google.com/q?r?s',
  19: 'http://evil.com/foo?bar;',
  31: 'http://www.google.com/q?r?s?',
};
const upperEscapes = (s: string) => s.replace(/%[0-9a-f]{2}/gi, (e) => e.toUpperCase());

interface CanonRow {
  case: number;
  input: string | null;
  input_hex?: string;
  expected?: string;
  fail?: boolean;
}

describe('normaliseUrl — Safe Browsing canonicalisation (T1)', () => {
  it.each(PUBLISHED)('published example %j', (input, expected) => {
    expect(normaliseUrl(input)).toBe(expected);
  });

  describe('google/safebrowsing canonicalize.json', () => {
    for (const row of load<CanonRow>('canonicalize.json')) {
      it(`case ${row.case}${row.fail ? ' fails' : ''}`, () => {
        const run = () =>
          row.input === null
            ? canonicaliseUrlBytes(Buffer.from(row.input_hex!, 'hex'))
            : normaliseUrl(row.input);
        if (row.fail) {
          expectInvalid(run);
          return;
        }
        const expected = QUERY_KEPT[row.case] ?? row.expected!;
        expect(upperEscapes(run())).toBe(upperEscapes(expected));
      });
    }
  });

  it('canonical_host.json: hosts', () => {
    for (const row of load<{ case: number; url: string; expected?: string; fail?: boolean }>(
      'canonical_host.json',
    )) {
      if (row.fail) expectInvalid(() => normaliseUrl(row.url));
      else
        expect(/^[^:]+:\/\/([^/?]+)/.exec(normaliseUrl(row.url))?.[1], `case ${row.case}`).toBe(row.expected);
    }
  });

  it('canonical_path.json: paths', () => {
    for (const row of load<{ case: number; url: string; expected?: string; fail?: boolean }>(
      'canonical_path.json',
    )) {
      if (row.fail) expectInvalid(() => normaliseUrl(row.url));
      else {
        const out = normaliseUrl(row.url);
        const path = out.slice(out.indexOf('/', out.indexOf('://') + 3)).replace(/\?.*$/, '');
        expect(path, `case ${row.case}`).toBe(row.expected);
      }
    }
  });

  it('turns IDN hosts into punycode, full-width ones too', () => {
    expect(normaliseUrl('https://例え.jp/ログイン')).toBe(
      'https://xn--r8jz45g.jp/%E3%83%AD%E3%82%B0%E3%82%A4%E3%83%B3',
    );
    expect(normaliseUrl('ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／ａ')).toBe('https://example.com/%EF%BD%81');
    expect(normaliseUrl('https://ｅｘａｍｐｌｅ。ｃｏｍ/a')).toBe('https://example.com/a');
  });

  it('normalises bracketed IPv6 hosts; IPv4-mapped and NAT64 become IPv4', () => {
    expect(normaliseUrl('http://[2001:0DB8:0000::1]:8080/x')).toBe('http://[2001:db8::1]/x');
    expect(normaliseUrl('http://[::ffff:1.2.3.4]/')).toBe('http://1.2.3.4/');
    expect(normaliseUrl('http://[64:ff9b::102:304]/')).toBe('http://1.2.3.4/');
  });

  it('drops user info and port', () => {
    expect(normaliseUrl('https://user:pass@Evil.Example.com:443/a/./b/../c')).toBe(
      'https://evil.example.com/a/c',
    );
  });

  it('refuses near misses with a reason', () => {
    expectInvalid(() => normaliseUrl('mailto:taro@example.jp'), /authority/);
    expectInvalid(() => normaliseUrl('http://'), /host/);
    expectInvalid(() => normaliseUrl('http://[::1/'), /IPv6/);
    expectInvalid(() => normaliseUrl('http://[zz::1]/'), /IPv6/);
    expectInvalid(() => normaliseUrl('http://exa mple:80:90/'), /host/);
  });

  it('property: never throws anything but invalid_indicator, and is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 60 }),
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
        ),
        (raw) => {
          const once = onlyInvalidIndicator(() => normaliseUrl(raw));
          if (once !== undefined) expect(normaliseUrl(once)).toBe(once);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: any byte string canonicalises or is refused, and the result is stable', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const once = onlyInvalidIndicator(() => canonicaliseUrlBytes(bytes));
        if (once !== undefined) expect(normaliseUrl(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });
});
