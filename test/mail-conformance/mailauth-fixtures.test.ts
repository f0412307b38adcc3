/**
 * mailauth's own test fixtures that need no live DNS (issue 11 item 6; measures E2, E3), through
 * our DNS resolver and the loopback DNS server:
 * - dkim-ec/signed.eml with dkim-ec/dns.json (mailauth's resolver format `{name: {TXT: [[chunks]]}}`):
 *   the RFC 8463 appendix A football.example.com message, ed25519-sha256 and rsa-sha256, both pass;
 * - its test keys: a message signed with private-rsa.pem / private-ed25519.pem passes against the
 *   record made from the public key, and one signed with the deliberately weak private-small.pem
 *   (512-bit) gets `policy` as the auth path runs mailauth (RFC 8301 3.2: keys under 1024 bits),
 *   and passes only when the bound is lowered.
 * The fixture messages with real-world ARC/DKIM/BIMI signatures (arc-pass.eml, bimi.eml, ...) need
 * the senders' live DNS keys, which the suite does not carry: they are not run (see
 * docs/mail-conformance.md).
 */
import { createPublicKey } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import type { Zone, ZoneRecord } from '../helpers/dns-server.ts';
import { txtStrings } from './parsers.ts';
import { partition, suiteDns, suiteFile } from './suite.ts';

const SUITE = 'mailauth-fixtures';
const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');

/** mailauth's resolver-format DNS file as a zone (TXT only). */
function zoneFromResolverJson(json: string): Zone {
  const zone: Record<string, ZoneRecord[]> = {};
  for (const [name, types] of Object.entries(JSON.parse(json) as Record<string, { TXT?: string[][] }>)) {
    zone[name] = (types.TXT ?? []).map((chunks) => ({ type: 'TXT', data: chunks }));
  }
  return zone;
}

/** A DKIM key record for a PEM public key (RSA: the SPKI; ed25519: the raw 32 bytes, RFC 8463 4). */
function keyRecord(publicPem: string): string {
  const key = createPublicKey(publicPem);
  const spki = key.export({ type: 'spki', format: 'der' });
  return key.asymmetricKeyType === 'ed25519'
    ? `v=DKIM1; k=ed25519; p=${spki.subarray(-32).toString('base64')}`
    : `v=DKIM1; k=rsa; p=${spki.toString('base64')}`;
}

interface Vector {
  readonly zone: () => Zone;
  readonly message: () => Promise<string>;
  readonly minBitLength?: number;
  /** Expected result of every signature. */
  readonly expected: string;
}

const signed = (privateFile: string, algorithm: string) => async (): Promise<string> => {
  const message = crlf(suiteFile(SUITE, 'message1.eml'));
  const result = await dkimSign(message, {
    signatureData: [
      {
        signingDomain: 'example.com',
        selector: 'test',
        privateKey: suiteFile(SUITE, privateFile),
        algorithm,
        canonicalization: 'relaxed/relaxed',
      },
    ],
  } as never);
  expect(result.errors).toEqual([]);
  expect(result.signatures).toMatch(/^DKIM-Signature: /);
  return result.signatures + message;
};
const keyZone = (publicFile: string) => (): Zone => ({
  'test._domainkey.example.com': [{ type: 'TXT', data: txtStrings(keyRecord(suiteFile(SUITE, publicFile))) }],
});

const cases: { name: string; data: Vector }[] = [
  {
    name: 'dkim-ec/signed.eml: RFC 8463 appendix A, ed25519-sha256 and rsa-sha256 both pass',
    data: {
      zone: () => zoneFromResolverJson(suiteFile(SUITE, 'dkim-ec/dns.json')),
      message: async () => crlf(suiteFile(SUITE, 'dkim-ec/signed.eml')),
      expected: 'pass',
    },
  },
  {
    name: 'message1.eml signed with private-rsa.pem passes',
    data: {
      zone: keyZone('public-rsa.pem'),
      message: signed('private-rsa.pem', 'rsa-sha256'),
      expected: 'pass',
    },
  },
  {
    name: 'message1.eml signed with private-ed25519.pem passes (RFC 8463)',
    data: {
      zone: keyZone('public-ed25519.pem'),
      message: signed('private-ed25519.pem', 'ed25519-sha256'),
      expected: 'pass',
    },
  },
  {
    name: 'message1.eml signed with the 512-bit private-small.pem is policy (RFC 8301 3.2), as the auth path runs mailauth',
    data: {
      zone: keyZone('public-small.pem'),
      message: signed('private-small.pem', 'rsa-sha256'),
      expected: 'policy',
    },
  },
  {
    name: 'message1.eml signed with the 512-bit private-small.pem passes with minBitLength 512',
    data: {
      zone: keyZone('public-small.pem'),
      message: signed('private-small.pem', 'rsa-sha256'),
      minBitLength: 512,
      expected: 'pass',
    },
  },
];

const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

const dns = suiteDns();

async function check(v: Vector): Promise<void> {
  const message = await v.message();
  dns.serve(v.zone());
  const resolver = dns.resolver();
  try {
    const verified = await dkimVerify(Buffer.from(message), {
      resolver: resolver.resolve as never,
      ...(v.minBitLength ? { minBitLength: v.minBitLength } : {}),
    });
    const results = (verified.results ?? []).map((r) => r.status.result);
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r === v.expected)).toBe(true);
  } finally {
    resolver.close();
  }
}

describe('mailauth fixtures without live DNS, mailauth dkimVerify()/dkimSign()', () => {
  const { pass, fail } = partition(cases, KNOWN_FAILURES);
  it.each(pass)('%s', async (_name, v) => check(v));
  if (fail.length > 0) it.fails.each(fail)('%s', async (_name, v) => check(v));
});
