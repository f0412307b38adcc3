import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/cases/roles.ts';
import { CampaignStore } from '../../src/channels/message/campaign-store.ts';
import { messageDb } from '../../src/channels/message/index.ts';
import type { JsonOperation, QueryOperation } from '../../src/core/index.ts';
import type { Mamoru } from '../../src/mamoru.ts';
import { mamoruBackends, type OpenedMamoru } from '../helpers/mamoru-backends.ts';

/**
 * MESSAGE_CAMPAIGN through a real Mamoru on both backends (issue 9, build item 2; I1): copies of a new
 * lure from several senders become a campaign after the first few; one sender's repeats never do; the
 * analyst's one-step operation lists the campaign's URLs, domains and phone numbers, after which a
 * further copy is an INTEL_MATCH_URL hit.
 */
const LURE =
  '【重要】お客様の口座で不正なお取引を検知しました。本日中にご本人様確認をお願いします。確認はこちら';

for (const backend of mamoruBackends()) {
  describe(`message campaigns on ${backend.name}`, () => {
    let opened: OpenedMamoru;
    let mamoru: Mamoru;
    let admin: Actor;
    const ctx = () => ({ actor: admin, params: {}, signal: new AbortController().signal });
    const op = <T>(name: string) => mamoru.channel('message').operations!.find((o) => o.name === name) as T;

    beforeAll(async () => {
      opened = await backend.open();
      mamoru = opened.mamoru;
      const boot = await mamoru.bootstrap({ demo: false });
      if (!boot) throw new Error('bootstrap created nothing');
      admin = { id: 'key_admin', role: 'admin', orgId: boot.orgId };
    }, 60_000);
    afterAll(async () => {
      await opened?.close();
    });

    const screen = (sender: string, text: string) =>
      mamoru.screen(admin, 'message', { kind: 'sms', sender, recipient: '+819012345678', text });

    it('flags the copies of a new lure once three senders sent it, never one sender repeating itself', async () => {
      const signals: string[][] = [];
      for (let i = 1; i <= 5; i++) {
        const v = await screen(
          `+8190111100${i.toString().padStart(2, '0')}`,
          `${LURE} https://bank-check-${i}.example/login`,
        );
        signals.push(v.hits.map((h) => h.signal).filter((s) => s === 'MESSAGE_CAMPAIGN'));
        expect(v.enrichments).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ enrichment: 'message.campaign', outcome: 'ok' }),
          ]),
        );
      }
      expect(signals).toEqual([[], [], ['MESSAGE_CAMPAIGN'], ['MESSAGE_CAMPAIGN'], ['MESSAGE_CAMPAIGN']]);
      const fifth = await screen('+819011119999', `${LURE} https://bank-check-6.example/login`);
      const hit = fifth.hits.find((h) => h.signal === 'MESSAGE_CAMPAIGN')!;
      expect(hit.evidence).toEqual(expect.arrayContaining(['copies=6', 'senders=6', 'contact=yes']));
      expect(hit.score).toBeGreaterThanOrEqual(4);
      expect(['warn', 'block']).toContain(fifth.action);

      // One sender, five times: a newsletter or a retry, not a campaign.
      const solo =
        '今月のポイント残高のお知らせです。詳しくは会員ページをご覧ください。いつもご利用ありがとうございます。';
      for (let i = 0; i < 5; i++) {
        const v = await screen('+819022223333', `${solo} https://shop.example/p/${i}`);
        expect(v.hits.map((h) => h.signal)).not.toContain('MESSAGE_CAMPAIGN');
      }
    });

    it('does not compare OTP templates or short texts', async () => {
      for (let i = 0; i < 4; i++) {
        const otp = await screen(
          `+8190333300${i}0`,
          `認証コード:${100000 + i} このコードを他人に教えないでください。有効期限は10分です。`,
        );
        expect(otp.hits.map((h) => h.signal)).not.toContain('MESSAGE_CAMPAIGN');
        const short = await screen(`+8190444400${i}0`, 'ok, on my way');
        expect(short.hits.map((h) => h.signal)).not.toContain('MESSAGE_CAMPAIGN');
      }
    });

    it('lists the campaign, and turns it into indicators in one step: the next copy matches the list', async () => {
      const list = op<QueryOperation>('campaigns');
      const listed = (await list.run({}, ctx())) as {
        items: { senders: number; sampleDecisionId: string }[];
      };
      expect(listed.items.length).toBeGreaterThanOrEqual(1);
      expect(listed.items[0]!.senders).toBeGreaterThanOrEqual(6);

      const before = await screen('+819055550000', `${LURE} https://bank-check-1.example/login`);
      const toIndicators = op<JsonOperation>('campaign-indicators');
      const answer = (await toIndicators.run({ decisionId: before.id }, ctx())) as {
        messages: number;
        urls: string[];
        domains: string[];
        added: number;
        existing: number;
      };
      expect(answer.messages).toBe(7);
      expect(answer.urls).toHaveLength(6);
      expect(answer.domains).toContain('bank-check-3.example');
      expect(answer.added).toBe(12);
      const again = (await toIndicators.run({ decisionId: before.id }, ctx())) as {
        added: number;
        existing: number;
      };
      expect(again).toMatchObject({ added: 0, existing: 12 });

      const after = await screen('+819066660000', `${LURE} https://bank-check-2.example/login`);
      expect(after.hits.map((h) => h.signal)).toEqual(
        expect.arrayContaining(['INTEL_MATCH_URL', 'MESSAGE_CAMPAIGN']),
      );
      expect(after.action).toBe('block');
      await expect(toIndicators.run({ decisionId: 'dec_nope' }, ctx())).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('keeps shorteners and shared platforms out of the domains it lists', async () => {
      const text =
        '【重要】ご利用料金のお支払いが確認できておりません。本日中にお手続きください。お手続きはこちら';
      let last = '';
      for (const [i, url] of [
        'https://bit.ly/3xAbC',
        'https://sites.google.com/view/pay-now',
        'https://evil-pay.duckdns.org/x',
      ].entries())
        last = (await screen(`+8190777700${i}0`, `${text} ${url}`)).id;
      const answer = (await op<JsonOperation>('campaign-indicators').run({ decisionId: last }, ctx())) as {
        domains: string[];
        skippedDomains: string[];
      };
      expect(answer.domains).toEqual(['evil-pay.duckdns.org']);
      expect(answer.skippedDomains.sort()).toEqual(['bit.ly', 'sites.google.com']);
    });

    it('sweeps rows past retention in batches, and only those', async () => {
      const store = new CampaignStore(messageDb({ db: mamoru.store.db }));
      const old = new Date(Date.now() - 10 * 60 * 60_000);
      for (let i = 0; i < 3; i++)
        await store.record(
          {
            orgId: 'org_sweep',
            decisionId: `dec_old_${i}`,
            receivedAt: old,
            kind: 'sms',
            sender: 'S',
            recipientKey: null,
            fingerprint: { hi: i, lo: 0 },
            urls: [],
            phones: [],
            action: 'allow',
            score: 0,
          },
          240,
        );
      // The first record swept its own row (10 hours old, retention 4 hours); the next two waited for the
      // minute between sweeps. Sweeps now remove them a batch at a time.
      expect(await store.sweep('org_sweep', new Date(Date.now() - 60_000), 1)).toBe(1);
      expect(await store.sweep('org_sweep', new Date(Date.now() - 60_000), 5)).toBe(1);
      expect(await store.sweep('org_sweep', new Date(Date.now() - 60_000), 5)).toBe(0);
      expect(await store.sweep(admin.orgId, new Date(Date.now() - 60_000), 2)).toBe(0);
    });
  });
}
