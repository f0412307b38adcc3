/**
 * The zone-file resolver (measures E1, E4: `mamoru eval mail --zone <file>` serves SPF, DKIM,
 * DMARC records from a file): answers shaped like `dns.promises.resolve`, our resolver's error
 * codes, CNAMEs followed, and a fast-check property over the zone-file parser.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DnsError } from './dns-resolver.ts';
import { createZoneResolver, parseZoneFile } from './zone-resolver.ts';

const ZONE = `
; a comment line
example.jp.        300 IN TXT "v=spf1 ip4:192.0.2.1 -all" ; trailing comment
example.jp.            IN A   192.0.2.1
example.jp.            IN MX  10 MX.Example.JP.
_dmarc.example.jp.     IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.jp"
sel._domainkey.example.jp. TXT "v=DKIM1; k=rsa; " "p=MIIB"
alias.example.jp.      IN CNAME example.jp.
loop1.example.jp.      IN CNAME loop2.example.jp.
loop2.example.jp.      IN CNAME loop1.example.jp.
v6.example.jp.         IN AAAA 2001:db8::1
example.jp.            IN SOA ns.example.jp. admin.example.jp. 1 3600 600 86400 60
`;

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(DnsError);
    return (error as DnsError).code;
  }
}

describe('createZoneResolver', () => {
  const dns = createZoneResolver(ZONE);

  it('answers each type in the shape of dns.promises.resolve', async () => {
    expect(await dns.resolve('example.jp', 'TXT')).toEqual([['v=spf1 ip4:192.0.2.1 -all']]);
    expect(await dns.resolve('sel._domainkey.example.jp', 'TXT')).toEqual([['v=DKIM1; k=rsa; ', 'p=MIIB']]);
    expect(await dns.resolve('EXAMPLE.JP.', 'A')).toEqual(['192.0.2.1']);
    expect(await dns.resolve('example.jp', 'MX')).toEqual([{ exchange: 'mx.example.jp', priority: 10 }]);
    expect(await dns.resolve('v6.example.jp', 'AAAA')).toEqual(['2001:db8::1']);
    expect(await dns.resolve('example.jp')).toEqual(['192.0.2.1']);
  });

  it('follows CNAMEs inside the zone, and answers a CNAME query with the alias', async () => {
    expect(await dns.resolve('alias.example.jp', 'TXT')).toEqual([['v=spf1 ip4:192.0.2.1 -all']]);
    expect(await dns.resolve('alias.example.jp', 'CNAME')).toEqual(['example.jp']);
    expect(await code(dns.resolve('loop1.example.jp', 'A'))).toBe('ENODATA');
  });

  it('ENOTFOUND for a name not in the zone, ENODATA for a name without the type (as our resolver)', async () => {
    expect(await code(dns.resolve('ghost.example.jp', 'TXT'))).toBe('ENOTFOUND');
    expect(await code(dns.resolve('_dmarc.ghost.example.jp', 'TXT'))).toBe('ENOTFOUND');
    expect(await code(dns.resolve('v6.example.jp', 'A'))).toBe('ENODATA');
    expect(await code(dns.resolve('bad..name', 'A'))).toBe('EBADNAME');
    expect(await code(dns.resolve('example.jp', 'SRV'))).toBe('ENOTIMP');
  });

  it('answers copies: a caller that sorts an answer in place does not change the zone', async () => {
    const first = (await dns.resolve('example.jp', 'TXT')) as string[][];
    first[0]?.push('x');
    expect(await dns.resolve('example.jp', 'TXT')).toEqual([['v=spf1 ip4:192.0.2.1 -all']]);
  });

  it('refuses an unsupported record type with the line', () => {
    expect(() => createZoneResolver('a.example.jp IN HINFO x y')).toThrow(/unsupported record type HINFO/);
  });
});

describe('parseZoneFile', () => {
  it('keeps ; and escaped quotes inside quoted TXT strings', () => {
    const zone = parseZoneFile('a.example TXT "v=DMARC1; p=reject" "say \\"hi\\"" ; comment');
    expect(zone['a.example']).toEqual([{ type: 'TXT', data: ['v=DMARC1; p=reject', 'say "hi"'] }]);
  });

  it('property: any TXT chunks written with escapes read back the same, under any name case and TTL', () => {
    const chunk = fc.string({ minLength: 0, maxLength: 40 }).filter((s) => !/[\r\n]/.test(s));
    fc.assert(
      fc.property(
        fc.array(chunk, { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat({ max: 86_400 }), { nil: undefined }),
        fc.constantFrom('Sel._DomainKey.Example.JP.', 'example.jp'),
        (chunks, ttl, name) => {
          const quoted = chunks.map((c) => `"${c.replace(/[\\"]/g, (m) => `\\${m}`)}"`).join(' ');
          const line = `${name} ${ttl ?? ''} IN TXT ${quoted} ; note`;
          const zone = parseZoneFile(line);
          const key = name.replace(/\.$/, '').toLowerCase();
          expect(zone[key]).toEqual([{ type: 'TXT', data: chunks, ...(ttl === undefined ? {} : { ttl }) }]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: arbitrary text either parses to records or throws an Error, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          const zone = parseZoneFile(text);
          for (const records of Object.values(zone)) expect(Array.isArray(records)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(/^zone file: unsupported record type/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
