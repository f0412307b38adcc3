/**
 * Tests of our DNS resolver (measures E2, E3, E4) against the loopback DNS server of
 * test/helpers/dns-server.ts: answer shapes equal to Node's own resolver, TTL and negative
 * caching, TCP fallback, temporary failures that are never cached, the concurrency cap,
 * sharing of identical questions, hostile answers, and mailauth's SPF check end to end.
 */
import { promises as nodeDns } from 'node:dns';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { spf } from 'mailauth/lib/spf/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseZoneFile, type RunningDnsServer, startDnsServer } from '../../../test/helpers/dns-server.ts';
import {
  createDnsResolver,
  type DnsResolverOptions,
  normaliseName,
  PERMANENT_CODES,
  parseNameserver,
  TEMPORARY_CODES,
} from './dns-resolver.ts';

const dkimKey = `v=DKIM1; k=rsa; p=${'A'.repeat(2990)}`;
const chunks = dkimKey.match(/.{1,255}/g) ?? [];

const zoneText = `
; the sender's domain
example.jp        300  IN SOA   ns1.example.jp hostmaster.example.jp 1 3600 600 86400 120
example.jp        300  IN A     192.0.2.10
example.jp        300  IN AAAA  2001:db8::10
example.jp        300  IN MX    20 mx2.example.jp
example.jp        300  IN MX    10 mx1.example.jp
example.jp        300  IN NS    ns1.example.jp
example.jp        300  IN TXT   "v=spf1 ip4:192.0.2.1 -all"
multi.example.jp  300  IN TXT   "first chunk " "second chunk"
www.example.jp    60   IN CNAME alias.example.jp
alias.example.jp  600  IN CNAME example.jp
_dmarc.example.jp 300  IN TXT   "v=DMARC1; p=reject"
sel._domainkey.example.jp 300 IN TXT ${chunks.map((c) => `"${c}"`).join(' ')}
10.2.0.192.in-addr.arpa 300 IN PTR example.jp
broken.example.jp 300  IN TXT   "v=spf1 -all"
`;

let server: RunningDnsServer;
let clock = 0;
const resolverFor = (options: DnsResolverOptions = {}) =>
  createDnsResolver({ nameservers: [server.server], timeoutMs: 1000, now: () => clock, ...options });
const codeOf = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (err: { code?: unknown }) => err.code,
  );

beforeAll(async () => {
  server = await startDnsServer(zoneText);
});
afterAll(async () => {
  await server.stop();
});

describe('names and servers', () => {
  it('normalises names and refuses those that cannot be in the DNS', () => {
    expect(normaliseName('Example.JP.')).toBe('example.jp');
    expect(normaliseName('_dmarc.example.jp')).toBe('_dmarc.example.jp');
    for (const bad of [
      '',
      '.',
      'a..b',
      `${'x'.repeat(64)}.jp`,
      `${'a.'.repeat(127)}jp`,
      'ä.jp',
      'a b.jp',
      'a\n.jp',
    ]) {
      expect(normaliseName(bad)).toBeUndefined();
    }
  });
  it('parses nameserver specs', () => {
    expect(parseNameserver('192.0.2.1')).toEqual({ host: '192.0.2.1', port: 53, family: 4 });
    expect(parseNameserver('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353, family: 4 });
    expect(parseNameserver('[::1]:5353')).toEqual({ host: '::1', port: 5353, family: 6 });
    expect(parseNameserver('2001:db8::1')).toEqual({ host: '2001:db8::1', port: 53, family: 6 });
    expect(() => parseNameserver('ns.example.jp')).toThrow(TypeError);
  });
  it('property: normaliseName never accepts a name over 253 octets or with a bad label', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const n = normaliseName(s);
        if (n === undefined) return;
        expect(n.length).toBeLessThanOrEqual(253);
        expect(n.split('.').every((l) => l.length >= 1 && l.length <= 63)).toBe(true);
      }),
    );
  });
});

describe('answers', () => {
  it('has the shapes of dns.promises.resolve (compared with Node’s resolver on the same server)', async () => {
    const node = new nodeDns.Resolver({ timeout: 2000, tries: 1 });
    node.setServers([server.server]);
    const ours = resolverFor();
    const questions: Array<[string, string]> = [
      ['example.jp', 'A'],
      ['example.jp', 'AAAA'],
      ['example.jp', 'MX'],
      ['example.jp', 'NS'],
      ['example.jp', 'TXT'],
      ['multi.example.jp', 'TXT'],
      ['www.example.jp', 'CNAME'],
      ['www.example.jp', 'A'],
      ['10.2.0.192.in-addr.arpa', 'PTR'],
      ['sel._domainkey.example.jp', 'TXT'],
    ];
    for (const [name, type] of questions) {
      // Node 24 adds `type: 'MX'` to MX records; dns.promises.resolveMx documents exchange and priority
      const expected = ((await node.resolve(name, type)) as unknown[]).map((r) =>
        r && typeof r === 'object' && 'exchange' in r
          ? { exchange: r.exchange, priority: (r as { priority?: unknown }).priority }
          : r,
      );
      expect(await ours.resolve(name, type), `${type} ${name}`).toEqual(expected);
    }
    for (const [name, type] of [
      ['nowhere.example.jp', 'A'],
      ['_dmarc.example.jp', 'A'],
    ] as const) {
      const expected = await codeOf(node.resolve(name, type));
      expect(await codeOf(ours.resolve(name, type)), `${type} ${name}`).toBe(expected);
    }
    expect(await ours.resolve('example.jp', 'MX')).toEqual([
      { exchange: 'mx2.example.jp', priority: 20 },
      { exchange: 'mx1.example.jp', priority: 10 },
    ]);
    expect(await ours.resolve('multi.example.jp', 'TXT')).toEqual([['first chunk ', 'second chunk']]);
    expect(await ours.resolve('www.example.jp')).toEqual(['192.0.2.10']);
  });

  it('falls back to TCP for an answer too big for UDP (a 3,000-byte DKIM key)', async () => {
    server.queries.reset();
    const txt = (await resolverFor().resolve('sel._domainkey.example.jp', 'TXT')) as string[][];
    expect(txt[0]?.join('')).toBe(dkimKey);
    expect(txt[0]?.length).toBe(chunks.length);
    expect(server.queries.log.map((q) => q.transport)).toEqual(['udp', 'tcp']);
  });

  it('hands out copies: changing an answer does not change the cache', async () => {
    const dns = resolverFor();
    const mx = (await dns.resolve('example.jp', 'MX')) as Array<{ priority: number }>;
    mx.sort((a, b) => a.priority - b.priority);
    mx.pop();
    expect(await dns.resolve('example.jp', 'MX')).toHaveLength(2);
  });
});

describe('caching', () => {
  it('keeps an answer for its TTL, case-insensitively, and asks again after it', async () => {
    clock = 0;
    server.queries.reset();
    const dns = resolverFor();
    await dns.resolve('example.jp', 'A');
    await dns.resolve('EXAMPLE.jp.', 'A');
    expect(server.queries.count('example.jp', 'A')).toBe(1);
    clock = 299_000;
    await dns.resolve('example.jp', 'A');
    expect(server.queries.count('example.jp', 'A')).toBe(1);
    clock = 301_000;
    await dns.resolve('example.jp', 'A');
    expect(server.queries.count('example.jp', 'A')).toBe(2);
    expect(dns.stats()).toMatchObject({ cacheHits: 2, cacheMisses: 2 });
  });

  it('takes the lowest TTL of a CNAME chain, and clamps TTLs', async () => {
    clock = 0;
    server.queries.reset();
    const dns = resolverFor({ maxTtlSeconds: 10 });
    await dns.resolve('www.example.jp', 'A'); // CNAME at 60 s
    await dns.resolve('example.jp', 'TXT'); // 300 s, clamped to 10
    clock = 11_000;
    await dns.resolve('www.example.jp', 'A');
    await dns.resolve('example.jp', 'TXT');
    expect(server.queries.count('www.example.jp', 'A')).toBe(2);
    expect(server.queries.count('example.jp', 'TXT')).toBe(2);
  });

  it('caches NXDOMAIN and NODATA for the SOA minimum (RFC 2308)', async () => {
    clock = 0;
    server.queries.reset();
    const dns = resolverFor();
    for (let i = 0; i < 2; i++) {
      expect(await codeOf(dns.resolve('nowhere.example.jp', 'TXT'))).toBe('ENOTFOUND');
      expect(await codeOf(dns.resolve('_dmarc.example.jp', 'A'))).toBe('ENODATA');
    }
    expect(server.queries.log).toHaveLength(2);
    clock = 119_000;
    await codeOf(dns.resolve('nowhere.example.jp', 'TXT'));
    expect(server.queries.log).toHaveLength(2);
    clock = 121_000;
    await codeOf(dns.resolve('nowhere.example.jp', 'TXT'));
    expect(server.queries.log).toHaveLength(3);
  });

  it('a bad name is a permanent error and is never sent', async () => {
    server.queries.reset();
    const dns = resolverFor();
    const err = await dns.resolve('a..example.jp', 'TXT').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EBADNAME', hostname: 'a..example.jp', syscall: 'queryTxt' });
    expect(await codeOf(dns.resolve('example.jp', 'SOA'))).toBe('ENOTIMP');
    expect(server.queries.log).toHaveLength(0);
  });
});

describe('temporary failures', () => {
  it('SERVFAIL, REFUSED and silence give ESERVFAIL, EREFUSED, ETIMEOUT, and are not cached', async () => {
    server.queries.reset();
    const dns = resolverFor({ timeoutMs: 100, tries: 2 });
    const cases = [
      ['servfail', 'ESERVFAIL'],
      ['refused', 'EREFUSED'],
      ['drop', 'ETIMEOUT'],
    ] as const;
    for (const [kind, code] of cases) {
      server.misbehave('broken.example.jp', { kind });
      expect(await codeOf(dns.resolve('broken.example.jp', 'TXT'))).toBe(code);
      expect(await codeOf(dns.resolve('broken.example.jp', 'TXT'))).toBe(code);
    }
    // one query for each SERVFAIL/REFUSED (next server), two tries for each timeout
    expect(server.queries.count('broken.example.jp', 'TXT')).toBe(2 + 2 + 4);
    server.misbehave('broken.example.jp', undefined);
    expect(await dns.resolve('broken.example.jp', 'TXT')).toEqual([['v=spf1 -all']]);
  });

  it('goes on to the next server after a failure', async () => {
    const second = await startDnsServer(zoneText);
    try {
      server.misbehave('broken.example.jp', { kind: 'servfail' });
      const dns = createDnsResolver({ nameservers: [server.server, second.server], timeoutMs: 1000 });
      expect(await dns.resolve('broken.example.jp', 'TXT')).toEqual([['v=spf1 -all']]);
    } finally {
      server.misbehave('broken.example.jp', undefined);
      await second.stop();
    }
  });

  it('a closed resolver cancels what is on the wire', async () => {
    server.misbehave('broken.example.jp', { kind: 'drop' });
    const dns = resolverFor({ timeoutMs: 5000 });
    const pending = codeOf(dns.resolve('broken.example.jp', 'TXT'));
    await new Promise((r) => setTimeout(r, 20));
    dns.close();
    expect(await pending).toBe('ECANCELLED');
    server.misbehave('broken.example.jp', undefined);
  });
});

describe('load', () => {
  it('never has more than maxConcurrent questions on the wire', async () => {
    const zone: Record<string, Array<{ type: 'A'; data: string }>> = {};
    for (let i = 0; i < 200; i++) zone[`n${i}.example.jp`] = [{ type: 'A', data: `192.0.2.${i}` }];
    const busy = await startDnsServer(zone);
    try {
      for (let i = 0; i < 200; i++) busy.misbehave(`n${i}.example.jp`, { kind: 'slow', delayMs: 5 });
      const dns = createDnsResolver({ nameservers: [busy.server], maxConcurrent: 8, timeoutMs: 5000 });
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => dns.resolve(`n${i}.example.jp`)),
      );
      expect(answers[17]).toEqual(['192.0.2.17']);
      expect(busy.queries.log).toHaveLength(200);
      expect(busy.queries.maxInFlight).toBeLessThanOrEqual(8);
      expect(dns.stats()).toMatchObject({ maxInFlight: 8, inFlight: 0, queued: 0 });
    } finally {
      await busy.stop();
    }
  });

  it('shares one request among identical questions in flight', async () => {
    server.queries.reset();
    server.misbehave('multi.example.jp', { kind: 'slow', delayMs: 50 });
    const dns = resolverFor();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => dns.resolve('Multi.Example.jp', 'TXT')),
    );
    server.misbehave('multi.example.jp', undefined);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(server.queries.count('multi.example.jp', 'TXT')).toBe(1);
  });
});

describe('hostile server', () => {
  it('property: random, wrong-id or cut answers end in a coded error or a valid answer', async () => {
    const known = new Set<unknown>([...PERMANENT_CODES, ...TEMPORARY_CODES]);
    const reply = fc.record({
      mode: fc.constantFrom('random', 'same-id', 'wrong-id', 'truncated', 'tc-then-random'),
      bytes: fc.uint8Array({ maxLength: 600 }),
      cut: fc.nat(),
    });
    await fc
      .assert(
        fc.asyncProperty(reply, async ({ mode, bytes, cut }) => {
          const legit = legitAnswer();
          server.setRawResponder((query, transport) => {
            const id = Buffer.from([(query.id ?? 0) >> 8, (query.id ?? 0) & 0xff]);
            const body = Buffer.from(bytes);
            switch (mode) {
              case 'random':
                return body;
              case 'same-id':
                return Buffer.concat([id, body]);
              case 'wrong-id':
                return Buffer.concat([Buffer.from([id[0] ?? 0, (id[1] ?? 0) ^ 1]), legit.subarray(2)]);
              case 'truncated': {
                const full = Buffer.concat([id, legit.subarray(2)]);
                return full.subarray(0, cut % full.length);
              }
              case 'tc-then-random':
                return transport === 'udp'
                  ? Buffer.concat([id, Buffer.from([0x82, 0x00]), legit.subarray(4)])
                  : body;
            }
          });
          const dns = resolverFor({ timeoutMs: 30, tries: 1 });
          try {
            const answer = await dns.resolve('example.jp', 'TXT');
            expect(answer).toEqual([['v=spf1 ip4:192.0.2.1 -all']]);
          } catch (err) {
            expect(known.has((err as { code?: unknown }).code), String(err)).toBe(true);
          }
        }),
        { numRuns: 60 },
      )
      .finally(() => server.setRawResponder(undefined));
  });
});

describe('cut answers', () => {
  it('an answer cut at any byte is never read as an answer', async () => {
    const legit = legitAnswer();
    try {
      for (let cut = 0; cut < legit.length; cut++) {
        server.setRawResponder((query) => {
          const full = Buffer.from(legit);
          full.writeUInt16BE(query.id ?? 0, 0);
          return full.subarray(0, cut);
        });
        expect(
          await codeOf(resolverFor({ timeoutMs: 20, tries: 1 }).resolve('example.jp', 'TXT')),
          `cut ${cut}`,
        ).toBe('ETIMEOUT');
      }
    } finally {
      server.setRawResponder(undefined);
    }
  });
});

describe('zone file subset', () => {
  it('reads TTLs, classes, comments, quoted chunks with ; and escapes', () => {
    const zone = parseZoneFile(`
      ; a comment
      A.Example.jp. 60 IN TXT "v=DMARC1; p=reject" "say \\"hi\\"" ; trailing comment
      a.example.jp MX 5 MX.example.jp.
    `);
    expect(zone['a.example.jp']).toEqual([
      { type: 'TXT', data: ['v=DMARC1; p=reject', 'say "hi"'], ttl: 60 },
      { type: 'MX', data: { preference: 5, exchange: 'mx.example.jp' } },
    ]);
    expect(() => parseZoneFile('a.example.jp IN HINFO x y')).toThrow(/unsupported/);
  });
});

/** A real answer to `example.jp TXT` with id 0, for a hostile server to tamper with. */
function legitAnswer(): Buffer {
  const name = 'example.jp';
  const txt = parseZoneFile('example.jp 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"')[name]?.[0]?.data as string[];
  return dnsPacket.encode({
    type: 'response',
    id: 0,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{ type: 'TXT', name }],
    answers: [{ type: 'TXT', name, ttl: 300, data: txt }],
  });
}

describe('mailauth end to end', () => {
  it('SPF passes 192.0.2.1, fails 192.0.2.2, and is temperror when the server fails', async () => {
    const check = async (ip: string) => {
      const dns = resolverFor();
      const result = (await spf({
        sender: 'user@example.jp',
        ip,
        helo: 'mx.example.jp',
        mta: 'mx.test',
        resolver: dns.resolve as never,
      })) as {
        status: { result: string };
      };
      return result.status.result;
    };
    expect(await check('192.0.2.1')).toBe('pass');
    expect(await check('192.0.2.2')).toBe('fail');
    server.misbehave('example.jp', { kind: 'servfail' });
    try {
      expect(await check('192.0.2.1')).toBe('temperror');
    } finally {
      server.misbehave('example.jp', undefined);
    }
  });
});
