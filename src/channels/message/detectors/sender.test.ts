import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageKit } from '../../../../test/helpers/message-channel.ts';
import { policyDocumentSchema } from '../../../core/index.ts';

const kit = messageKit();
const { message } = kit;
const policyOf = (settings: Record<string, unknown> = {}) => ({
  version: 0,
  document: policyDocumentSchema.parse({ ...message.defaultPolicy, settings }),
});
const _noIntel = { lookup: async () => [] };

async function screen(payload: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  const verdict = await kit.screen(payload, { policy: policyOf(settings) });
  const mine = verdict.hits.filter((h) => h.signal.startsWith('MESSAGE_SENDER_'));
  return { verdict, mine, signals: mine.map((h) => h.signal).sort() };
}

const sms = (sender: string, text: string) => ({ kind: 'sms', sender, text });

describe('MESSAGE_SENDER_IMPOSSIBLE', () => {
  it.each([
    ['+81 3 0000 0000', 'invalid-jp-number'],
    ['090-0123-4567', 'invalid-jp-number'],
    ['+8109012345678', 'trunk-zero'],
    ['AmazonJapanInfo', 'too-long-id'],
    ['АМАZОN', 'non-gsm-id'],
    ['Info\u202E', 'control-characters'],
  ])('fires for an SMS from %s (%s), with the reason in Japanese and English', async (sender, problem) => {
    const { mine, verdict } = await screen(sms(sender, 'ご利用ありがとうございます。'));
    const hit = mine.find((h) => h.signal === 'MESSAGE_SENDER_IMPOSSIBLE');
    expect(hit?.evidence).toContain(`problem=${problem}`);
    expect(hit?.score).toBe(5);
    const reason = verdict.reasons.find((r) => r.signal === 'MESSAGE_SENDER_IMPOSSIBLE')!;
    expect(reason.ja).toContain('届き得ない');
    expect(reason.en).toContain('cannot reach');
  });

  it.each([
    '090-1234-5678',
    '+819012345678',
    '0120-123-456',
    '03-1234-5678',
    '0005123456',
    '21234',
    'Info',
    '+12025550123',
  ])('does not fire for an SMS from %s (near miss)', async (sender) => {
    expect((await screen(sms(sender, '明日の予約は10時です。'))).signals).not.toContain(
      'MESSAGE_SENDER_IMPOSSIBLE',
    );
  });

  it('leaves long names and kana to RCS and DMs, but not control characters', async () => {
    expect(
      (await screen({ kind: 'rcs', sender: 'ヤマダ電機公式アカウント', text: 'セールのお知らせ' })).signals,
    ).toEqual([]);
    expect((await screen({ kind: 'dm', sender: '@山田_taro', text: 'こんにちは' })).signals).toEqual([]);
    expect((await screen({ kind: 'dm', sender: '@taro\u202Eoof', text: 'こんにちは' })).signals).toEqual([
      'MESSAGE_SENDER_IMPOSSIBLE',
    ]);
  });

  it('takes every alphanumeric SMS sender as forged where the carrier carries none (settings.sender.alphanumericSms)', async () => {
    const strict = { sender: { alphanumericSms: 'impossible' } };
    const { mine } = await screen(sms('Info', 'ポイントのお知らせ'), strict);
    expect(mine.map((h) => h.evidence)).toEqual([
      ['sender="Info"', 'kind=sms', 'problem=alphanumeric-not-carried'],
    ]);
    expect((await screen(sms('Info', 'ポイントのお知らせ'))).signals).toEqual([]);
  });

  it('refuses bad settings, naming the field', () => {
    expect(
      message.settingsIssues?.({ sender: { alphanumericSms: 'no', newAccountDays: -1, colour: 1 } }),
    ).toEqual([
      { path: 'settings.sender.alphanumericSms', message: 'must be one of international, impossible' },
      { path: 'settings.sender.newAccountDays', message: 'must be an integer from 0 to 365' },
      { path: 'settings.sender.colour', message: 'unknown setting: the policy is refused' },
    ]);
    expect(
      message.settingsIssues?.({ sender: { alphanumericSms: 'impossible', newAccountDays: 3 } }),
    ).toEqual([]);
  });
});

describe('MESSAGE_SENDER_BRAND_UNVERIFIED', () => {
  it.each([
    ['AMAZON', 'Amazon'],
    ['Rakuten', '楽天'],
    ['SAGAWA', '佐川急便'],
    ['SMBC', '三井住友銀行'],
    ['JAPANPOST', '日本郵便'],
    ['AMAZ0N', 'Amazon'],
  ])('fires for sender ID %s claiming %s that the registry does not hold', async (sender, brand) => {
    const { mine, verdict } = await screen(sms(sender, 'お客様のアカウントを確認してください。'));
    expect(mine.map((h) => [h.signal, h.score])).toEqual([['MESSAGE_SENDER_BRAND_UNVERIFIED', 5]]);
    expect(mine[0]!.evidence).toContain(`brand=${brand}`);
    expect(verdict.action).not.toBe('allow');
    expect(verdict.enrichments).toContainEqual(
      expect.objectContaining({ enrichment: 'message.verified-senders', outcome: 'ok' }),
    );
  });

  it('weighs a DM handle less, a post handle less still, and not at all when the platform verified it', async () => {
    const dm = await screen({ kind: 'dm', sender: '@amazon_support_jp', text: 'ご注文に問題があります' });
    expect(dm.mine.map((h) => h.score)).toEqual([4]);
    const post = await screen({ kind: 'post', sender: '@rakuten_fan', text: '今日のセール最高' });
    expect(post.mine.map((h) => h.score)).toEqual([2.5]);
    const verified = await screen({
      kind: 'dm',
      sender: '@amazon_jp',
      text: 'ご注文ありがとうございます',
      platform: { senderVerified: true },
    });
    expect(verified.signals).toEqual([]);
  });

  it.each(['Info', 'AUDI', 'TAKAHASHI', '090-1234-5678'])(
    'does not fire for %s (near miss)',
    async (sender) => {
      expect((await screen(sms(sender, 'お客様のアカウントを確認してください。'))).signals).toEqual([]);
    },
  );
});

describe('MESSAGE_SENDER_INTL_AS_DOMESTIC', () => {
  it('fires for a foreign number writing as a Japanese brand', async () => {
    const { mine } = await screen(
      sms('+8613800138000', '【佐川急便】お荷物のお届けにあがりましたが不在のため持ち帰りました。'),
    );
    expect(mine.map((h) => [h.signal, h.score])).toEqual([['MESSAGE_SENDER_INTL_AS_DOMESTIC', 5]]);
    expect(mine[0]!.evidence).toEqual(['sender=+8613800138000', 'country=CN', 'claims 佐川急便']);
  });

  it('fires, weaker, for Japanese lure topics from abroad with a link', async () => {
    const { mine } = await screen(
      sms('+639171234567', 'ご利用料金の確認が必要です https://pay-check.example.top/jp'),
    );
    expect(mine.map((h) => [h.signal, h.score])).toEqual([['MESSAGE_SENDER_INTL_AS_DOMESTIC', 4]]);
  });

  it.each([
    ['+12025550123', 'Your Amazon verification code is 123456.'],
    ['+12025550123', '今ハワイに着いたよ！明日電話するね'],
    ['+447700900123', 'ロンドンは雨です。料金は高いけど楽しい'],
    ['+819012345678', '【佐川急便】お荷物のお届けにあがりましたが不在のため持ち帰りました。'],
  ])('does not fire for %s: %s (near miss)', async (sender, text) => {
    expect((await screen(sms(sender, text))).signals).not.toContain('MESSAGE_SENDER_INTL_AS_DOMESTIC');
  });
});

describe('MESSAGE_SENDER_NEW_ACCOUNT', () => {
  it('fires for a days-old account sending a link or an amount, below warn alone', async () => {
    const link = await screen({
      kind: 'dm',
      sender: '@shop_deals',
      text: '限定セールはこちら https://deal.example.com/x',
      platform: { senderAccountAgeDays: 2 },
    });
    expect(link.mine.map((h) => [h.signal, h.score])).toEqual([['MESSAGE_SENDER_NEW_ACCOUNT', 2]]);
    const money = await screen({
      kind: 'post',
      sender: '@work_now',
      text: '日給5万円の簡単なお仕事',
      platform: { senderAccountAgeDays: 0 },
    });
    expect(money.mine.map((h) => h.score)).toEqual([3]);
  });

  it.each([
    [{ senderAccountAgeDays: 30 }, 'こちら https://deal.example.com/x'],
    [{ senderAccountAgeDays: 1 }, 'はじめまして、よろしくお願いします'],
    [{}, 'こちら https://deal.example.com/x'],
  ])('does not fire for %o: %s (near miss)', async (platform, text) => {
    expect((await screen({ kind: 'dm', sender: '@taro', text, platform })).signals).toEqual([]);
  });
});

describe('sender detectors on arbitrary input', () => {
  it('never throw nor error on any sender and text, 100 KB included, within a few ms (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('sms', 'rcs', 'dm', 'post'),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== ''),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
        async (kind, sender, text) => {
          const { verdict } = await screen({ kind, sender: sender.slice(0, 320), text });
          expect(
            verdict.outcomes.filter((o) => o.detector.startsWith('message.sender') && o.outcome !== 'ok'),
          ).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
    const big = '【佐川急便】不在 料金 口座 ‮ 🙂 '.repeat(5000).slice(0, 100_000);
    const t0 = performance.now();
    const { verdict } = await screen(sms('+8613800138000', big));
    const detectorMs = verdict.outcomes
      .filter((o) => o.detector.startsWith('message.sender'))
      .reduce((sum, o) => sum + o.ms, 0);
    expect(detectorMs).toBeLessThan(500);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
