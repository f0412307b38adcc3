/**
 * The Public Suffix List's own test vectors (tests/test_psl.txt) against the Organizational
 * Domain functions the mail path uses (issue 11 item 6; measure E2: DMARC relaxed alignment
 * compares Organizational Domains, so a wrong one aligns a stranger's domain or breaks a real
 * sender's alignment; E3: brand and reputation keys).
 *
 * - mailauth 7.1's DMARC relaxed alignment (`getAlignment` in mailauth/lib/tools.js) computes the
 *   Organizational Domain with ITS OWN nested tldts (7.4.x) and `allowPrivateDomains: true`. The
 *   DMARC policy discovery itself is the RFC 9989 DNS Tree Walk (no PSL; see
 *   src/channels/mail/dmarc-rfc9989.test.ts), so the PSL only matters for alignment.
 *   Tested two ways: the same tldts call, and `getAlignment` itself (the input aligns with the
 *   expected domain, and with nothing else under the same suffix).
 * - Mamoru's `registrableDomain` (src/intel/normalise-domain.ts, top-level tldts 7.5.x), which
 *   the URL, brand and reputation code keys domains by.
 *
 * The vectors assume the list at the PSL commit in PROVENANCE.txt; tldts bundles its own copy.
 */
import { createRequire } from 'node:module';
import { domainToASCII, domainToUnicode } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asciiHostname, registrableDomain } from '../../src/intel/normalise-domain.ts';
import { type PslCase, parsePslTests } from './parsers.ts';
import { partition, suiteFile } from './suite.ts';

const requireFromMailauth = createRequire(createRequire(import.meta.url).resolve('mailauth'));
const mailauthTldts = requireFromMailauth('tldts') as {
  getDomain(host: string, options: Record<string, boolean>): string | null;
};
const { getAlignment } = requireFromMailauth('./tools.js') as {
  getAlignment(from: string, list: { domain: string }[], strict: boolean): { domain: string } | false;
};
/** mailauth/lib/tools.js TLDTS_OPTS. */
const MAILAUTH_TLDTS_OPTS = { allowIcannDomains: true, allowPrivateDomains: true };

const cases = parsePslTests(suiteFile('psl-orgdomain', 'test_psl.txt')).map((c, i) => ({
  name: `${String(i + 1).padStart(2, '0')} ${c.input} -> ${c.expected}`,
  data: c,
}));

/** The registrable domain written like the input (the vectors keep U-labels as given). */
const asInput = (input: string, domain: string): string =>
  /[^\p{ASCII}]/u.test(input) ? domainToUnicode(domain) : domain;

/** mailauth's Organizational Domain of a host, as its relaxed alignment computes it. */
function mailauthOrgDomain(input: string | null): string | null {
  if (input === null) return null;
  return mailauthTldts.getDomain(input.toLowerCase(), MAILAUTH_TLDTS_OPTS);
}

const LEADING_DOT =
  'tldts drops a leading dot and gives the registrable domain of the rest; the vectors want null for a name with an empty label. In mailauth a From domain like ".example.com" would then align with example.com (our address parsing must refuse it first)';
const MAILAUTH_KNOWN_FAILURES: Readonly<Record<string, string>> = {
  '07 .example.com -> null': LEADING_DOT,
  '08 .example.example -> null': LEADING_DOT,
};
const MAMORU_KNOWN_FAILURES: Readonly<Record<string, string>> = {};

describe('PSL vectors, mailauth DMARC alignment (nested tldts, private suffixes on)', () => {
  const check = ({ input, expected }: PslCase): void => {
    const got = mailauthOrgDomain(input);
    expect(got === null || input === null ? got : asInput(input, got)).toBe(expected);
    if (input === null || expected === null) return;
    // getAlignment itself: relaxed alignment of the input with its Organizational Domain
    const ascii = domainToASCII(input.toLowerCase());
    expect(getAlignment(ascii, [{ domain: domainToASCII(expected) }], false)).toBeTruthy();
  };
  const { pass, fail } = partition(cases, MAILAUTH_KNOWN_FAILURES);
  it.each(pass)('%s', (_name, c) => check(c));
  if (fail.length > 0) it.fails.each(fail)('%s', (_name, c) => check(c));
});

describe("PSL vectors, Mamoru's registrableDomain (tldts, private suffixes on)", () => {
  const check = ({ input, expected }: PslCase): void => {
    let got: string | null = null;
    if (input !== null) {
      const host = asciiHostname(input.toLowerCase());
      const domain = typeof host === 'string' ? registrableDomain(host, { privateSuffixes: true }) : host;
      got = typeof domain === 'string' ? asInput(input, domain) : null;
    }
    expect(got).toBe(expected);
  };
  const { pass, fail } = partition(cases, MAMORU_KNOWN_FAILURES);
  it.each(pass)('%s', (_name, c) => check(c));
  if (fail.length > 0) it.fails.each(fail)('%s', (_name, c) => check(c));
});
