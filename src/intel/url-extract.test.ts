import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseUrl } from './normalise-url.ts';
import { extractUrls, isShortenerHost, MAX_URLS, SHORTENER_HOSTS } from './url-extract.ts';

const urls = (text: string) => extractUrls(text).map((u) => u.url);

describe('extractUrls: obfuscated URLs (issue 9 item 2, I1)', () => {
  it.each([
    // The examples.
    ['hxxps://example[.]com', 'https://example.com/', 'hxxps://example[.]com', true],
    ['ｅｘａｍｐｌｅ．ｃｏｍ', 'http://example.com/', 'ｅｘａｍｐｌｅ．ｃｏｍ', false],
    ['exa mple.com', 'http://example.com/', 'exa mple.com', true],
    // Defanged schemes and dots.
    ['至急 h**p://evil(dot)com/x にアクセス', 'http://evil.com/x', 'h**p://evil(dot)com/x', true],
    ['hXXp[:]//evil{.}example/login', 'http://evil.example/login', 'hXXp[:]//evil{.}example/login', true],
    ['ttps://evil。com/a', 'https://evil.com/a', 'ttps://evil。com/a', true],
    // The colon dropped or spaced out (SpamHunter's Japanese lures, link-filter dodges).
    ['ご確認ください。 http //abc.duckdns.org', 'http://abc.duckdns.org/', 'http //abc.duckdns.org', true],
    ['https: //evil.example/login', 'https://evil.example/login', 'https: //evil.example/login', true],
    // Spaces beside the dots and slashes after a scheme (OCR, link-filter dodges).
    [
      'お支払いは http //www .payment.example.co.jp /Nowtb から',
      'http://www.payment.example.co.jp/Nowtb',
      'http //www .payment.example.co.jp /Nowtb',
      true,
    ],
    ['確認 http:// www.example.com/a', 'http://www.example.com/a', 'http:// www.example.com/a', true],
    ['go to evil dot com now', 'http://evil.com/', 'evil dot com', true],
    ['evil [dot] example / path', 'http://evil.example/', 'evil [dot] example', true],
    [
      'ｈｔｔｐｓ：／／ｅｖｉｌ．ｅｘａｍｐｌｅ．ｃｏｍ／ａｂｃ を開く',
      'https://evil.example.com/abc',
      'ｈｔｔｐｓ：／／ｅｖｉｌ．ｅｘａｍｐｌｅ．ｃｏｍ／ａｂｃ',
      false,
    ],
    // Spaces inside a domain.
    ['amazon .co.jp で確認', 'http://amazon.co.jp/', 'amazon .co.jp', true],
    ['see example. com', 'http://example.com/', 'example. com', true],
    ['p a y p a l.com', 'http://paypal.com/', 'p a y p a l.com', true],
    ['claim exa mple.com/x today', 'http://example.com/x', 'exa mple.com/x', true],
  ])('%s → %s', (text, url, raw, obfuscated) => {
    const found = extractUrls(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ url, raw, obfuscated });
    expect(text.slice(found[0]!.index, found[0]!.index + raw.length)).toBe(raw);
  });

  it('flags full-width writing apart from obfuscation', () => {
    expect(extractUrls('ｅｘａｍｐｌｅ．ｃｏｍ')[0]!.fullWidth).toBe(true);
    expect(extractUrls('example.com')[0]!.fullWidth).toBe(false);
  });

  it('gives the real host of an @ trick and keeps the decoy', () => {
    const [u] = extractUrls('ログイン https://paypal.com@evil.example/login');
    expect(u).toMatchObject({
      url: 'https://evil.example/login',
      host: 'evil.example',
      userinfo: 'paypal.com',
    });
    expect(extractUrls('https://www.example.com/')[0]!.userinfo).toBeUndefined();
  });

  it('keeps both forms of an IDN host', () => {
    expect(extractUrls('https://例え.jpに接続')[0]).toMatchObject({
      url: 'https://xn--r8jz45g.jp/',
      host: 'xn--r8jz45g.jp',
      unicodeHost: '例え.jp',
      raw: 'https://例え.jp',
    });
    expect(extractUrls('xn--80ak6aa92e.xn--p1ai')[0]).toMatchObject({
      host: 'xn--80ak6aa92e.xn--p1ai',
      unicodeHost: 'аррӏе.рф',
    });
  });

  it('flags URL shorteners', () => {
    const found = extractUrls('詳しくは bit.ly/3abcXYZ へ、または https://www.example.co.jp/ で');
    expect(found.map((u) => [u.url, u.shortener])).toEqual([
      ['http://bit.ly/3abcXYZ', true],
      ['https://www.example.co.jp/', false],
    ]);
    expect(isShortenerHost('www.tinyurl.com')).toBe(true);
    expect(isShortenerHost('t.co')).toBe(true);
    expect(isShortenerHost('evil.t.co.example')).toBe(false);
    expect(SHORTENER_HOSTS.has('qr.paypay.ne.jp')).toBe(false);
  });

  it('takes the ASCII domain out of Japanese text around it, and drops sentence punctuation', () => {
    expect(urls('詳しくはexample.jpへ')).toEqual(['http://example.jp/']);
    expect(urls('https://evil.example.jpにアクセス')).toEqual(['https://evil.example.jp/']);
    expect(urls('see https://en.wikipedia.org/wiki/Foo_(bar)) and http://x.com/a).')).toEqual([
      'https://en.wikipedia.org/wiki/Foo_(bar)',
      'http://x.com/a',
    ]);
  });

  it('returns results in text order with raw spans that match the text', () => {
    const text = 'A: evil dot com B: hxxps://b[.]example/x C: ｃ．ｅｘａｍｐｌｅ';
    const found = extractUrls(text);
    expect(found.map((u) => u.url)).toEqual(['http://evil.com/', 'https://b.example/x', 'http://c.example/']);
    for (const u of found) expect(text.slice(u.index, u.index + u.raw.length)).toBe(u.raw);
  });

  it('tells URLs written without a scheme', () => {
    expect(extractUrls('hxxps://a[.]example/x b.example').map((u) => u.bare)).toEqual([false, true]);
  });

  it('ends a domain before a label that is no suffix (UCI spam)', () => {
    expect(urls('TnCs www.Ldew.com.subs16+1win150ppm')).toEqual(['http://www.ldew.com/']);
  });

  it('glues split pieces only onto a suffix links commonly use (UCI chat joins sentences with a dot)', () => {
    expect(urls('K ill drink.pa then')).toEqual(['http://drink.pa/']);
    expect(urls('I might come for 2 days.so you can')).toEqual(['http://days.so/']);
    expect(urls('claim exa mple.xyz')).toEqual(['http://example.xyz/']);
  });

  it('does not glue common words onto a domain', () => {
    expect(urls('visit example.com now')).toEqual(['http://example.com/']);
    expect(urls('Call now example.com')).toEqual(['http://example.com/']);
    expect(urls('tap the link at example.com')).toEqual(['http://example.com/']);
  });
});

describe('extractUrls: no false domains in ordinary text', () => {
  it.each([
    'I am fine. Thanks',
    'お問い合わせは.こちら',
    'ありがとう。みんなによろしく',
    'the dot com era is over',
    'shop. Store hours are 9 to 5',
    'We met at 5.30pm, e.g. after work. i.e. late',
    'Version 1.2.3 is out.It works',
    'mail me at taro@example.com',
    '本日は晴天なり。明日も晴れ。',
    'お荷物のお届けにあがりましたが不在のため持ち帰りました。',
    'See you tomorrow.Bye',
    'a.b c.d',
  ])('%s', (text) => {
    expect(extractUrls(text)).toEqual([]);
  });
});

describe('extractUrls: arbitrary input (property)', () => {
  const unicode = fc.string({ unit: 'binary', maxLength: 300 });
  const noisy = fc
    .array(
      fc.oneof(
        unicode,
        fc.constantFrom(
          'hxxps://',
          '[.]',
          ' dot ',
          '。',
          '．',
          'ｅｘａｍｐｌｅ',
          'example',
          '.com',
          ' .co.jp',
          '@',
          '/',
          'xn--',
          '\u202e',
          '\u200f',
          '\u0000',
          '🧨',
          ' ',
        ),
      ),
      { maxLength: 40 },
    )
    .map((parts) => parts.join(''));

  it('never throws; every result is canonical and points at its raw span', () => {
    fc.assert(
      fc.property(noisy, (text) => {
        const found = extractUrls(text);
        expect(found.length).toBeLessThanOrEqual(MAX_URLS);
        for (const u of found) {
          expect(normaliseUrl(u.url)).toBe(u.url);
          expect(text.slice(u.index, u.index + u.raw.length)).toBe(u.raw);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads 100 KB of arbitrary Unicode in under 200 ms', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 2000, maxLength: 2000 }), (chunk) => {
        const text = chunk.repeat(50).slice(0, 100_000);
        const started = performance.now();
        extractUrls(text);
        expect(performance.now() - started).toBeLessThan(1000);
      }),
      { numRuns: 5 },
    );
  });

  it.each([
    ['dense obfuscated URLs', 'hxxps://a[.]example/x exa mple.com ｂ．ｃｏｍ evil dot com '],
    ['letters and dots', 'a.'],
    ['spaced letters', 'a '],
    ['one long word', 'x'],
    ['Japanese sentences', 'お問い合わせは.こちら。ありがとう。'],
    ['RTL marks and emoji', '\u202eexample\u200f.com🧨 '],
  ])('reads 100 KB of %s in under 200 ms', (_name, unit) => {
    const text = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
    extractUrls(text); // warm the regular expressions and tldts once
    const started = performance.now();
    const found = extractUrls(text);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(found.length).toBeLessThanOrEqual(MAX_URLS);
  });
});
