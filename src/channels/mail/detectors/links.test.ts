import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailKit, mailPayload } from '../../../../test/helpers/mail-channel.ts';
import { extractUrls } from '../../../intel/url-extract.ts';
import { ATTACHMENT_SIGNALS } from './attachments.ts';
import { isTrackingHost, LINK_SIGNALS, linkMismatch, mailUrlHits, siteOf } from './links.ts';
import { SENDER_SIGNALS } from './sender.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../../test/fixtures/mail/${name}`, import.meta.url), 'utf8');

const html = (body: string, from = 'news@shop.example') =>
  [
    `From: <${from}>`,
    'To: user@example.jp',
    'Subject: test',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=UTF-8',
    '',
    body,
    '',
  ].join('\r\n');

const OURS: ReadonlySet<string> = new Set(LINK_SIGNALS.map((s) => s.name));
const kit = mailKit();
async function hits(raw: string) {
  const verdict = await kit.screen(mailPayload(raw));
  return verdict.hits.filter((h) => OURS.has(h.signal));
}

const link = (href: string, text: string) => ({
  url: extractUrls(href)[0] ?? (undefined as never),
  text,
  source: 'html' as const,
});

describe('MAIL_URL_* (E1, E3: the links of a mail)', () => {
  it('declares the message URL signals under mail names, with mail weights', () => {
    const byName = new Map(LINK_SIGNALS.map((s) => [s.name, s.weight]));
    expect(byName.get('MAIL_URL_LOOKALIKE')).toBe(6);
    expect(byName.get('MAIL_URL_OBFUSCATED')).toBe(2);
    expect(byName.get('MAIL_URL_TEXT_MISMATCH')).toBe(5);
    expect([...byName.keys()].every((n) => n.startsWith('MAIL_URL_'))).toBe(true);
  });

  it('a phishing mail whose link shows amazon.co.jp but goes elsewhere is quarantined', async () => {
    const verdict = await kit.screen(mailPayload(fixture('phish-amazon-link-mismatch.eml')));
    const mismatch = verdict.hits.find((h) => h.signal === 'MAIL_URL_TEXT_MISMATCH');
    expect(mismatch?.factor).toBe(1.4);
    expect(mismatch?.params).toEqual({ shown: 'www.amazon.co.jp', target: 'signin-verify.example' });
    expect(mismatch?.evidence[0]).toContain('Amazon');
    expect(verdict.score).toBeGreaterThanOrEqual(7);
  });

  it('a look-alike link, an IP host and an @ decoy fire under mail names', async () => {
    const found = await hits(
      html(
        '<a href="https://amaz0n-co-jp.example/login">ログイン</a> <a href="http://198.51.100.7/x">x</a> <a href="https://www.smbc-card.com@evil.example/">y</a>',
      ),
    );
    const names = found.map((h) => h.signal);
    expect(names).toContain('MAIL_URL_LOOKALIKE');
    expect(names).toContain('MAIL_URL_IP_HOST');
    expect(names).toContain('MAIL_URL_USERINFO');
    expect(found.find((h) => h.signal === 'MAIL_URL_LOOKALIKE')?.params?.brand).toBe('Amazon');
  });

  it('links of the text part are checked too', async () => {
    const raw = [
      'From: <a@news.example>',
      'To: user@example.jp',
      'Subject: t',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'https://bit.ly/3abcDEF',
      '',
    ].join('\r\n');
    expect((await hits(raw)).map((h) => h.signal)).toContain('MAIL_URL_SHORTENER');
  });

  it('the URL model does not judge links on the From domain own site, nor click-tracking hosts', async () => {
    const body = '<a href="https://click.sakura-zakka.jp/?qs=9f2c">ご注文履歴</a>';
    const fromOther = await hits(html(body, 'info@other-shop.example'));
    expect(fromOther.map((h) => h.signal)).toEqual(['MAIL_URL_MODEL']);
    expect(await hits(html(body, 'order@mail.sakura-zakka.jp'))).toEqual([]);
    const tracked = '<a href="https://u1234.ct.sendgrid.net/ls/click?upn=abc123">見る</a>';
    expect(await hits(html(tracked, 'info@other-shop.example'))).toEqual([]);
  });

  it('plain text: bare domains are not judged by the model, words joined across a space are not hidden URLs', async () => {
    const text = (body: string) =>
      ['From: <a@news.example>', 'To: user@example.jp', 'Subject: t', '', body, ''].join('\r\n');
    expect(await hits(text('See c.l.py and add dcc.rhyolite.com to your config.'))).toEqual([]);
    const defanged = await hits(text('Do not open hxxps://login-verify[.]example/account'));
    expect(defanged.map((h) => h.signal)).toContain('MAIL_URL_OBFUSCATED');
  });

  it('other checks still run on the From own site and on tracking hosts', async () => {
    const found = await hits(
      html('<a href="https://amazon-co-jp.verify-account.example/x">x</a>', 'a@verify-account.example'),
    );
    expect(found.map((h) => h.signal)).toContain('MAIL_URL_LOOKALIKE');
  });

  it('a legitimate shop receipt with click tracking and a newsletter through Mailchimp give no hit', async () => {
    expect(await hits(fixture('legit-shop-receipt.eml'))).toEqual([]);
    expect(await hits(fixture('legit-newsletter.eml'))).toEqual([]);
  });
});

describe('MAIL_URL_TEXT_MISMATCH cases', () => {
  it('same registrable domain, or a brand own target, is no mismatch', () => {
    expect(linkMismatch(link('https://click.e.shop.example/x', 'www.shop.example'))).toBeUndefined();
    expect(linkMismatch(link('https://www.amazon.co.jp/gp/r.html?x', 'https://amazon.com/'))).toBeUndefined();
    expect(linkMismatch(link('https://rakuten.co.jp/x', 'www.rakuten-card.co.jp'))).toBeUndefined();
  });

  it('text that is not essentially a URL is no mismatch', () => {
    expect(linkMismatch(link('https://evil.example/', 'こちらからログインしてください'))).toBeUndefined();
    expect(
      linkMismatch(link('https://evil.example/', 'Please read our long notice about shop.example and more')),
    ).toBeUndefined();
  });

  it('a text link is never a mismatch (no visible text)', () => {
    expect(
      linkMismatch({ url: extractUrls('https://evil.example/')[0] as never, source: 'text' }),
    ).toBeUndefined();
  });

  it('brand text over a click-tracking host is weaker; other text over tracking does not fire', () => {
    expect(linkMismatch(link('https://u1.ct.sendgrid.net/ls/click?u=1', 'www.amazon.co.jp'))?.factor).toBe(
      0.7,
    );
    expect(linkMismatch(link('https://u1.ct.sendgrid.net/ls/click?u=1', 'www.shop.example'))).toBeUndefined();
  });

  it('text imitating a brand counts fully; unrelated text over an unrelated host a little', () => {
    expect(linkMismatch(link('https://x.example/', 'www.amazon-co-jp.example'))?.factor).toBe(1);
    expect(linkMismatch(link('https://x.example/', 'www.shop.example'))?.factor).toBe(0.4);
  });

  it('sites are registrable domains (private suffixes too) and tracking hosts are listed', () => {
    expect(siteOf('a.b.shop.co.jp')).toBe('shop.co.jp');
    expect(siteOf('user.github.io')).toBe('user.github.io');
    expect(isTrackingHost('us1.list-manage.com')).toBe(true);
    expect(isTrackingHost('list-manage.com.evil.example')).toBe(false);
  });
});

describe('legitimate fixtures (test/fixtures/mail/legit-*.eml)', () => {
  const all: ReadonlySet<string> = new Set(
    [...LINK_SIGNALS, ...SENDER_SIGNALS, ...ATTACHMENT_SIGNALS].map((s) => s.name),
  );
  const names = readdirSync(new URL('../../../../test/fixtures/mail/', import.meta.url)).filter((n) =>
    n.startsWith('legit-'),
  );

  it('there are legitimate samples: receipts, a newsletter, a list, a bank, a shop, an invoice', () => {
    expect(names.length).toBeGreaterThanOrEqual(7);
  });

  it.each(names)('%s: no link, sender or attachment hit', async (name) => {
    const verdict = await kit.screen(mailPayload(fixture(name)));
    expect(verdict.hits.filter((h) => all.has(h.signal))).toEqual([]);
  });
});

describe('link checks on hostile input (property)', () => {
  it('linkMismatch and mailUrlHits never throw on random anchor texts and targets', () => {
    const host = fc.constantFrom(
      'www.amazon.co.jp',
      'u1.ct.sendgrid.net',
      'evil.example',
      '198.51.100.7',
      'xn--80ak6aa92e.com',
    );
    fc.assert(
      fc.property(host, fc.string({ maxLength: 40 }), fc.string({ maxLength: 400 }), (h, path, text) => {
        const url = extractUrls(`https://${h}/${encodeURIComponent(path)}`)[0];
        if (url === undefined) return;
        const m = linkMismatch({ url, text, source: 'html' });
        if (m !== undefined) expect(m.factor).toBeGreaterThan(0);
        for (const hit of mailUrlHits([url], text)) expect(hit.signal.startsWith('MAIL_URL_')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
