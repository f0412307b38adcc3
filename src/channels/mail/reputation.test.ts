/**
 * MAIL_SENDER_REPUTATION (E3): the client-network parser (examples and
 * fast-check properties), the pure hit logic (new sender, bad ratio, good
 * history only when this mail is plausibly from that sender), what counts
 * as bad, and the history table on PGlite and PostgreSQL (counts, credit of
 * a release, concurrent upserts), through the channel's record and enrichment.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends, unusedIntel } from '../../../test/helpers/stores.ts';
import { createEngine, policyDocumentSchema, type Verdict, type VerdictHit } from '../../core/index.ts';
import { createExtractTools } from '../../intel/extract-tools.ts';
import { createKeyedHasher } from '../../intel/keyed-hash.ts';
import type { Store } from '../../store/index.ts';
import { createMailChannel, type MailChannel, type MailScreening } from './index.ts';
import { mailDb } from './mail-part.ts';
import {
  countsAsBad,
  DEFAULT_REPUTATION,
  ipNetwork,
  ReputationStore,
  type ReputationView,
  reputationHits,
  reputationSettingsIssues,
  type SenderHistory,
} from './reputation.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T00:00:00Z');

describe('ipNetwork: the client network a history is kept for', () => {
  it.each([
    ['203.0.113.7', '203.0.113.0/24'],
    [' 198.51.100.255 ', '198.51.100.0/24'],
    ['2001:db8:1:2::5', '2001:db8:1::/48'],
    ['2001:0DB8:0001:ffff:0:0:0:1', '2001:db8:1::/48'],
    ['IPv6:2001:db8::1', '2001:db8::/48'],
    ['[2001:db8:a:b::1]', '2001:db8:a::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
    ['::ffff:192.0.2.33', '192.0.2.0/24'],
    ['::', '0::/48'],
  ])('%s → %s', (raw, network) => {
    expect(ipNetwork(raw)).toBe(network);
  });

  it.each(['', 'mail.example.jp', '256.1.1.1', '1.2.3', '2001:db8::1::2', 'unknown', '203.0.113.7/24'])(
    'not an address: %j',
    (raw) => {
      expect(ipNetwork(raw)).toBeUndefined();
    },
  );

  it('property: an IPv4 address keeps its first three octets', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const [a, b, c] = ip.split('.');
        expect(ipNetwork(ip)).toBe(`${Number(a)}.${Number(b)}.${Number(c)}.0/24`);
      }),
    );
  });

  it('property: every spelling of an IPv6 address (full, compressed, upper case) is one network', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }), (groups) => {
        const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        const short = groups.map((g) => g.toString(16)).join(':');
        // Node's own compression of the same address.
        const compressed = new URL(`http://[${full}]/`).hostname.slice(1, -1);
        const expected = ipNetwork(full);
        expect(expected).toMatch(/::\/48$/);
        expect(ipNetwork(short)).toBe(expected);
        expect(ipNetwork(compressed)).toBe(expected);
        expect(ipNetwork(full.toUpperCase())).toBe(expected);
      }),
    );
  });

  it('property: any text gives undefined or a network, never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV6(), fc.ipV4Extended()), (raw) => {
        const out = ipNetwork(raw);
        expect(out === undefined || /\/(24|48)$/.test(out)).toBe(true);
      }),
    );
  });
});

function history(kind: SenderHistory['kind'], key: string, h: Partial<SenderHistory> = {}): SenderHistory {
  return {
    kind,
    key,
    firstSeen: new Date(NOW.getTime() - 90 * DAY).toISOString(),
    messages: 50,
    bad: 0,
    released: 0,
    upheld: 0,
    ...h,
  };
}

const SENDERS: ReputationView['senders'] = [
  { kind: 'from', key: 'shop.example.co.jp' },
  { kind: 'envelope', key: 'bounce.shop.example.co.jp' },
  { kind: 'ip', key: '203.0.113.0/24' },
];

function hits(history: SenderHistory[], earlier: string[] = [], senders = SENDERS) {
  return reputationHits(
    { senders, history, watchingSince: new Date(NOW.getTime() - 365 * DAY).toISOString() },
    DEFAULT_REPUTATION,
    NOW,
    earlier.map((signal) => ({ signal })),
  );
}

describe('reputationHits (pure)', () => {
  it('a From domain never seen is a new sender (weak), message 1', () => {
    expect(hits([])).toEqual([
      expect.objectContaining({
        signal: 'MAIL_SENDER_NEW',
        params: { domain: 'shop.example.co.jp', days: 7, messages: 1 },
      }),
    ]);
  });

  it('no sender is "new" while the organisation’s own history is younger than the window', () => {
    const young = (since: string | null) =>
      reputationHits({ senders: SENDERS, history: [], watchingSince: since }, DEFAULT_REPUTATION, NOW, []);
    expect(young(null)).toEqual([]);
    expect(young(new Date(NOW.getTime() - 6 * DAY).toISOString())).toEqual([]);
    expect(young(new Date(NOW.getTime() - 7 * DAY).toISOString()).map((h) => h.signal)).toEqual([
      'MAIL_SENDER_NEW',
    ]);
  });

  it('first seen 3 days ago is still new; 8 days ago is not', () => {
    const recent = history('from', 'shop.example.co.jp', {
      firstSeen: new Date(NOW.getTime() - 3 * DAY).toISOString(),
      messages: 4,
    });
    expect(hits([recent]).map((h) => h.signal)).toEqual(['MAIL_SENDER_NEW']);
    const older = { ...recent, firstSeen: new Date(NOW.getTime() - 8 * DAY).toISOString() };
    expect(hits([older]).map((h) => h.signal)).toEqual([]);
  });

  it('a bad ratio on any sender fires once, naming the worst; the good history is then withheld', () => {
    const out = hits([
      history('from', 'shop.example.co.jp'),
      history('envelope', 'bounce.shop.example.co.jp', { messages: 10, bad: 7 }),
      history('ip', '203.0.113.0/24', { messages: 10, bad: 9 }),
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      signal: 'MAIL_SENDER_REPUTATION',
      params: { sender: '203.0.113.0/24', kind: 'ip', messages: 10, bad: 9 },
    });
    expect(out[0]?.evidence).toHaveLength(2);
  });

  it('too few messages, or a ratio under the bar, is no bad reputation', () => {
    const signals = (h: SenderHistory) => hits([h]).map((x) => x.signal);
    expect(signals(history('ip', '203.0.113.0/24', { messages: 4, bad: 4 }))).toEqual(['MAIL_SENDER_NEW']);
    expect(signals(history('ip', '203.0.113.0/24', { messages: 10, bad: 5 }))).toEqual(['MAIL_SENDER_NEW']);
    expect(signals(history('ip', '203.0.113.0/24', { messages: 10, bad: 6 }))).toContain(
      'MAIL_SENDER_REPUTATION',
    );
  });

  it('a long clean history aligned with the envelope is good (negative)', () => {
    const out = hits([history('from', 'shop.example.co.jp', { messages: 40, bad: 0, released: 2 })]);
    expect(out).toEqual([
      expect.objectContaining({
        signal: 'MAIL_SENDER_REPUTATION_GOOD',
        params: { domain: 'shop.example.co.jp', days: 90, messages: 40, bad: 0, released: 2 },
      }),
    ]);
  });

  it('releases without bad mail redeem a domain younger than goodDays', () => {
    const young = history('from', 'shop.example.co.jp', {
      firstSeen: new Date(NOW.getTime() - 10 * DAY).toISOString(),
      messages: 3,
      released: 1,
    });
    expect(hits([young]).map((h) => h.signal)).toEqual(['MAIL_SENDER_REPUTATION_GOOD']);
  });

  it('no good history for a mail that failed authentication, spoofs a brand, or whose envelope is elsewhere', () => {
    const clean = [history('from', 'shop.example.co.jp')];
    expect(hits(clean, ['MAIL_DMARC_QUARANTINE'])).toEqual([]);
    expect(hits(clean, ['MAIL_SPF_FAIL'])).toEqual([]);
    expect(hits(clean, ['MAIL_BRAND_SPOOF'])).toEqual([]);
    expect(hits(clean, ['MAIL_DKIM_PASS', 'MAIL_DMARC_PASS']).map((h) => h.signal)).toEqual([
      'MAIL_SENDER_REPUTATION_GOOD',
    ]);
    const elsewhere = [
      { kind: 'from' as const, key: 'shop.example.co.jp' },
      { kind: 'envelope' as const, key: 'bulk.example.net' },
    ];
    expect(hits(clean, [], elsewhere)).toEqual([]);
    const sibling = [
      { kind: 'from' as const, key: 'shop.example.co.jp' },
      { kind: 'envelope' as const, key: 'mail.example.co.jp' },
    ];
    expect(hits(clean, [], sibling).map((h) => h.signal)).toEqual(['MAIL_SENDER_REPUTATION_GOOD']);
    const otherJp = [
      { kind: 'from' as const, key: 'shop.example.co.jp' },
      { kind: 'envelope' as const, key: 'other.co.jp' },
    ];
    expect(hits(clean, [], otherJp)).toEqual([]);
  });

  it('a history with bad mail over the ratio is not good', () => {
    expect(hits([history('from', 'shop.example.co.jp', { messages: 50, bad: 2 })])).toEqual([]);
  });
});

describe('countsAsBad', () => {
  const hit = (signal: string, score: number) => ({ signal, score }) as VerdictHit;
  it('quarantined or refused on other evidence counts; on the reputation alone it does not', () => {
    expect(
      countsAsBad({ action: 'hold', hits: [hit('MAIL_LURE_MODEL', 6), hit('MAIL_SENDER_REPUTATION', 5)] }),
    ).toBe(true);
    expect(countsAsBad({ action: 'block', hits: [hit('MAIL_DMARC_REJECT', 15)] })).toBe(true);
    expect(
      countsAsBad({ action: 'hold', hits: [hit('MAIL_SENDER_REPUTATION', 5), hit('MAIL_SENDER_NEW', 1.5)] }),
    ).toBe(false);
    expect(countsAsBad({ action: 'warn', hits: [hit('MAIL_LURE_MODEL', 5)] })).toBe(false);
    expect(countsAsBad({ action: 'review', hits: [hit('MAIL_BIMI_VALID', -2), hit('MAIL_URL_X', 4)] })).toBe(
      true,
    );
  });
});

describe('reputationSettingsIssues', () => {
  it('names each field at fault, Japanese first', () => {
    expect(reputationSettingsIssues({})).toEqual([]);
    expect(reputationSettingsIssues({ reputation: DEFAULT_REPUTATION })).toEqual([]);
    expect(reputationSettingsIssues({ reputation: 3 })[0]?.path).toBe('settings.reputation');
    const issues = reputationSettingsIssues({ reputation: { badRatio: 1.5, newSenderDays: -1, other: 1 } });
    expect(issues.map((i) => i.path).sort()).toEqual([
      'settings.reputation.badRatio',
      'settings.reputation.newSenderDays',
      'settings.reputation.other',
    ]);
    expect(issues.every((i) => typeof i.ja === 'string')).toBe(true);
  });
});

const RAW = (from: string) =>
  [
    `From: Shop <news@${from}>`,
    'To: user@example.jp',
    'Subject: hello',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'hello',
    '',
  ].join('\r\n');

for (const backend of storeBackends()) {
  describe(`sender history on ${backend.name}`, () => {
    let store: Store;
    let rep: ReputationStore;
    let mail: MailChannel;
    const hasher = createKeyedHasher('mail-reputation-test-key-0123456789');
    let n = 0;

    beforeAll(async () => {
      store = await backend.open();
      rep = new ReputationStore(mailDb(store));
      mail = createMailChannel(
        { db: store.db, hasher, decisions: store.decisions, intel: unusedIntel },
        { dns: 'off', authServId: 'mx.test.example' },
      );
    }, 60_000);
    afterAll(() => store?.close());

    async function screen(from: string, clientIp = '198.51.100.20', mailFrom = `bounce@${from}`) {
      const engine = createEngine({ channels: [mail] });
      n += 1;
      const payload = mail.schema.parse({
        raw: RAW(from),
        envelope: { clientIp, mailFrom, rcptTo: ['user@example.jp'] },
      });
      const { verdict, screening } = await engine.screen({
        event: { id: `evt_${n}`, orgId: 'org_a', channel: 'mail', receivedAt: NOW.toISOString(), payload },
        policy: { version: 0, document: policyDocumentSchema.parse(mail.defaultPolicy) },
        tools: createExtractTools(hasher),
        intel: { lookup: async () => [] },
        now: NOW,
      });
      return { verdict, screening: screening as MailScreening };
    }

    it('counts every verdict per From domain, envelope domain and /24; bad only on other evidence', async () => {
      // The organisation has watched for a year (else no sender is "new" yet).
      await rep.count(
        'org_a',
        [{ kind: 'from', key: 'seed.example.jp' }],
        false,
        new Date(NOW.getTime() - 365 * DAY),
      );
      const { verdict, screening } = await screen('count.example.jp');
      expect(verdict.hits.map((h) => h.signal)).toContain('MAIL_SENDER_NEW');
      await mail.record?.(verdict, screening);
      const held: Verdict = {
        ...verdict,
        action: 'hold',
        hits: [...verdict.hits, { ...(verdict.hits[0] as VerdictHit), signal: 'MAIL_LURE_MODEL', score: 6 }],
      };
      await mail.record?.(held, screening);
      const got = await rep.histories('org_a', [
        { kind: 'from', key: 'count.example.jp' },
        { kind: 'envelope', key: 'count.example.jp' },
        { kind: 'ip', key: '198.51.100.0/24' },
      ]);
      expect(got).toHaveLength(3);
      for (const h of got)
        expect(h).toMatchObject({ messages: 2, bad: 1, released: 0, firstSeen: NOW.toISOString() });
      const again = await screen('count.example.jp');
      expect(again.verdict.hits.find((h) => h.signal === 'MAIL_SENDER_NEW')?.params).toMatchObject({
        messages: 3,
      });
    });

    it('a release credits the senders: released +1, one bad undone, never below zero', async () => {
      const senders = [
        { kind: 'from' as const, key: 'credit.example.jp' },
        { kind: 'ip' as const, key: '192.0.2.0/24' },
      ];
      await rep.count('org_a', senders, true, NOW);
      await rep.credit('org_a', senders, true);
      await rep.credit('org_a', senders, false);
      const got = await rep.histories('org_a', senders);
      for (const h of got) expect(h).toMatchObject({ messages: 1, bad: 0, released: 2, upheld: 1 });
      expect(await rep.histories('org_b', senders)).toEqual([]);
      expect(await rep.watchingSince('org_b', NOW)).toBeNull();
      expect(await rep.watchingSince('org_a', NOW)).toBe(new Date(NOW.getTime() - 365 * DAY).toISOString());
    });

    it('concurrent upserts of the same senders all count (no lost update, no deadlock)', async () => {
      const senders = [
        { kind: 'ip' as const, key: '233.252.0.0/24' },
        { kind: 'from' as const, key: 'busy.example.jp' },
        { kind: 'envelope' as const, key: 'busy.example.jp' },
      ];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          rep.count('org_a', i % 2 ? senders : [...senders].reverse(), i < 15, NOW),
        ),
      );
      const got = await rep.histories('org_a', senders);
      for (const h of got) expect(h).toMatchObject({ messages: 20, bad: 15 });
    });

    it('a sender whose mail was mostly quarantined gets MAIL_SENDER_REPUTATION on its next mail', async () => {
      await rep.count('org_a', [{ kind: 'ip', key: '203.0.113.0/24' }], false, NOW);
      for (let i = 0; i < 6; i++)
        await rep.count('org_a', [{ kind: 'ip', key: '203.0.113.0/24' }], true, NOW);
      const { verdict } = await screen('fresh.example.jp', '203.0.113.99');
      const hit = verdict.hits.find((h) => h.signal === 'MAIL_SENDER_REPUTATION');
      expect(hit?.params).toEqual({ sender: '203.0.113.0/24', kind: 'ip', messages: 7, bad: 6 });
      expect(verdict.reasons.find((r) => r.signal === 'MAIL_SENDER_REPUTATION')?.ja).toContain(
        '7 通のうち 6 通',
      );
    });
  });
}
