import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailKit, mailPayload } from '../../../../test/helpers/mail-channel.ts';
import { brandClaims, displayNameBrand, isFreeMail, SENDER_SIGNALS } from './sender.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../../test/fixtures/mail/${name}`, import.meta.url), 'utf8');

const OURS: ReadonlySet<string> = new Set(SENDER_SIGNALS.map((s) => s.name));
const kit = mailKit();
async function hits(raw: string) {
  const verdict = await kit.screen(mailPayload(raw));
  return verdict.hits.filter((h) => OURS.has(h.signal));
}

const mail = (headers: string[]) =>
  [
    ...headers,
    'To: user@example.jp',
    'Subject: t',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    'body',
    '',
  ].join('\r\n');
const from = (name: string, address: string) => ({
  name,
  address,
  domain: address.slice(address.lastIndexOf('@') + 1).toLowerCase(),
});

describe('MAIL_BRAND_SPOOF (E1, E3)', () => {
  it('a brand display name over free mail, with a free-mail Reply-To', async () => {
    const found = await hits(fixture('phish-brand-freemail-replyto.eml'));
    const spoof = found.find((h) => h.signal === 'MAIL_BRAND_SPOOF');
    expect(spoof?.params).toMatchObject({ brand: 'Amazon', domain: 'gmail.com' });
    expect(spoof?.factor).toBe(1.25);
    expect(spoof?.evidence.join(' ')).toContain('gmail.com');
    const reply = found.find((h) => h.signal === 'MAIL_REPLY_TO_MISMATCH');
    expect(reply?.params?.replyTo).toBe('amazon-care-desk@outlook.jp');
    // free mail under free mail: weak
    expect(reply?.factor).toBe(0.5);
  });

  it('a look-alike From domain is quarantined on its own (6 x 1.5)', async () => {
    const [spoof] = await hits(fixture('phish-lookalike-from-domain.eml'));
    expect(spoof?.signal).toBe('MAIL_BRAND_SPOOF');
    expect(spoof?.score).toBe(9);
    expect(spoof?.params?.brand).toBe('楽天');
    expect(spoof?.evidence.join(' ')).toContain('楽天カード');
  });

  it('国税庁 as the whole display name over an unrelated domain warns (6 x 1.1)', async () => {
    const [spoof] = await hits(fixture('phish-nta-unrelated-domain.eml'));
    expect(spoof?.params).toMatchObject({ brand: '国税庁', domain: 'tax-refund-center.example' });
    expect(spoof?.score).toBeCloseTo(6.6);
  });

  it('the brand alone (with generic words) counts more than a brand inside a longer name', () => {
    const whole = (name: string) => displayNameBrand(name)?.whole;
    expect(whole('【楽天カード】ご利用確認のお知らせ')).toBe(true);
    expect(whole('Amazon カスタマーサービス')).toBe(true);
    expect(whole('三井住友カード株式会社')).toBe(true);
    expect(whole('旅行会社ABC × 楽天トラベル キャンペーン事務局')).toBe(false);
    expect(brandClaims(from('国税庁', 'info@tax.example'))[0]?.factor).toBe(1.1);
    expect(brandClaims(from('ABC旅行 楽天トラベル 提携プラン', 'info@abc-travel.example'))[0]?.factor).toBe(
      0.75,
    );
  });

  it('a display name that is a brand domain or address, over another domain', () => {
    const [c] = brandClaims(from('support@smbc-card.com', 'alert@notice-center.example'));
    expect(c).toMatchObject({ brand: '三井住友カード', factor: 1.25 });
  });

  it('a brand name as a free-mail user name', () => {
    const [c] = brandClaims(from('', 'rakuten-support@yahoo.co.jp'));
    expect(c).toMatchObject({ brand: '楽天', factor: 1 });
  });

  it('the brand own and sending domains never fire, nor a sister brand', () => {
    for (const [name, address] of [
      ['Amazon.co.jp', 'shipment-tracking@amazon.co.jp'],
      ['楽天市場', 'info@mail.rakuten.co.jp'],
      ['楽天銀行', 'info@rakuten-bank.co.jp'],
      ['三井住友カード', 'mail@vpass.ne.jp'],
      ['国税庁', 'info@e-tax.nta.go.jp'],
      ['日本郵便', 'noreply@post.japanpost.jp'],
      ['ゆうちょ銀行', 'info@jp-bank.japanpost.jp'],
      ['Apple', 'no_reply@email.apple.com'],
      ['Microsoft アカウント チーム', 'account-security-noreply@accountprotection.microsoft.com'],
    ] as const)
      expect(brandClaims(from(name, address)), `${name} <${address}>`).toEqual([]);
  });

  it("a brand's own consumer mail service is no cover, but counts under warn alone (icloud.com, docomo.ne.jp)", () => {
    expect(brandClaims(from('Apple ID', 'x@icloud.com'))[0]?.brand).toBe('Apple ID');
    const docomo = brandClaims(from('NTTドコモ', 'info@docomo.ne.jp'))[0];
    expect(docomo?.brand).toBe('NTT docomo');
    // 6 x 0.5 = 3: the carrier's own notices come from its mail service too; DMARC and the content decide.
    expect(docomo?.factor).toBe(0.5);
    // Another brand's name over the same service is free mail as ever.
    expect(brandClaims(from('楽天カード', 'x@docomo.ne.jp'))[0]?.factor).toBe(1.25);
  });

  it('shops naming the marketplace they sell on, people and ordinary names do not fire', async () => {
    expect(await hits(fixture('legit-shop-on-marketplace.eml'))).toEqual([]);
    expect(await hits(fixture('legit-rakuten-group.eml'))).toEqual([]);
    for (const name of [
      'Taro Yamada',
      'Apple Valley Farm',
      'さくら雑貨 楽天市場店',
      'Amazon出品者 さくら',
      'AU Optronics',
    ])
      expect(displayNameBrand(name), name).toBeUndefined();
  });

  it('brand names in look-alike letters and Japanese names are read', () => {
    expect(displayNameBrand('AMAZ0N JAPAN')?.brand).toBe('Amazon');
    expect(displayNameBrand('三井住友カード株式会社')?.brand).toBe('三井住友カード');
    expect(displayNameBrand('楽天カード')?.brand).toBe('楽天カード');
    expect(displayNameBrand('ｱﾏｿﾞﾝ')?.brand).toBe('Amazon');
    expect(displayNameBrand('アマゾン')?.brand).toBe('Amazon');
  });

  it('free mail is matched on the exact domain', () => {
    expect(isFreeMail('docomo.ne.jp')).toBe(true);
    expect(isFreeMail('mail.docomo.ne.jp')).toBe(false);
    expect(isFreeMail('GMAIL.COM.')).toBe(true);
  });
});

describe('MAIL_REPLY_TO_MISMATCH', () => {
  it('a mailing list setting Reply-To to itself is no mismatch', async () => {
    expect(await hits(fixture('legit-mailing-list.eml'))).toEqual([]);
  });

  it('free-mail Reply-To under a business From counts 1.5, under a brand From 2; same site none', async () => {
    const business = await hits(
      mail(['From: <billing@company.example>', 'Reply-To: <billing.dept@gmail.com>']),
    );
    expect(business.map((h) => [h.signal, h.factor])).toEqual([['MAIL_REPLY_TO_MISMATCH', 1.5]]);
    const brand = await hits(mail(['From: <info@rakuten.co.jp>', 'Reply-To: <rakuten.desk@gmail.com>']));
    expect(brand.map((h) => [h.signal, h.factor])).toEqual([['MAIL_REPLY_TO_MISMATCH', 2]]);
    const other = await hits(mail(['From: <a@company.example>', 'Reply-To: <b@partner.example>']));
    expect(other.map((h) => [h.signal, h.factor])).toEqual([['MAIL_REPLY_TO_MISMATCH', 1]]);
    expect(await hits(mail(['From: <a@company.example>', 'Reply-To: <b@support.company.example>']))).toEqual(
      [],
    );
  });
});

describe('MAIL_FROM_MALFORMED', () => {
  it('two From headers count double', async () => {
    const found = await hits(fixture('malformed-two-from.eml'));
    const m = found.find((h) => h.signal === 'MAIL_FROM_MALFORMED');
    expect(m?.factor).toBe(2);
    expect(m?.evidence[0]).toBe('2 From headers');
  });

  it('no From mailbox, and several without a Sender', async () => {
    expect((await hits(mail([]))).map((h) => h.signal)).toEqual(['MAIL_FROM_MALFORMED']);
    const several = await hits(mail(['From: a@x.example, b@y.example']));
    expect(several[0]?.evidence).toEqual(['2 From mailboxes without a Sender']);
    expect(await hits(mail(['From: a@x.example, b@y.example', 'Sender: a@x.example']))).toEqual([]);
  });
});

describe('sender checks on hostile input (property)', () => {
  it('brandClaims and displayNameBrand never throw on random names and addresses', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        'Amazon',
        '楽天',
        '国税庁',
        'amaz0n',
        '\u202e',
        '@',
        '.co.jp',
        'ｱﾏｿﾞﾝ',
        '<',
        '"',
        '\ud800',
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), fc.array(piece, { maxLength: 5 }), (name, local) => {
        const address = `${local.join('')}@${
          name
            .join('')
            .replace(/[^a-z0-9.-]/giu, '')
            .slice(0, 60) || 'x.example'
        }`;
        const claims = brandClaims(from(name.join('').slice(0, 1000), address));
        for (const c of claims) {
          expect(c.factor).toBeGreaterThan(0);
          expect(c.evidence.length).toBeLessThan(1000);
        }
        displayNameBrand(name.join(''));
      }),
      { numRuns: 300 },
    );
  });
});
