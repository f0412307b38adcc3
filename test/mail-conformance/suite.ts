/**
 * Shared loaders for the mail-authentication conformance suites (issue 11 item 6; measures E2,
 * E3: SPF, DKIM, ARC and DMARC read the sender's DNS; E4: a wrong pass or fail there blocks
 * real mail or lets a spoof through).
 *
 * Every suite runs through OUR resolver (`createDnsResolver`) asking the loopback authoritative
 * server of `test/helpers/dns-server.ts`, which serves the suite's own zone data: the same path
 * the mail channel takes in production, with no mocked resolver function in between. Where a
 * suite can, it runs through the mail channel's authentication (`authenticateMail`, what the
 * `mail.auth` enrichment calls: mailauth's `authenticate()` as we configure it), and where it
 * helps to see mailauth's RFC-exact mode, through mailauth's functions directly as well.
 *
 * The suites are copies under `test/fixtures/mail-suites/<suite>/` with their licence and
 * PROVENANCE.txt, so the tests run on a fresh clone without `../shared`.
 *
 * Counting: a case the implementation cannot pass for a reason that is not our bug is listed in
 * the suite's known-failures map with the reason, and runs as `it.fails` under a name starting
 * with `KNOWN_FAILURE_MARK`, so that `scripts/mail-conformance.ts` can count passed / expected
 * failures / total from vitest's JSON report, and a fix turns the case red.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spf } from 'mailauth/lib/spf/index.js';
import { afterAll, beforeAll } from 'vitest';
import { authenticateMail, type MailAuthResult } from '../../src/channels/mail/auth/authenticate.ts';
import { createDnsResolver, type DnsResolver } from '../../src/channels/mail/dns-resolver.ts';
import type { MailEnvelope } from '../../src/channels/mail/mail-schema.ts';
import { type RunningDnsServer, startDnsServer, type Zone } from '../helpers/dns-server.ts';

export const SUITES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'mail-suites');

/** A file of a copied suite, as text (latin1 keeps every byte of 8-bit test data). */
export function suiteFile(suite: string, file: string, encoding: BufferEncoding = 'utf8'): string {
  return readFileSync(join(SUITES_DIR, suite, file), encoding);
}

/** Prefix of the test names of known failures (run as `it.fails`). */
export const KNOWN_FAILURE_MARK = '[known failure]';

/** One case of a suite: its name and whether (and why) it is a known failure. */
export interface SuiteCase<T> {
  readonly name: string;
  readonly data: T;
  readonly knownFailure?: string;
}

/** Splits cases into the plain and the known-failure ones, with the test names vitest shows. */
export function partition<T>(
  cases: readonly { name: string; data: T }[],
  known: Readonly<Record<string, string>>,
): { pass: [string, T][]; fail: [string, T, string][] } {
  const names = new Set(cases.map((c) => c.name));
  for (const name of Object.keys(known)) {
    // a stale entry would hide nothing, but it is a sign the map drifted from the suite
    if (!names.has(name)) throw new Error(`known failure "${name}" is not a case of the suite`);
  }
  const pass: [string, T][] = [];
  const fail: [string, T, string][] = [];
  for (const c of cases) {
    const reason = known[c.name];
    if (reason) fail.push([`${KNOWN_FAILURE_MARK} ${c.name}: ${reason}`, c.data, reason]);
    else pass.push([c.name, c.data]);
  }
  return { pass, fail };
}

/** The loopback DNS server for one test file, started in beforeAll and stopped in afterAll. */
export interface SuiteDns {
  readonly server: () => RunningDnsServer;
  /**
   * Serves a zone. A query for a name in `timeouts` goes unanswered (the client times out) when
   * the zone has no record of the asked type for that name: the OpenSPF drivers' TIMEOUT rule.
   */
  serve(zone: Zone, timeouts?: readonly string[]): void;
  /** A fresh resolver (empty cache) on the server; close it after use. */
  resolver(): DnsResolver;
}

/** Resolver wait per query for the suites' TIMEOUT entries: short, one try. */
export const SUITE_DNS_TIMEOUT_MS = 150;

const lower = (name: string): string => name.replace(/\.$/, '').toLowerCase();

export function suiteDns(): SuiteDns {
  let running: RunningDnsServer | undefined;
  beforeAll(async () => {
    // the server binds UDP on a free port and then TCP on the same number, which another process
    // may hold (EADDRINUSE) while 8 engineers' tests run: try a few ports before giving up
    for (let attempt = 1; !running; attempt++) {
      try {
        running = await startDnsServer({});
      } catch (error) {
        if (attempt >= 5) throw error;
      }
    }
  });
  afterAll(async () => {
    await running?.stop();
  });
  const server = (): RunningDnsServer => {
    if (!running) throw new Error('DNS server not started');
    return running;
  };
  return {
    server,
    serve(zone, timeouts = []) {
      const s = server();
      s.setZone(zone);
      const silent = new Set(timeouts.map(lower));
      const types = new Map<string, Set<string>>();
      for (const [name, records] of Object.entries(zone)) {
        const set = types.get(lower(name)) ?? new Set<string>();
        for (const r of records) set.add(r.type);
        types.set(lower(name), set);
      }
      s.setRawResponder(
        silent.size === 0
          ? undefined
          : (query) => {
              const q = query.questions?.[0];
              if (!q || !silent.has(lower(q.name))) return undefined;
              return types.get(lower(q.name))?.has(q.type) ? undefined : null;
            },
      );
    },
    resolver: () =>
      createDnsResolver({ nameservers: [server().server], timeoutMs: SUITE_DNS_TIMEOUT_MS, tries: 1 }),
  };
}

/** This MTA's name in the suites' runs. */
export const SUITE_AUTHSERV_ID = 'mx.mamoru.test';

/**
 * One message through the mail channel's authentication (`authenticateMail`) with a fresh
 * resolver on the suite's DNS server.
 */
export async function throughAuthPath(
  dns: SuiteDns,
  bytes: Buffer,
  envelope: Omit<MailEnvelope, 'rcptTo'> = {},
): Promise<MailAuthResult> {
  const resolver = dns.resolver();
  try {
    return await authenticateMail({
      bytes,
      envelope: { ...envelope, rcptTo: [`postmaster@${SUITE_AUTHSERV_ID}`] },
      resolver,
      authServId: SUITE_AUTHSERV_ID,
    });
  } finally {
    resolver.close();
  }
}

/** A message for the SPF suites: SPF reads the envelope, not the message. */
const SPF_MESSAGE = Buffer.from('From: spf-suite@mamoru.test\r\nSubject: SPF\r\n\r\nSPF suite.\r\n');

/**
 * The SPF result (and explanation) of one SPF suite case: through the channel's authentication
 * (`strict` false, mailauth's lenient default as the channel runs it), or mailauth's `spf()` in
 * strict mode, both on a fresh resolver on the suite's DNS server.
 */
export async function spfOf(
  dns: SuiteDns,
  c: { readonly ip: string; readonly helo: string; readonly mailFrom: string },
  strict: boolean,
): Promise<{ result: string; explanation?: string }> {
  if (!strict) {
    const auth = await throughAuthPath(dns, SPF_MESSAGE, {
      clientIp: c.ip,
      helo: c.helo,
      mailFrom: c.mailFrom,
    });
    return {
      result: auth.spf.result,
      ...(auth.spf.explanation ? { explanation: auth.spf.explanation } : {}),
    };
  }
  const resolver = dns.resolver();
  try {
    const result = await spf({
      sender: c.mailFrom,
      ip: c.ip,
      helo: c.helo,
      mta: SUITE_AUTHSERV_ID,
      resolver: resolver.resolve as never,
      strict,
    });
    const explanation = (result as { explanation?: string }).explanation;
    return { result: result.status.result, ...(explanation ? { explanation } : {}) };
  } finally {
    resolver.close();
  }
}
