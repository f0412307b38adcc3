/**
 * authenticateMail (measures E2, E3, E4): SPF, DKIM (RSA and ed25519), DMARC, ARC and BIMI of
 * messages signed with test keys, with the records on the loopback DNS server read through our
 * resolver; DNS failures (SERVFAIL, timeout) must come out temperror, never pass or fail.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningDnsServer, startDnsServer, type Zone } from '../../../../test/helpers/dns-server.ts';
import { createDnsResolver, type DnsResolver } from '../dns-resolver.ts';
import { createZoneResolver } from '../zone-resolver.ts';
import { authenticateMail, type MailAuthResult, mailAuthResultSchema } from './authenticate.ts';
import { type DkimKey, dkimKey, forwardThroughList, message, sign, txtRecord, withKeys } from './test-kit.ts';

let server: RunningDnsServer;
let rsa: DkimKey;
let ed: DkimKey;
let list: DkimKey;
let zone: Zone;

const SENDER_IP = '192.0.2.10';
const LIST_IP = '198.51.100.20';
const SPOOF_IP = '203.0.113.7';

beforeAll(async () => {
  rsa = dkimKey('rsa');
  ed = dkimKey('ed25519');
  list = dkimKey('rsa');
  zone = withKeys(
    {
      'sender.example': [
        { type: 'TXT', data: `v=spf1 ip4:${SENDER_IP} -all` },
        { type: 'A', data: '192.0.2.1' },
      ],
      '_dmarc.sender.example': [{ type: 'TXT', data: 'v=DMARC1; p=reject; rua=mailto:d@sender.example' }],
      'default._bimi.sender.example': [{ type: 'TXT', data: 'v=BIMI1; l=https://sender.example/logo.svg' }],
      'soft.example': [{ type: 'TXT', data: 'v=spf1 ~all' }],
      'testing.example': [{ type: 'TXT', data: `v=spf1 ip4:${SENDER_IP} -all` }],
      '_dmarc.testing.example': [{ type: 'TXT', data: 'v=DMARC1; p=reject; t=y' }],
      'lists.example': [{ type: 'TXT', data: `v=spf1 ip4:${LIST_IP} -all` }],
      'nodmarc.example': [{ type: 'TXT', data: `v=spf1 ip4:${SENDER_IP} -all` }],
    },
    {
      'sel._domainkey.sender.example': rsa,
      'ed._domainkey.sender.example': ed,
      'arc._domainkey.lists.example': list,
      'sel._domainkey.testing.example': rsa,
    },
  );
  server = await startDnsServer(zone);
});
afterAll(async () => {
  await server?.stop();
});

let dns: DnsResolver;
beforeEach(() => {
  server.setZone(zone);
  dns = createDnsResolver({ nameservers: [server.server], timeoutMs: 300, tries: 1 });
  return () => dns.close();
});

async function check(
  raw: string,
  envelope: { clientIp?: string; mailFrom?: string; helo?: string } = {},
  trustedArcSealers: readonly string[] = [],
): Promise<MailAuthResult> {
  const result = await authenticateMail({
    bytes: Buffer.from(raw),
    envelope: { rcptTo: ['user@example.jp'], helo: 'mail.sender.example', ...envelope },
    resolver: dns,
    authServId: 'mx.test.example',
    trustedArcSealers,
  });
  // plain JSON that the enrichment's output check accepts
  expect(mailAuthResultSchema.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
  return result;
}

describe('authenticateMail', () => {
  it('a signed mail from the sender’s own server passes SPF, DKIM (aligned) and DMARC with p=reject', async () => {
    const raw = await sign(message('Sender <billing@sender.example>'), 'sender.example', 'sel', rsa);
    const auth = await check(raw, { clientIp: SENDER_IP, mailFrom: 'bounce@sender.example' });
    expect(auth.spf).toMatchObject({ result: 'pass', domain: 'sender.example', clientIp: SENDER_IP });
    expect(auth.dkim.result).toBe('pass');
    expect(auth.dkim.signatures).toEqual([
      expect.objectContaining({ result: 'pass', domain: 'sender.example', selector: 'sel', aligned: true }),
    ]);
    expect(auth.dmarc).toMatchObject({
      result: 'pass',
      fromDomain: 'sender.example',
      orgDomain: 'sender.example',
      policyDomain: 'sender.example',
      p: 'reject',
      policy: 'reject',
      t: false,
      alignment: { spf: 'sender.example', dkim: 'sender.example' },
    });
    expect(auth.arc).toMatchObject({ result: 'none', instance: 0, sealers: [] });
  });

  it('DKIM with ed25519 (RFC 8463) passes and aligns', async () => {
    const raw = await sign(message('billing@sender.example'), 'sender.example', 'ed', ed);
    const auth = await check(raw, { clientIp: SPOOF_IP, mailFrom: 'x@elsewhere.example' });
    expect(auth.dkim.signatures[0]).toMatchObject({
      result: 'pass',
      algorithm: 'ed25519-sha256',
      aligned: true,
    });
    expect(auth.dmarc.result).toBe('pass');
    expect(auth.dmarc.alignment).toEqual({ spf: null, dkim: 'sender.example' });
  });

  it('a spoofed From (unsigned, from another IP) fails SPF and DMARC; the policy to enforce is reject', async () => {
    const auth = await check(message('Sender <billing@sender.example>'), {
      clientIp: SPOOF_IP,
      mailFrom: 'bounce@sender.example',
    });
    expect(auth.spf.result).toBe('fail');
    expect(auth.dkim).toEqual({ result: 'none', signatures: [] });
    expect(auth.dmarc).toMatchObject({ result: 'fail', policy: 'reject', published: 'reject' });
  });

  it('a body changed after signing fails DKIM', async () => {
    const raw = (await sign(message('billing@sender.example'), 'sender.example', 'sel', rsa)).replace(
      'Hello',
      'Hallo',
    );
    const auth = await check(raw, { clientIp: SPOOF_IP, mailFrom: 'bounce@sender.example' });
    expect(auth.dkim.result).toBe('fail');
    expect(auth.dkim.signatures[0]).toMatchObject({ result: 'fail', aligned: false });
    expect(auth.dmarc.result).toBe('fail');
  });

  it('SPF softfail and none; DMARC none without a record', async () => {
    const soft = await check(message('a@soft.example'), { clientIp: SPOOF_IP, mailFrom: 'a@soft.example' });
    expect(soft.spf.result).toBe('softfail');
    expect(soft.dmarc).toMatchObject({ result: 'none', policy: null });
    const none = await check(message('a@unknown.example'), {
      clientIp: SPOOF_IP,
      mailFrom: 'a@unknown.example',
    });
    expect(none.spf.result).toBe('none');
  });

  it('t=y: DMARC fails and the policy applied is one level below the published one (RFC 9989 4.7 "t")', async () => {
    const auth = await check(message('a@testing.example'), {
      clientIp: SPOOF_IP,
      mailFrom: 'a@testing.example',
    });
    expect(auth.dmarc).toMatchObject({
      result: 'fail',
      p: 'reject',
      t: true,
      published: 'reject',
      policy: 'quarantine',
    });
  });

  it('BIMI: an aligned pass under p=reject gives the logo location', async () => {
    const raw = await sign(message('billing@sender.example'), 'sender.example', 'sel', rsa);
    const auth = await check(raw, { clientIp: SENDER_IP, mailFrom: 'bounce@sender.example' });
    expect(auth.bimi).toMatchObject({
      result: 'pass',
      domain: 'sender.example',
      selector: 'default',
      location: 'https://sender.example/logo.svg',
    });
  });

  it('BIMI is skipped when DMARC fails', async () => {
    const auth = await check(message('billing@sender.example'), { clientIp: SPOOF_IP });
    expect(auth.bimi.result).toBe('skipped');
    expect(auth.bimi.location).toBeNull();
  });

  describe('ARC (RFC 8617) through a mailing list', () => {
    async function viaList(): Promise<string> {
      const original = await sign(message('billing@sender.example'), 'sender.example', 'sel', rsa);
      return forwardThroughList(original, {
        resolver: dns.resolve,
        listIp: LIST_IP,
        clientIp: SENDER_IP,
        mailFrom: 'bounce@sender.example',
        sealer: 'lists.example',
        selector: 'arc',
        key: list,
      });
    }

    it('the list’s footer breaks DKIM and DMARC fails; the chain passes and says DMARC passed upstream', async () => {
      const auth = await check(await viaList(), { clientIp: LIST_IP, mailFrom: 'owner@lists.example' });
      expect(auth.dkim.result).toBe('fail');
      expect(auth.dmarc.result).toBe('fail');
      expect(auth.arc).toMatchObject({
        result: 'pass',
        instance: 1,
        sealers: ['lists.example'],
        upstream: { dmarc: 'pass', fromDomain: 'sender.example' },
        vouchedBy: null,
      });
    });

    it('vouchedBy names the sealer only when it is trusted', async () => {
      const raw = await viaList();
      const trusted = await check(raw, { clientIp: LIST_IP, mailFrom: 'owner@lists.example' }, [
        'lists.example',
      ]);
      expect(trusted.arc.vouchedBy).toBe('lists.example');
      const other = await check(raw, { clientIp: LIST_IP, mailFrom: 'owner@lists.example' }, [
        'other.example',
      ]);
      expect(other.arc.vouchedBy).toBeNull();
    });

    it('a chain broken after sealing fails and vouches for nothing', async () => {
      const raw = (await viaList()).replace('list footer', 'changed footer');
      const auth = await check(raw, { clientIp: LIST_IP, mailFrom: 'owner@lists.example' }, [
        'lists.example',
      ]);
      expect(auth.arc.result).toBe('fail');
      expect(auth.arc.vouchedBy).toBeNull();
    });
  });

  describe('temporary DNS failures are temperror, never pass or fail (E4)', () => {
    it('SERVFAIL on the SPF record: spf=temperror', async () => {
      server.misbehave('sender.example', { kind: 'servfail' });
      const auth = await check(message('billing@sender.example'), {
        clientIp: SENDER_IP,
        mailFrom: 'bounce@sender.example',
      });
      server.misbehave('sender.example', undefined);
      expect(auth.spf.result).toBe('temperror');
      // nothing else passed: the SPF pass that may have followed is not ruled out (E4)
      expect(auth.dmarc).toMatchObject({ result: 'temperror', policy: null, p: 'reject' });
      expect(auth.dmarc.error).toContain('SPF of sender.example');
    });

    it('SERVFAIL on _dmarc: dmarc=temperror with no policy to enforce', async () => {
      server.misbehave('_dmarc.sender.example', { kind: 'servfail' });
      const auth = await check(message('billing@sender.example'), { clientIp: SPOOF_IP });
      server.misbehave('_dmarc.sender.example', undefined);
      expect(auth.dmarc).toMatchObject({ result: 'temperror', policy: null });
    });

    it('a DKIM key lookup that times out: dkim=temperror', async () => {
      const raw = await sign(message('billing@sender.example'), 'sender.example', 'sel', rsa);
      server.misbehave('sel._domainkey.sender.example', { kind: 'drop' });
      const auth = await check(raw, { clientIp: SPOOF_IP, mailFrom: 'x@elsewhere.example' });
      server.misbehave('sel._domainkey.sender.example', undefined);
      expect(auth.dkim.result).toBe('temperror');
      expect(auth.dkim.signatures[0]?.result).toBe('temperror');
      // an aligned signature that could not be checked: not a DMARC fail but a temperror (E4)
      expect(auth.dmarc).toMatchObject({ result: 'temperror', policy: null });
    });

    it('a temperror of an identifier that could never align leaves the DMARC fail as it is', async () => {
      server.misbehave('elsewhere.example', { kind: 'servfail' });
      const auth = await check(message('billing@sender.example'), {
        clientIp: SPOOF_IP,
        mailFrom: 'x@elsewhere.example',
      });
      server.misbehave('elsewhere.example', undefined);
      expect(auth.spf.result).toBe('temperror');
      expect(auth.dmarc).toMatchObject({ result: 'fail', policy: 'reject' });
    });

    it('a timeout on the SPF record: spf=temperror', async () => {
      server.misbehave('sender.example', { kind: 'drop' });
      const auth = await check(message('billing@sender.example'), {
        clientIp: SENDER_IP,
        mailFrom: 'bounce@sender.example',
      });
      server.misbehave('sender.example', undefined);
      expect(auth.spf.result).toBe('temperror');
    });
  });

  it('without a client IP or MAIL FROM SPF is none, not an error', async () => {
    const auth = await check(message('billing@sender.example'), {});
    expect(auth.spf.result).toBe('none');
    expect(auth.dmarc.result).toBe('fail');
  });

  it('no From domain, or two: DMARC cannot be evaluated and says why (RFC 9989 5.3.1)', async () => {
    const none = await check(message('undisclosed-recipients:;'), { clientIp: SPOOF_IP });
    expect(none.dmarc).toMatchObject({ result: 'none', fromDomain: null, skipReason: expect.any(String) });
    const two = await check(message('a@sender.example, b@other.example'), { clientIp: SPOOF_IP });
    expect(two.dmarc).toMatchObject({ result: 'none', skipReason: 'multiple-author-domains' });
  });

  it('property: any bytes (broken headers, bad signatures, binary) give a valid result, never a throw', async () => {
    const header = fc.constantFrom(
      'From: a@sender.example',
      'From: <@@>',
      'DKIM-Signature: v=1; a=rsa-sha256; d=sender.example; s=sel; b=AAAA; bh=BBBB; h=from',
      'DKIM-Signature: garbage',
      'ARC-Seal: i=1; cv=none; d=lists.example; s=arc; b=x',
      'ARC-Message-Signature: i=1; d=lists.example; s=arc; h=from; bh=x; b=y',
      'BIMI-Selector: v=BIMI1; s=x',
      'Subject: =?UTF-8?B?4oCm?=',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(header, { maxLength: 6 }),
        fc.uint8Array({ maxLength: 200 }),
        async (headers, body) => {
          const bytes = Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`), Buffer.from(body)]);
          const result = await authenticateMail({
            bytes,
            envelope: { rcptTo: ['u@example.jp'], clientIp: SPOOF_IP, mailFrom: 'x@sender.example' },
            resolver: dns,
            authServId: 'mx.test.example',
          });
          expect(mailAuthResultSchema.safeParse(result).success).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('works with a zone-file resolver (mamoru eval mail --zone)', async () => {
    const records = [
      `sender.example. 300 IN TXT "v=spf1 ip4:${SENDER_IP} -all"`,
      '_dmarc.sender.example. IN TXT "v=DMARC1; p=quarantine"',
      `sel._domainkey.sender.example. IN TXT ${(txtRecord(rsa.record).data as string[]).map((c) => `"${c}"`).join(' ')}`,
    ].join('\n');
    const raw = await sign(message('billing@sender.example'), 'sender.example', 'sel', rsa);
    const auth = await authenticateMail({
      bytes: Buffer.from(raw),
      envelope: { rcptTo: ['u@example.jp'], clientIp: SENDER_IP, mailFrom: 'b@sender.example' },
      resolver: createZoneResolver(records),
      authServId: 'mx.test.example',
    });
    expect(auth.spf.result).toBe('pass');
    expect(auth.dkim.result).toBe('pass');
    expect(auth.dmarc).toMatchObject({ result: 'pass', p: 'quarantine' });
  });
});
