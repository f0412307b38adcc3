/**
 * The ValiMail ARC signing suite (arc-draft-sign-tests.yml) against mailauth's `sealMessage()`
 * (issue 11 item 6; measure E2: when Mamoru forwards released mail it may seal it, and a seal
 * other receivers cannot verify breaks the sender's DMARC there). One test per case.
 *
 * What a sealer decides is checked against the suite's expected ARC-Seal and
 * ARC-Message-Signature: the chain's state (cv=, from verifying the existing chain through our
 * resolver), the instance (i=), the body hash (bh=, relaxed canonicalisation of the body), the
 * signed header fields (h=, as a set: their order is the signer's choice), and that the sealed message then verifies (ARC pass through
 * `authenticateMail`, or fail when the chain was already broken). The b= values are not compared
 * byte for byte: they sign the ARC header fields themselves, whose tag order and folding RFC 8617
 * leaves to the sealer (the suite's were made by dkimpy), so they are checked by verifying
 * instead. `no_additional_sig`: a chain whose newest seal says cv=fail gets no new set (RFC 8617
 * 5.1.2). The AAR is the consolidated Authentication-Results of `srv-id`, as the suite's README
 * describes, given to mailauth.
 */
import { arc, sealMessage } from 'mailauth/lib/arc/index.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Zone, ZoneRecord } from '../helpers/dns-server.ts';
import { txtStrings } from './parsers.ts';
import { partition, suiteDns, suiteFile, throughAuthPath } from './suite.ts';

interface SignCase {
  readonly message: string;
  readonly t: number;
  readonly sigHeaders: string;
  readonly srvId: string;
  /** Expected tags of the new ARC-Seal / ARC-Message-Signature; null: no new set. */
  readonly as: Record<string, string> | null;
  readonly ams: Record<string, string> | null;
  readonly domain: string;
  readonly selector: string;
  readonly privateKey: string;
  readonly zone: Zone;
}

/** `tag=value; …` with folding whitespace removed from the values (b=, bh= wrap lines). */
function tags(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).replace(/\s+/g, '');
  }
  return out;
}

function loadCases(): { name: string; data: SignCase }[] {
  const cases: { name: string; data: SignCase }[] = [];
  for (const doc of parseAllDocuments(suiteFile('arc-valimail', 'arc-draft-sign-tests.yml'))) {
    const s = doc.toJS() as {
      tests: Record<string, Record<string, unknown>>;
      domain: string;
      sel: string;
      privatekey: string;
      'txt-records'?: Record<string, string>;
    } | null;
    if (!s) continue;
    const zone: Record<string, ZoneRecord[]> = {};
    for (const [name, value] of Object.entries(s['txt-records'] ?? {})) {
      zone[name] = [{ type: 'TXT', data: txtStrings(String(value).replace(/\s*\n\s*/g, '')) }];
    }
    for (const [name, t] of Object.entries(s.tests)) {
      const as = String(t.AS ?? '').trim();
      cases.push({
        name,
        data: {
          message: String(t.message ?? '').replace(/\r?\n/g, '\r\n'),
          t: Number(t.t),
          sigHeaders: String(t['sig-headers'] ?? ''),
          srvId: String(t['srv-id'] ?? ''),
          as: as ? tags(as) : null,
          ams: as ? tags(String(t.AMS ?? '')) : null,
          domain: s.domain,
          selector: s.sel,
          privateKey: s.privatekey,
          zone,
        },
      });
    }
  }
  return cases;
}

/**
 * The suite's AR consolidation (README "AR Consolidation"): the results of every
 * Authentication-Results header field of `srvId`, in order, after the authserv-id.
 */
function consolidatedResults(message: string, srvId: string): string {
  const head = message.split('\r\n\r\n')[0] ?? '';
  const fields = head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  const results: string[] = [];
  for (const field of fields) {
    const m = /^Authentication-Results:\s*(.*)$/i.exec(field);
    if (!m?.[1]) continue;
    const [id, ...rest] = m[1].split(';').map((p) => p.trim());
    if (id?.toLowerCase() !== srvId.toLowerCase()) continue;
    results.push(...rest.filter(Boolean));
  }
  return [srvId, ...results].join('; ');
}

const cases = loadCases();
const dns = suiteDns();

async function check(c: SignCase): Promise<void> {
  dns.serve(c.zone);
  const resolver = dns.resolver();
  let headers: Buffer;
  let cv: string;
  try {
    // the sealer's chain validation of what it received (RFC 8617 5.1.1)
    const verified = await dkimVerify(Buffer.from(c.message), { resolver: resolver.resolve as never });
    cv = (await arc(verified.arc as never, { resolver: resolver.resolve as never })).status.result;
    headers = await sealMessage(Buffer.from(c.message), {
      signingDomain: c.domain,
      selector: c.selector,
      privateKey: c.privateKey,
      cv,
      authResults: consolidatedResults(c.message, c.srvId),
      headerList: c.sigHeaders.split(':'),
      signTime: new Date(c.t * 1000),
    } as never);
  } finally {
    resolver.close();
  }
  const added = headers.toString();
  if (!c.as || !c.ams) {
    expect(added).toBe('');
    return;
  }
  const fields = added.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  const field = (name: string): Record<string, string> => {
    const line = fields.find((f) => f.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    expect(line, name).toBeDefined();
    return tags((line ?? '').slice(name.length + 1));
  };
  const as = field('ARC-Seal');
  const ams = field('ARC-Message-Signature');
  for (const tag of ['a', 'cv', 'd', 'i', 's', 't']) expect(as[tag], `AS ${tag}=`).toBe(c.as[tag]);
  for (const tag of ['a', 'bh', 'c', 'd', 'i', 's', 't']) expect(ams[tag], `AMS ${tag}=`).toBe(c.ams[tag]);
  // the same fields signed; their order in h= is the signer's choice (RFC 6376 5.4.2)
  const fieldSet = (h: string | undefined) => (h ?? '').toLowerCase().split(':').sort();
  expect(fieldSet(ams.h)).toEqual(fieldSet(c.ams.h));
  // the new seal verifies: ARC pass, or fail when the chain it sealed was broken
  const auth = await throughAuthPath(dns, Buffer.from(added + c.message));
  expect(auth.arc.result).toBe(c.as.cv === 'fail' ? 'fail' : 'pass');
}

const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

describe('ValiMail ARC signing suite, mailauth sealMessage()', () => {
  const { pass, fail } = partition(cases, KNOWN_FAILURES);
  it.each(pass)('%s', async (_name, c) => check(c));
  if (fail.length > 0) it.fails.each(fail)('%s', async (_name, c) => check(c));
});
