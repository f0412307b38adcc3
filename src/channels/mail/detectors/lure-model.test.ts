/**
 * MAIL_LURE_MODEL (issue 11 item 2; E1, E4) on whole mails through the channel: Japanese and
 * English phishing hits with evidence, Japanese receipts, notices and personal mail do not; the
 * factor's scale (warn, hold, never block alone); the own-links rule; the committed model file.
 * The fixtures are written for this test and are in none of the training files.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mailKit, mailPayload } from '../../../../test/helpers/mail-channel.ts';
import { extractUrls } from '../../../intel/url-extract.ts';
import { loadMailModel, MAIL_DIMENSION } from '../../../ml/mail-data.ts';
import { normaliseText } from '../../../ml/normalise-text.ts';
import {
  MAIL_LURE_SIGNALS,
  mailContentLength,
  mailLureFactor,
  onlyOwnLinks,
  topMailFeatures,
} from './lure-model.ts';

const kit = mailKit();

/** A single-part UTF-8 text mail (base64 body, RFC 2047 subject). */
function mail(subject: string, body: string, from = 'sender@example.net', type = 'text/plain'): string {
  return [
    `From: ${from}`,
    'To: user@example.jp',
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    'MIME-Version: 1.0',
    `Content-Type: ${type}; charset=UTF-8`,
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(body).toString('base64'),
    '',
  ].join('\r\n');
}

async function lure(raw: string) {
  const verdict = await kit.screen(mailPayload(raw));
  return verdict.hits.find((h) => h.signal === 'MAIL_LURE_MODEL');
}

const PHISH = {
  'ja card': mail(
    '【重要】カードのご利用を一時停止しました',
    'いつもご利用ありがとうございます。\nお客様のカードで第三者による不正利用の可能性がある取引を確認したため、ご利用を一時的に停止しております。\n下記URLよりご本人様確認を行い、制限を解除してください。\nhttps://card-kakunin-center.top/login\n48時間以内にご確認いただけない場合、カードは無効となります。',
  ),
  'ja parcel': mail(
    '【配送のお知らせ】お荷物を持ち帰りました',
    'お客様宛のお荷物をお届けにあがりましたが、ご不在のため持ち帰りました。\n再配達をご希望の場合は、以下より住所の確認と再配達手数料のお支払いをお願いします。\nhttps://redelivery-check.xyz/r\n保管期限を過ぎますと、お荷物は返送されます。',
  ),
  'ja tax': mail(
    '【最終催告】未納の税金について',
    'あなたの所得税が未納です。未納額 42,000円。\n本日中に納付が確認できない場合、財産の差押えを行います。\n納付はこちらから：https://zeikin-nofu.top/pay',
  ),
  'en account': mail(
    'Your account has been suspended',
    'Dear customer,\n\nWe detected unusual activity and have suspended your account. To restore access, verify your identity and update your payment information within 24 hours:\nhttps://account-restore-center.top/verify\n\nIf you do not verify, your account will be permanently closed.',
  ),
  'en parcel fee': mail(
    'Your parcel could not be delivered',
    'We attempted to deliver your package but a customs fee of $2.99 is unpaid. Pay the fee to reschedule delivery:\nhttps://parcel-redelivery-fee.top/pay\nUnclaimed parcels are returned after 48 hours.',
  ),
};

const LEGIT = {
  'ja receipt': mail(
    'ご注文ありがとうございます（注文番号 7781-2290）',
    '○○様\n\nこの度は当店をご利用いただき誠にありがとうございます。\n以下の内容でご注文を承りました。\n\n・国産はちみつ 500g ×1 1,980円\n・送料 0円\n合計 1,980円\n\n発送は2〜3営業日以内を予定しております。発送後に追跡番号をお知らせします。\n\n○○養蜂園 オンラインショップ',
    'shop@example-honey.jp',
  ),
  'ja card statement': mail(
    '【カード】ご請求金額確定のお知らせ',
    'いつもカードをご利用いただきありがとうございます。\n5月27日お支払い分のご請求金額が確定しました。\n\nご請求金額：21,340円\n\nご利用明細は会員サイトまたはアプリでご確認ください。\n当社がメールで暗証番号やカード番号の入力をお願いすることはございません。',
    'info@card.example.co.jp',
  ),
  'ja carrier': mail(
    '【お届け予定】お荷物のお届け日時のご案内',
    'いつもご利用いただきありがとうございます。\n\n伝票番号：3301-2298-1120\nお届け予定日：6月3日（月）\n時間帯：19時〜21時\nご依頼主：○○書店\n\nお届け日時の変更は会員サイトから承ります。',
    'info@delivery.example.co.jp',
  ),
  'ja personal': mail(
    '週末のバーベキュー',
    'みんなへ\n\n土曜日のバーベキュー、雨の予報なので日曜日に変更しようと思います。\n場所は同じく河川敷で、11時集合でどうかな？\n食材は前日に買い出しに行きます。参加できるか返信ください！\n\nたけし',
    'takeshi@example.ne.jp',
  ),
  'ja work': mail(
    '議事録の共有',
    '関係者各位\n\nお疲れさまです。本日の定例会議の議事録を共有フォルダに格納しました。\n次回は来週火曜日14時からです。\n宿題事項の担当の方は、金曜日までに進捗をご記入ください。\n\n企画部 森',
    'mori@example-corp.co.jp',
  ),
};

describe('MAIL_LURE_MODEL (E1, E4: the mail content model)', () => {
  // The first screening of a process compiles the scanner and the engine: not what is measured here.
  beforeAll(async () => {
    await kit.screen(mailPayload(mail('warm-up', 'warm-up text of a mail')));
  });

  it('declares one content signal with Japanese and English texts', () => {
    expect(MAIL_LURE_SIGNALS.map((s) => s.name)).toEqual(['MAIL_LURE_MODEL']);
    const s = MAIL_LURE_SIGNALS[0];
    expect(s?.weight).toBe(5);
    expect(s?.description.ja).toMatch(/[ぁ-ん]/);
    expect(s?.reason.en).toContain('{probability}');
  });

  for (const [name, raw] of Object.entries(PHISH)) {
    it(`hits phishing: ${name}, with the probability and n-grams as evidence`, async () => {
      const hit = await lure(raw);
      expect(hit).toBeDefined();
      expect(hit?.evidence[0]).toMatch(/^p=[01]\.\d{3}$/);
      expect(hit?.evidence.some((e) => e.startsWith('「'))).toBe(true);
      expect(Number(hit?.params?.probability)).toBeGreaterThanOrEqual(0.5);
    });
  }

  for (const [name, raw] of Object.entries(LEGIT)) {
    it(`does not hit legitimate mail: ${name}`, async () => {
      expect(await lure(raw)).toBeUndefined();
    });
  }

  it('scales warn at p 0.5, hold from p 0.74, and never blocks alone (weight 5, cap 2)', () => {
    expect(5 * mailLureFactor(0.5)).toBe(5);
    expect(5 * mailLureFactor(0.74)).toBeCloseTo(8, 9);
    expect(5 * mailLureFactor(1)).toBe(10);
    expect(5 * mailLureFactor(1)).toBeLessThan(15);
  });

  it('halves a mail whose every link goes to a brand’s own site and that gives no phone number', () => {
    const state = (text: string) => ({ normalised: normaliseText(text), urls: extractUrls(text) });
    expect(onlyOwnLinks(state('ご確認は https://www.amazon.co.jp/gp/css/order-history から'))).toBe(true);
    expect(onlyOwnLinks(state('ご確認は https://amazon-co-jp.verify-account.top/ から'))).toBe(false);
    expect(onlyOwnLinks(state('リンクのないメール'))).toBe(false);
    expect(onlyOwnLinks(state('https://www.amazon.co.jp/ または 0120-555-018 へお電話ください'))).toBe(false);
  });

  it('counts content outside placeholders and spaces', () => {
    expect(mailContentLength('<URL> <URL> ab')).toBe(2);
    expect(mailContentLength('お知らせ <PHONE>')).toBe(4);
  });

  it('the committed model loads, is calibrated, and explains a lure with positive n-grams', () => {
    const m = loadMailModel();
    expect(m.model.dimension).toBe(MAIL_DIMENSION);
    expect(m.platt.a).toBeGreaterThan(0);
    const features = topMailFeatures(
      m,
      normaliseText('アカウントを一時停止しました。本人確認をお願いします').text,
    );
    expect(features.length).toBeGreaterThan(0);
    for (const f of features) expect(f).toMatch(/^「.+」\+\d+\.\d\d$/);
  });
});
