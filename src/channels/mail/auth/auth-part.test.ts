/**
 * The authentication part through the whole mail channel (measures E2, E3, E4): messages signed
 * with test keys, records on the loopback DNS server read by our resolver, screened with
 * `mailKit({ dns: resolver })`. The sender's p=reject blocks and p=quarantine holds a spoofed
 * From; a trusted ARC sealer or a local override relaxes it and the verdict says so; DNS
 * failures are temperrors that add no risk; the Authentication-Results header is built from the
 * verdict alone.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningDnsServer, startDnsServer, type Zone } from '../../../../test/helpers/dns-server.ts';
import { mailKit, mailPayload } from '../../../../test/helpers/mail-channel.ts';
import { type PolicyRef, policyDocumentSchema, type Verdict } from '../../../core/index.ts';
import { createDnsResolver, type DnsResolver } from '../dns-resolver.ts';
import { AUTH_SIGNALS, authSettingsIssues, overrideFor, readAuthSettings } from './auth-part.ts';
import { authenticationResultsHeader } from './authentication-results.ts';
import { type DkimKey, dkimKey, forwardThroughList, message, sign, withKeys } from './test-kit.ts';

const SENDER_IP = '192.0.2.10';
const LIST_IP = '198.51.100.20';
const SPOOF_IP = '203.0.113.7';

let server: RunningDnsServer;
let rsa: DkimKey;
let ed: DkimKey;
let list: DkimKey;
let zone: Zone;
let dns: DnsResolver;

beforeAll(async () => {
  rsa = dkimKey('rsa');
  ed = dkimKey('ed25519');
  list = dkimKey('rsa');
  const spf = { type: 'TXT' as const, data: `v=spf1 ip4:${SENDER_IP} -all` };
  zone = withKeys(
    {
      'bank.example': [spf],
      '_dmarc.bank.example': [{ type: 'TXT', data: 'v=DMARC1; p=reject' }],
      'default._bimi.bank.example': [{ type: 'TXT', data: 'v=BIMI1; l=https://bank.example/logo.svg' }],
      'shop.example': [spf],
      '_dmarc.shop.example': [{ type: 'TXT', data: 'v=DMARC1; p=quarantine' }],
      'news.example': [spf],
      '_dmarc.news.example': [{ type: 'TXT', data: 'v=DMARC1; p=none' }],
      'lists.example': [{ type: 'TXT', data: `v=spf1 ip4:${LIST_IP} -all` }],
      'testing.example': [spf],
      '_dmarc.testing.example': [{ type: 'TXT', data: 'v=DMARC1; p=reject; t=y' }],
    },
    {
      'sel._domainkey.bank.example': rsa,
      'ed._domainkey.bank.example': ed,
      'arc._domainkey.lists.example': list,
    },
  );
  server = await startDnsServer(zone);
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(() => {
  server.setZone(zone);
  dns = createDnsResolver({ nameservers: [server.server], timeoutMs: 300, tries: 1 });
  return () => dns.close();
});

const kit = () => mailKit({ dns });

function withSettings(settings: Record<string, unknown>): PolicyRef {
  const { mail } = kit();
  return { version: 1, document: policyDocumentSchema.parse({ ...mail.defaultPolicy, settings }) };
}

const AUTH = new Set<string>(AUTH_SIGNALS.map((s) => s.name));
/** The auth part's signals of a verdict (other parts of the channel fire their own). */
const signals = (v: Verdict) =>
  v.hits
    .map((h) => h.signal)
    .filter((s) => AUTH.has(s))
    .sort();
const hit = (v: Verdict, signal: string) => v.hits.find((h) => h.signal === signal);
const ar = (v: Verdict) => authenticationResultsHeader(v, 'mx.test.example');

async function screen(
  raw: string,
  envelope: { clientIp?: string; mailFrom?: string; helo?: string },
  policy?: PolicyRef,
): Promise<Verdict> {
  return kit().screen(
    mailPayload(raw, { helo: 'mail.sender.example', ...envelope }),
    policy ? { policy } : {},
  );
}

describe('authentication part: DMARC enforcement (E2)', () => {
  it('a spoofed From of a p=reject domain: MAIL_DMARC_REJECT forces block, the reason names the domain and policy', async () => {
    const v = await screen(message('"Bank" <info@bank.example>'), {
      clientIp: SPOOF_IP,
      mailFrom: 'x@bank.example',
    });
    expect(v.action).toBe('block');
    expect(v.forced).toEqual({ action: 'block', by: 'MAIL_DMARC_REJECT', kind: 'signal' });
    expect(signals(v)).toEqual(['MAIL_DKIM_NONE', 'MAIL_DMARC_REJECT', 'MAIL_SPF_FAIL']);
    expect(v.reasons[0]?.ja).toContain('bank.example');
    expect(v.reasons[0]?.ja).toContain('bank.example の DMARC ポリシー: reject）。受信を拒否します');
    expect(v.reasons[0]?.en).toContain('DMARC failed for the sender domain bank.example');
    expect(v.reasons[0]?.customer?.ja).toContain('なりすまし');
    expect(ar(v)).toBe(
      'mx.test.example; spf=fail smtp.mailfrom=bank.example; dkim=none; dmarc=fail policy.dmarc=reject header.from=bank.example; arc=none',
    );
  });

  it('a spoofed From of a p=quarantine domain: MAIL_DMARC_QUARANTINE forces hold', async () => {
    const v = await screen(message('info@shop.example'), { clientIp: SPOOF_IP, mailFrom: 'x@shop.example' });
    expect(v.action).toBe('hold');
    expect(v.forced?.by).toBe('MAIL_DMARC_QUARANTINE');
    expect(hit(v, 'MAIL_DMARC_QUARANTINE')?.params).toMatchObject({
      domain: 'shop.example',
      policy: 'quarantine',
    });
  });

  it('p=reject; t=y (testing): one level below, quarantine (RFC 9989 4.7 "t"); the header says what was published', async () => {
    const v = await screen(message('info@testing.example'), {
      clientIp: SPOOF_IP,
      mailFrom: 'x@testing.example',
    });
    expect(v.action).toBe('hold');
    expect(hit(v, 'MAIL_DMARC_QUARANTINE')?.params).toMatchObject({
      policy: 'quarantine',
      published: 'reject',
    });
    expect(ar(v)).toContain(
      'dmarc=fail (published p=reject) policy.dmarc=quarantine header.from=testing.example',
    );
  });

  it('a p=none domain: MAIL_DMARC_FAIL_NONE adds score, nothing is forced', async () => {
    const v = await screen(message('info@news.example'), { clientIp: SPOOF_IP, mailFrom: 'x@news.example' });
    expect(v.forced).toBeUndefined();
    expect(signals(v)).toContain('MAIL_DMARC_FAIL_NONE');
    expect(v.score).toBeGreaterThan(0);
  });

  it('a signed mail from the sender’s server passes everything, scores below zero and shows the BIMI logo', async () => {
    const raw = await sign(message('info@bank.example'), 'bank.example', 'sel', rsa);
    const v = await screen(raw, { clientIp: SENDER_IP, mailFrom: 'bounce@bank.example' });
    expect(signals(v)).toEqual(['MAIL_BIMI_VALID', 'MAIL_DKIM_PASS', 'MAIL_DMARC_PASS', 'MAIL_SPF_PASS']);
    expect(v.action).toBe('allow');
    expect(v.score).toBeLessThan(0);
    expect(hit(v, 'MAIL_BIMI_VALID')?.params).toMatchObject({
      location: 'https://bank.example/logo.svg',
      domain: 'bank.example',
    });
    expect(ar(v)).toBe(
      'mx.test.example; spf=pass smtp.mailfrom=bank.example; dkim=pass header.d=bank.example header.s=sel header.a=rsa-sha256; dmarc=pass policy.dmarc=reject header.from=bank.example; arc=none; bimi=pass header.d=bank.example header.selector=default',
    );
  });

  it('DKIM ed25519 alone (SPF from elsewhere) passes DMARC', async () => {
    const raw = await sign(message('info@bank.example'), 'bank.example', 'ed', ed);
    const v = await screen(raw, { clientIp: SPOOF_IP, mailFrom: 'x@elsewhere.example' });
    expect(v.action).not.toBe('block');
    expect(hit(v, 'MAIL_DKIM_PASS')?.params).toMatchObject({ algorithm: 'ed25519-sha256', aligned: 'yes' });
    expect(signals(v)).toContain('MAIL_DMARC_PASS');
  });
});

describe('authentication part: relaxing the policy (E2, E4)', () => {
  async function viaList(): Promise<string> {
    const original = await sign(message('info@bank.example'), 'bank.example', 'sel', rsa);
    return forwardThroughList(original, {
      resolver: dns.resolve,
      listIp: LIST_IP,
      clientIp: SENDER_IP,
      mailFrom: 'bounce@bank.example',
      sealer: 'lists.example',
      selector: 'arc',
      key: list,
    });
  }

  it('a list mail of a p=reject domain is blocked when the list is not trusted', async () => {
    const v = await screen(await viaList(), { clientIp: LIST_IP, mailFrom: 'owner@lists.example' });
    expect(v.action).toBe('block');
    expect(signals(v)).toContain('MAIL_ARC_PASS');
  });

  it('a trusted ARC sealer relaxes it: MAIL_DMARC_OVERRIDDEN_ARC explains, nothing is forced', async () => {
    const v = await screen(
      await viaList(),
      { clientIp: LIST_IP, mailFrom: 'owner@lists.example' },
      withSettings({ auth: { trustedArcSealers: ['lists.example'] } }),
    );
    expect(v.forced).toBeUndefined();
    expect(v.action).not.toBe('block');
    expect(signals(v)).not.toContain('MAIL_DMARC_REJECT');
    const over = hit(v, 'MAIL_DMARC_OVERRIDDEN_ARC');
    expect(over?.params).toMatchObject({ domain: 'bank.example', policy: 'reject', sealer: 'lists.example' });
    expect(v.reasons.map((r) => r.signal)).toContain('MAIL_DMARC_OVERRIDDEN_ARC');
    expect(ar(v)).toContain(
      'dmarc=fail (trusted ARC sealer=lists.example) policy.dmarc=reject header.from=bank.example',
    );
    expect(ar(v)).toContain('arc=pass (i=1)');
  });

  it('a local override relaxes reject to quarantine (hold) and the verdict says so', async () => {
    const v = await screen(
      message('info@bank.example'),
      { clientIp: SPOOF_IP, mailFrom: 'x@bank.example' },
      withSettings({ auth: { dmarcOverrides: { 'bank.example': 'quarantine' } } }),
    );
    expect(v.action).toBe('hold');
    expect(signals(v)).toEqual(
      expect.arrayContaining(['MAIL_DMARC_QUARANTINE', 'MAIL_DMARC_OVERRIDDEN_LOCAL']),
    );
    expect(signals(v)).not.toContain('MAIL_DMARC_REJECT');
    expect(v.reasons.find((r) => r.signal === 'MAIL_DMARC_OVERRIDDEN_LOCAL')?.ja).toContain('組織の設定');
  });

  it('a local override can also be stricter: a p=none domain refused (the organisation’s choice, explained)', async () => {
    const v = await screen(
      message('info@news.example'),
      { clientIp: SPOOF_IP, mailFrom: 'x@news.example' },
      withSettings({ auth: { dmarcOverrides: { 'news.example': 'reject' } } }),
    );
    expect(v.action).toBe('block');
    expect(signals(v)).toEqual(expect.arrayContaining(['MAIL_DMARC_REJECT', 'MAIL_DMARC_OVERRIDDEN_LOCAL']));
    expect(signals(v)).not.toContain('MAIL_DMARC_FAIL_NONE');
  });

  it('a local override to none on a parent domain lets the mail through with the reason', async () => {
    const v = await screen(
      message('info@bank.example'),
      { clientIp: SPOOF_IP, mailFrom: 'x@bank.example' },
      withSettings({ auth: { dmarcOverrides: { example: 'none' } } }),
    );
    expect(v.forced).toBeUndefined();
    expect(signals(v)).toContain('MAIL_DMARC_OVERRIDDEN_LOCAL');
    expect(ar(v)).toContain('dmarc=fail (local override=none)');
  });
});

describe('authentication part: DNS failures are temperrors (E4)', () => {
  it('SERVFAIL everywhere the sender’s domain is asked: temperrors, no forced action, no added score', async () => {
    for (const name of ['bank.example', '_dmarc.bank.example']) server.misbehave(name, { kind: 'servfail' });
    try {
      const v = await screen(message('info@bank.example'), {
        clientIp: SPOOF_IP,
        mailFrom: 'x@bank.example',
      });
      expect(signals(v)).toEqual(['MAIL_DKIM_NONE', 'MAIL_DMARC_TEMPERROR', 'MAIL_SPF_TEMPERROR']);
      expect(v.forced).toBeUndefined();
      expect(v.action).toBe('allow');
      expect(ar(v)).toBe(
        'mx.test.example; spf=temperror smtp.mailfrom=bank.example; dkim=none; dmarc=temperror header.from=bank.example; arc=none',
      );
    } finally {
      for (const name of ['bank.example', '_dmarc.bank.example']) server.misbehave(name, undefined);
    }
  });

  it('a p=reject domain whose SPF record SERVFAILs is not refused on the DNS hiccup (no false fail)', async () => {
    server.misbehave('bank.example', { kind: 'servfail' });
    try {
      const v = await screen(message('info@bank.example'), {
        clientIp: SENDER_IP,
        mailFrom: 'x@bank.example',
      });
      expect(signals(v)).toContain('MAIL_DMARC_TEMPERROR');
      expect(signals(v)).not.toContain('MAIL_DMARC_REJECT');
      expect(v.action).not.toBe('block');
    } finally {
      server.misbehave('bank.example', undefined);
    }
  });

  it('an authentication past its budget: the header says temperror for every method', async () => {
    const v = await screen(message('info@bank.example'), { clientIp: SPOOF_IP, mailFrom: 'x@bank.example' });
    const timedOut: Verdict = {
      ...v,
      hits: v.hits.filter((h) => !h.signal.startsWith('MAIL_')),
      enrichments: [{ enrichment: 'mail.auth', outcome: 'error', code: 'timeout', ms: 3000 }],
    };
    expect(ar(timedOut)).toBe(
      'mx.test.example; spf=temperror (authentication timeout); dkim=temperror (authentication timeout); dmarc=temperror (authentication timeout)',
    );
  });
});

describe('authentication part: DNS off and settings', () => {
  it('with DNS off the part has no enrichment and no detectors; the header is "none"', async () => {
    const off = mailKit();
    expect(off.mail.enrichments?.map((e) => e.name)).not.toContain('mail.auth');
    expect(off.mail.detectors.map((d) => d.name).filter((n) => n.startsWith('mail.auth'))).toEqual([]);
    const v = await off.screen(mailPayload(message('info@bank.example'), { clientIp: SPOOF_IP }));
    expect(signals(v).filter((s) => AUTH_SIGNALS.some((a) => a.name === s))).toEqual([]);
    expect(ar(v)).toBe('mx.test.example; none');
  });

  it('every signal has ja and en texts and the channel declares them', () => {
    const { mail } = kit();
    for (const s of AUTH_SIGNALS) expect(mail.signals.map((x) => x.name)).toContain(s.name);
    expect(mail.enrichments?.find((e) => e.name === 'mail.auth')?.budgetMs).toBe(3000);
  });

  it('settingsIssues names bad sealers and overrides under settings.auth, in Japanese too', () => {
    expect(authSettingsIssues({})).toEqual([]);
    expect(
      authSettingsIssues({
        auth: { trustedArcSealers: ['lists.example'], dmarcOverrides: { 'a.example': 'none' } },
      }),
    ).toEqual([]);
    const issues = authSettingsIssues({
      auth: { trustedArcSealers: ['bad domain;'], dmarcOverrides: { 'a.example': 'allow' }, extra: 1 },
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      'settings.auth',
      'settings.auth.dmarcOverrides.a.example',
      'settings.auth.trustedArcSealers.0',
    ]);
    expect(issues.find((i) => i.path === 'settings.auth.trustedArcSealers.0')?.ja).toContain('ドメイン名');
    const { mail } = kit();
    expect(mail.settingsIssues?.({ auth: { trustedArcSealers: 'x' } })[0]?.path).toBe(
      'settings.auth.trustedArcSealers',
    );
    expect(mail.defaultSettings).toMatchObject({ auth: { trustedArcSealers: [], dmarcOverrides: {} } });
  });

  it('property: the domain check answers at once for any text, long hostile ones included (no backtracking blow-up)', () => {
    const hostile = ['a'.repeat(40) + '!', `${'ab.'.repeat(80)}-`, 'a'.repeat(5000)];
    for (const d of hostile) {
      expect(authSettingsIssues({ auth: { trustedArcSealers: [d] } }).length).toBeGreaterThan(0);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (d) => {
        const ok = authSettingsIssues({ auth: { trustedArcSealers: [d] } }).length === 0;
        if (ok) expect(d).toMatch(/^[A-Za-z0-9_]/);
        if (ok) expect(d).not.toContain('..');
      }),
      { numRuns: 300 },
    );
  });

  it('readAuthSettings lower-cases domains and defaults bad keys; overrideFor picks the nearest parent', () => {
    const read = readAuthSettings({ auth: { trustedArcSealers: ['Lists.Example.'], dmarcOverrides: 3 } });
    expect(read).toEqual({ trustedArcSealers: ['lists.example'], dmarcOverrides: {} });
    const o = { example: 'none', 'bank.example': 'quarantine' } as const;
    expect(overrideFor(o, ['a.bank.example'])).toEqual({ domain: 'bank.example', action: 'quarantine' });
    expect(overrideFor(o, ['other.example'])).toEqual({ domain: 'example', action: 'none' });
    expect(overrideFor(o, [null, 'x.test'])).toBeUndefined();
  });
});
