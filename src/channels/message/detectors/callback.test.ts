import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageKit } from '../../../../test/helpers/message-channel.ts';

const { screen } = messageKit();

async function callback(text: string, sender = '+819012345678') {
  const verdict = await screen({ kind: 'sms', sender, text });
  return { verdict, hit: verdict.hits.find((h) => h.signal === 'MESSAGE_CALLBACK_LURE') };
}

describe('MESSAGE_CALLBACK_LURE (I1)', () => {
  it('fires on a fee demand with a legal threat and a number to call, the number as evidence', async () => {
    const { hit, verdict } = await callback(
      '【重要】ご利用料金の未払いがあります。本日中に 03-1234-5678 までご連絡ください。ご連絡なき場合は法的措置に移行します。',
    );
    expect(hit?.score).toBe(6);
    expect(hit?.evidence).toEqual(['phone=0312345678', 'owed:未払', 'urgency:本日中', 'threat:法的']);
    const reason = verdict.reasons.find((r) => r.signal === 'MESSAGE_CALLBACK_LURE')!;
    expect(reason.ja).toContain('0312345678');
    expect(reason.en).toContain('call');
  });

  it.each([
    // 架空請求: paid-video fees, court.
    [
      '有料動画の閲覧履歴があり、未納料金が発生しております。本日中にご連絡なき場合、裁判となります。0120-987-654',
      6,
    ],
    // 還付金詐欺 (katakana folds to hiragana: 還付 is kanji and stays).
    ['【市役所】医療費の還付金があります。期限が本日までのため至急 0570-012-345 へお電話ください。', 5],
    // Account suspension with urgency, call back the sender (no number in the text).
    ['【NTTファイナンス】お支払いの確認が取れておりません。至急ご連絡ください。ご利用を停止します。', 4.8],
    ['URGENT: your account has been suspended. Call +1 800 555 0199 immediately to avoid legal action.', 6],
    ['Final notice: your refund of $299 is pending. Call +1 202 555 0123 right away.', 5],
  ])('fires on %s', async (text, score) => {
    expect((await callback(text)).hit?.score).toBe(score);
  });

  it('scores a dunning-like notice with two kinds and no urgency below warn', async () => {
    const { hit } = await callback(
      '【○○カード】お支払いの確認が取れておりません。このままではカードのご利用を停止させていただきます。お問い合わせ 0120-111-222',
    );
    expect(hit?.score).toBe(3.5);
  });

  it.each([
    // A normal notice with a call-back number (near miss: no pressure).
    'ご不明点はカスタマーセンター 0120-123-456 までお電話ください。',
    '【○○銀行】口座振替のお知らせ。12月分のご利用料金を27日に引き落とします。お問い合わせ 0120-222-333',
    '予約確認: 12月8日 15:00 さくら歯科。変更は 03-1234-5678 までご連絡ください。',
    '配達予定のお知らせ。日時変更はドライバー直通 090-1234-5678 まで。',
    // Pressure without a call to act.
    '【重要】未払いの料金があります。本日中にお支払いください https://pay.example.com/x',
    // A threat word in chat.
    '今日中に電話して！裁判の話、ドラマの続きが気になる',
    'Call me when you get home, the court booking is at 7.',
  ])('does not fire on %s (near miss)', async (text) => {
    expect((await callback(text)).hit).toBeUndefined();
  });

  it('never throws on arbitrary text and reads 100 KB within a few ms (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 500 }), async (text) => {
        const { verdict } = await callback(text);
        expect(verdict.outcomes.find((o) => o.detector === 'message.callback_lure')?.outcome).toBe('ok');
      }),
      { numRuns: 200 },
    );
    const big = '未払い 電話 0120-123-456 🙂\u202E '.repeat(4000).slice(0, 100_000);
    const { verdict } = await callback(big);
    const outcome = verdict.outcomes.find((o) => o.detector === 'message.callback_lure')!;
    expect(outcome.outcome).toBe('ok');
    expect(outcome.ms).toBeLessThan(500);
  });
});
