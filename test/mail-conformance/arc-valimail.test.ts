/**
 * The ValiMail ARC validation suite (arc-draft-validation-tests.yml, RFC 8617 era) run against
 * the mail channel's authentication and mailauth's `dkimVerify()` + `arc()`, through our DNS resolver
 * and the loopback DNS server (issue 11 item 6; measure E2: a sealed ARC chain from a trusted
 * forwarder may relax a DMARC reject, so a wrong "pass" lets a spoof through). One test per case.
 *
 * Driver rules: each scenario's `txt-records` are served as TXT (split into 255-octet strings as
 * a zone file would); messages come with LF line ends from YAML and are sent with CRLF, as on the
 * wire; the suite's `cv` (Pass, Fail, None) is compared with mailauth's ARC result. Three cases
 * expect an EMPTY cv (draft-18 era: the reference runner, dkimpy, returned Python None for a
 * chain whose newest seal already says cv=fail); RFC 8617 5.2 step 2 and 3C make that "fail", so
 * those three expect "fail" (`RFC8617_OVERRIDES`, each with its clause, shown in the test name). The suite's seals carry t=12345 (1970) and no x=, so the clock does not matter.
 * Run twice: through `authenticateMail` (the mail channel's authentication: mailauth's
 * `authenticate()` in its lenient default), and mailauth's `dkimVerify()` + `arc()` in `strict`
 * mode (RFC 8617 syntax rules).
 */
import { arc } from 'mailauth/lib/arc/index.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Zone, ZoneRecord } from '../helpers/dns-server.ts';
import { txtStrings } from './parsers.ts';
import { partition, suiteDns, suiteFile, throughAuthPath } from './suite.ts';

interface ArcCase {
  readonly scenario: number;
  readonly message: string;
  readonly cv: string;
}

/** Cases whose empty (draft-era) cv RFC 8617 turns into "fail", with the clause. */
const RFC8617_OVERRIDES: Readonly<Record<string, string>> = {
  cv_fail_i1_as_cv_fail: '[RFC 8617 5.2 step 3C: cv=fail at i=1 -> fail; suite: empty cv]',
  cv_fail_i2_as2_fail: '[RFC 8617 5.2 step 2: newest seal cv=fail -> fail; suite: empty cv]',
  cv_fail_i2_as1_fail: '[RFC 8617 5.2 step 3C: cv=fail at i=1 -> fail; suite: empty cv]',
};

function loadSuite(): { zones: Zone[]; cases: { name: string; data: ArcCase }[] } {
  const zones: Zone[] = [];
  const cases: { name: string; data: ArcCase }[] = [];
  for (const doc of parseAllDocuments(suiteFile('arc-valimail', 'arc-draft-validation-tests.yml'))) {
    const scenario = doc.toJS() as {
      tests: Record<string, { message?: string | null; cv?: string | null }>;
      'txt-records'?: Record<string, string>;
    } | null;
    if (!scenario) continue;
    const zone: Record<string, ZoneRecord[]> = {};
    for (const [name, value] of Object.entries(scenario['txt-records'] ?? {})) {
      zone[name] = [{ type: 'TXT', data: txtStrings(String(value)) }];
    }
    zones.push(zone);
    for (const [name, test] of Object.entries(scenario.tests)) {
      const cv = String(test.cv ?? '').trim();
      const override = RFC8617_OVERRIDES[name];
      if (!cv && !override) throw new Error(`ARC suite: ${name} has an empty cv and no override`);
      cases.push({
        name: override ? `${name} ${override}` : name,
        data: {
          scenario: zones.length - 1,
          message: String(test.message ?? '').replace(/\r?\n/g, '\r\n'),
          cv: override ? 'fail' : cv.toLowerCase(),
        },
      });
    }
  }
  return { zones, cases };
}

const H_EMPTY =
  'mailauth applies RFC 6376 5.4 ("From MUST be signed") to the ARC-Message-Signature and reports neutral "From field not signed"; the draft-18 suite expects an AMS with h= empty to validate (RFC 8617 4.1.2 does not require From in the AMS)';

/** Cases the auth path (mailauth 7.1's lenient default) cannot pass, with the reason. */
const ARC_KNOWN_FAILURES: Readonly<Record<string, string>> = {
  ams_fields_h_empty: H_EMPTY,
  as_format_inv_tag_key:
    'lenient by design: an ARC-Seal with an invalid tag name is accepted (warning) instead of failing the chain; strict passes',
  as_format_tags_dup:
    'lenient by design: an ARC-Seal with a duplicated tag is accepted (warning) instead of failing the chain; strict passes',
  as_format_tags_key_case:
    'lenient by design: an ARC-Seal tag name in upper case is accepted (warning) instead of failing the chain; strict passes',
  as_format_tags_sc:
    'lenient by design: an ARC-Seal with a stray semicolon is accepted (warning) instead of failing the chain; strict passes',
};
/** The same for strict mode. */
const ARC_STRICT_KNOWN_FAILURES: Readonly<Record<string, string>> = {
  ams_fields_h_empty: H_EMPTY,
  ams_fields_c_na:
    'the AMS omits c= but was signed relaxed/relaxed (dkimpy defaulted to relaxed); strict mode applies the RFC 6376 3.5 default simple/simple, under which it does not verify; the lenient default retries relaxed (warning ams-c-default) and passes',
};

const { zones, cases } = loadSuite();
const dns = suiteDns();

/** The ARC result of one case: through authenticateMail (`strict` false) or mailauth's arc() strict. */
async function arcOf(c: ArcCase, strict: boolean): Promise<string> {
  const bytes = Buffer.from(c.message);
  if (!strict) return (await throughAuthPath(dns, bytes)).arc.result;
  const resolver = dns.resolver();
  try {
    const verified = await dkimVerify(bytes, { resolver: resolver.resolve as never, strict });
    return (await arc(verified.arc as never, { resolver: resolver.resolve as never, strict })).status.result;
  } finally {
    resolver.close();
  }
}

async function check(c: ArcCase, strict: boolean): Promise<void> {
  dns.serve(zones[c.scenario] ?? {});
  expect(await arcOf(c, strict)).toBe(c.cv);
}

describe('ValiMail ARC validation suite, through authenticateMail (the auth path)', () => {
  const { pass, fail } = partition(cases, ARC_KNOWN_FAILURES);
  it.each(pass)('%s', async (_name, c) => check(c, false));
  if (fail.length > 0) it.fails.each(fail)('%s', async (_name, c) => check(c, false));
});

describe('ValiMail ARC validation suite, mailauth strict', () => {
  const { pass, fail } = partition(cases, ARC_STRICT_KNOWN_FAILURES);
  it.each(pass)('%s', async (_name, c) => check(c, true));
  if (fail.length > 0) it.fails.each(fail)('%s', async (_name, c) => check(c, true));
});
