/**
 * Stalwart mail-auth's DKIM and ARC vectors (resources/dkim, resources/arc: real messages from
 * Gmail, IETF lists, Facebook, GitHub, Topicbox and the RFC 8463 example, with their keys) run
 * against mailauth's `dkimVerify()` and `arc()` through our DNS resolver and the loopback DNS
 * server (issue 11 item 6; measures E2, E3).
 *
 * Upstream's assertions, kept: for dkim/NNN.txt the LAST DKIM-Signature verifies (pass) when
 * checked at unix time 1667843664 (src/dkim/verify.rs), for arc/NNN.txt the ARC result is pass
 * and at least one DKIM signature passes (src/arc/verify.rs). The vector files have LF line ends;
 * upstream converts them to CRLF, and so do we.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { arc } from 'mailauth/lib/arc/index.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import type { ZoneRecord } from '../helpers/dns-server.ts';
import { parseRecordsAndMessage, type RecordsAndMessage, txtStrings } from './parsers.ts';
import { partition, SUITES_DIR, suiteDns, suiteFile } from './suite.ts';

const SUITE = 'stalwart-mail-auth';
/** Upstream's verification time (src/dkim/verify.rs). */
const NOW = new Date(1667843664 * 1000);

const vectors = (dir: string): { name: string; data: RecordsAndMessage }[] =>
  readdirSync(join(SUITES_DIR, SUITE, dir))
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => ({ name: `${dir}/${f}`, data: parseRecordsAndMessage(suiteFile(SUITE, `${dir}/${f}`)) }));

const dns = suiteDns();

async function verify(v: RecordsAndMessage) {
  const zone: Record<string, ZoneRecord[]> = {};
  for (const [name, values] of v.records)
    zone[name] = values.map((t) => ({ type: 'TXT', data: txtStrings(t) }));
  dns.serve(zone);
  const resolver = dns.resolver();
  try {
    const dkim = await dkimVerify(Buffer.from(v.message), {
      resolver: resolver.resolve as never,
      curTime: NOW,
    });
    const sealed = await arc(dkim.arc as never, { resolver: resolver.resolve as never });
    return { dkim, arc: sealed };
  } finally {
    resolver.close();
  }
}

const DKIM_KNOWN_FAILURES: Readonly<Record<string, string>> = {};
const ARC_KNOWN_FAILURES: Readonly<Record<string, string>> = {};

describe('Stalwart DKIM vectors: the last signature passes', () => {
  const check = async (v: RecordsAndMessage): Promise<void> => {
    const { dkim } = await verify(v);
    const results = dkim.results ?? [];
    expect(results.length).toBeGreaterThan(0);
    expect(results.at(-1)?.status.result).toBe('pass');
  };
  const { pass, fail } = partition(vectors('dkim'), DKIM_KNOWN_FAILURES);
  it.each(pass)('%s', async (_name, v) => check(v));
  if (fail.length > 0) it.fails.each(fail)('%s', async (_name, v) => check(v));
});

describe('Stalwart ARC vectors: the chain passes and a DKIM signature passes', () => {
  const check = async (v: RecordsAndMessage): Promise<void> => {
    const result = await verify(v);
    expect(result.arc.status.result).toBe('pass');
    expect((result.dkim.results ?? []).some((r) => r.status.result === 'pass')).toBe(true);
  };
  const { pass, fail } = partition(vectors('arc'), ARC_KNOWN_FAILURES);
  it.each(pass)('%s', async (_name, v) => check(v));
  if (fail.length > 0) it.fails.each(fail)('%s', async (_name, v) => check(v));
});
