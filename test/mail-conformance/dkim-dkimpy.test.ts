/**
 * dkimpy's DKIM test data (RFC 6376 and RFC 8463 ed25519 messages, keys and key records) run
 * through mailauth's `dkimVerify()` / `dkimSign()` with our DNS resolver and the loopback DNS
 * server (issue 11 item 6; measures E2, E3: DKIM, including ed25519, is what DMARC aligns).
 *
 * dkimpy keeps its expectations in Python test code (tests/test_dkim.py, test_dkim_ed25519.py,
 * not copied); the cases here re-express them with the RFC clause that decides each:
 * - verify: the signed example messages (rfc6376.signed.msg: an ed25519-sha256 and an rsa-sha256
 *   signature made by dkimpy; ed25519test2.msg: an ed25519 signature made by Exim) pass with the
 *   key records dkimpy publishes for them;
 * - sign and verify: the message signed with dkimpy's private keys passes against the matching
 *   record and does not pass against a broken one (altered key, unknown k=, malformed v=), nor
 *   after the body is changed.
 */
import { createPrivateKey } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import type { Zone } from '../helpers/dns-server.ts';
import { txtStrings } from './parsers.ts';
import { partition, suiteDns, suiteFile } from './suite.ts';

const SUITE = 'dkim-dkimpy';
const file = (name: string): string => suiteFile(SUITE, name).trim();
const crlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
const txt = (value: string) => [{ type: 'TXT' as const, data: txtStrings(value) }];

/** RFC 8463 appendix A / RFC 8032 7.1 TEST 1 public key (the brisbane selector). */
const BRISBANE = 'v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';

/** An ed25519 private key from dkimpy's raw base64 seed and the record's public key. */
function ed25519Pem(seedBase64: string, record: string): string {
  const x = /p=([A-Za-z0-9+/=]+)/.exec(record)?.[1] ?? '';
  const b64url = (b64: string) => Buffer.from(b64, 'base64').toString('base64url');
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: b64url(seedBase64), x: b64url(x) },
    format: 'jwk',
  })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

interface Vector {
  readonly zone: Zone;
  /** The message to verify, or how to sign it first. */
  readonly message: string;
  readonly sign?: {
    privateKey: string;
    algorithm: string;
    domain: string;
    selector: string;
    alterBody?: boolean;
  };
  /** Expected result of every signature. */
  readonly expected: 'pass' | 'not pass';
}

const rsaKey = (): string => suiteFile(SUITE, 'test.private');
const rsaSigned = (record: string, alterBody = false): Vector => ({
  zone: { 'test._domainkey.example.com': txt(record) },
  message: crlf(suiteFile(SUITE, 'test.message')),
  sign: { privateKey: rsaKey(), algorithm: 'rsa-sha256', domain: 'example.com', selector: 'test', alterBody },
  expected:
    record === file('test.txt') || record === file('test2.txt')
      ? alterBody
        ? 'not pass'
        : 'pass'
      : 'not pass',
});
const edSigned = (alterBody: boolean): Vector => ({
  zone: { 'test._domainkey.example.com': txt(file('ed25519test.dns')) },
  message: crlf(suiteFile(SUITE, 'ed25519test.msg')),
  sign: {
    privateKey: ed25519Pem(file('ed25519test.key'), file('ed25519test.dns')),
    algorithm: 'ed25519-sha256',
    domain: 'example.com',
    selector: 'test',
    alterBody,
  },
  expected: alterBody ? 'not pass' : 'pass',
});

const cases: { name: string; data: Vector }[] = [
  {
    name: 'verify rfc6376.signed.msg: ed25519-sha256 (s=brisbane) and rsa-sha256 (s=test) both pass (RFC 8463 3, RFC 6376 6)',
    data: {
      zone: {
        'brisbane._domainkey.football.example.com': txt(BRISBANE),
        'test._domainkey.football.example.com': txt(file('test.txt')),
      },
      message: crlf(suiteFile(SUITE, 'rfc6376.signed.msg')),
      expected: 'pass',
    },
  },
  {
    name: 'verify ed25519test2.msg: an Exim-made ed25519-sha256 signature passes with eximtest.dns (RFC 8463)',
    data: {
      zone: { 'sed._domainkey.test.ex': txt(file('eximtest.dns')) },
      message: crlf(suiteFile(SUITE, 'ed25519test2.msg')),
      expected: 'pass',
    },
  },
  { name: 'sign+verify rsa-sha256 with test.txt passes', data: rsaSigned(file('test.txt')) },
  {
    name: 'sign+verify rsa-sha256 with test2.txt (no k=, rsa implied, RFC 6376 3.6.1) passes',
    data: rsaSigned(file('test2.txt')),
  },
  {
    name: 'sign+verify rsa-sha256 with test_bad.txt (altered public key) does not pass',
    data: rsaSigned(file('test_bad.txt')),
  },
  {
    name: 'sign+verify rsa-sha256 with badk.txt (unknown k=ed25519-sha256, RFC 6376 3.6.1) does not pass',
    data: rsaSigned(file('badk.txt')),
  },
  {
    name: 'sign+verify rsa-sha256 with badversion.txt (malformed "v=DKIM1:", RFC 6376 3.6.1) does not pass',
    data: rsaSigned(file('badversion.txt')),
  },
  {
    name: 'sign+verify rsa-sha256, body changed after signing, does not pass (RFC 6376 6.1.3)',
    data: rsaSigned(file('test.txt'), true),
  },
  {
    name: 'sign+verify ed25519-sha256 with ed25519test.key / ed25519test.dns passes (RFC 8463)',
    data: edSigned(false),
  },
  { name: 'sign+verify ed25519-sha256, body changed after signing, does not pass', data: edSigned(true) },
];

const KNOWN_FAILURES: Readonly<Record<string, string>> = {};

const dns = suiteDns();

async function check(v: Vector): Promise<void> {
  let message = v.message;
  if (v.sign) {
    const signed = await dkimSign(message, {
      signatureData: [
        {
          signingDomain: v.sign.domain,
          selector: v.sign.selector,
          privateKey: v.sign.privateKey,
          algorithm: v.sign.algorithm,
          canonicalization: 'relaxed/relaxed',
        },
      ],
    } as never);
    expect(signed.errors).toEqual([]);
    expect(signed.signatures).toMatch(/^DKIM-Signature: /);
    message = signed.signatures + message;
    if (v.sign.alterBody) message = `${message}An added line.\r\n`;
  }
  dns.serve(v.zone);
  const resolver = dns.resolver();
  try {
    const verified = await dkimVerify(Buffer.from(message), { resolver: resolver.resolve as never });
    const results = (verified.results ?? []).map((r) => r.status.result);
    expect(results.length).toBeGreaterThan(0);
    expect(results).not.toContain('none'); // a signature was found and judged
    if (v.expected === 'pass') expect(results.every((r) => r === 'pass')).toBe(true);
    else expect(results.some((r) => r === 'pass')).toBe(false);
  } finally {
    resolver.close();
  }
}

describe('dkimpy vectors, mailauth dkimVerify()/dkimSign()', () => {
  const { pass, fail } = partition(cases, KNOWN_FAILURES);
  it.each(pass)('%s', async (_name, v) => check(v));
  if (fail.length > 0) it.fails.each(fail)('%s', async (_name, v) => check(v));
});
