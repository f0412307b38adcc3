import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExtractTools } from './extract-tools.ts';
import { createKeyedHasher } from './keyed-hash.ts';
import { extractTextIndicators, findEmails, findPhones, findUrls, MAX_PER_KIND } from './text-extractor.ts';

const tools = createExtractTools(createKeyedHasher('extract-test-key-0123456789'));
const refs = (text: string) => extractTextIndicators(text, tools, 'text').map((r) => `${r.type}:${r.value}`);

describe('findUrls (I1, T1)', () => {
  it.each([
    [
      '確認はこちら https://amazon-co-jp.account-verify.example/login',
      ['https://amazon-co-jp.account-verify.example/login'],
    ],
    ['至急 https://evil.example.jp/loginにアクセスしてください。', ['https://evil.example.jp/login']],
    ['https://evil.example.jpにアクセス', ['https://evil.example.jp']],
    ['「http://evil.example.com/a?b=1」を開く', ['http://evil.example.com/a?b=1']],
    ['ｈｔｔｐｓ：／／ｅｖｉｌ．ｅｘａｍｐｌｅ．ｃｏｍ／ａｂｃ を開く', ['https://evil.example.com/abc']],
    ['https://例え.jpに接続', ['https://例え.jp']],
    ['hxxps://evil[.]com/path', ['https://evil.com/path']],
    [
      '詳しくは bit.ly/3abcXYZ へ。または www.security-check.com で確認',
      ['bit.ly/3abcXYZ', 'www.security-check.com'],
    ],
    [
      'see https://en.wikipedia.org/wiki/Foo_(bar)) and http://x.com/a).',
      ['https://en.wikipedia.org/wiki/Foo_(bar)', 'http://x.com/a'],
    ],
    ['Visit evil-site.com, now!', ['evil-site.com']],
  ])('%j', (text, expected) => {
    expect(findUrls(text)).toEqual(expected);
  });

  it.each([
    'file report.pdf and node.js, version 1.2.3',
    'taro@example.com に返信',
    '金額は1,000円です。',
    'https://',
    'http://not_a_host_without_tld/',
  ])('finds no URL in %j', (text) => {
    expect(findUrls(text)).toEqual([]);
  });
});

describe('findEmails and findPhones', () => {
  it('finds e-mail addresses, full-width too, not inside URLs', () => {
    expect(
      findEmails(
        'mail: taro.yamada@example.co.jp まで、ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｃｏｍ http://user@evil.com/',
      ),
    ).toEqual(['taro.yamada@example.co.jp', 'info@example.com']);
  });

  it('finds Japanese phone numbers in their usual forms', () => {
    expect(
      findPhones(
        'お問い合わせは090-1234-5678まで。会社 ０３（１２３４）５６７８、050ー1234ー5678、+81 90 8765 4321',
      ),
    ).toEqual(['+819012345678', '+81312345678', '+815012345678', '+819087654321']);
  });

  it('finds no phone number in dates, amounts or URLs', () => {
    expect(findPhones('2024-01-15 に 1,000,000円 https://example.com/09012345678 id=0312345678x')).toEqual(
      [],
    );
  });
});

describe('extractTextIndicators', () => {
  it('yields normalised URLs with their registrable domains, e-mails and phones, each once', () => {
    expect(
      refs(
        '【重要】https://Login.Evil.example.co.jp/verify?id=1 と https://login.evil.example.co.jp/verify?id=1 、090-1234-5678 か support@evil.example.co.jp へ',
      ),
    ).toEqual([
      'url:https://login.evil.example.co.jp/verify?id=1',
      'domain:example.co.jp',
      'email:support@evil.example.co.jp',
      'phone:+819012345678',
    ]);
  });

  it('gives IP-host URLs no domain', () => {
    expect(refs('http://192.168.0.1:8080/x')).toEqual(['url:http://192.168.0.1/x']);
  });

  it('property: never throws, and every ref is already normalised', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'https://',
        'http://',
        'www.',
        'example.com',
        '.jp',
        '/',
        '090-1234-5678',
        '@',
        'にアクセス',
        '。',
        ' ',
        'ｈｔｔｐ',
        '(',
        ')',
        'hxxp',
      ),
      fc.string({ maxLength: 8 }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (pieces) => {
        for (const ref of extractTextIndicators(pieces.join(''), tools, 'text')) {
          expect(tools.indicator(ref.type, ref.value, 'text')).toEqual(ref);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('adversarial text', () => {
  it('stays linear and bounded on 10 000-character inputs', () => {
    const inputs = [
      'a.'.repeat(5000),
      'a-'.repeat(5000),
      '1'.repeat(10_000),
      '1-'.repeat(5000),
      `http://a.com/${')'.repeat(9000)}`,
      Array.from({ length: 700 }, (_, i) => `u${i}@example.com`).join(' '),
      Array.from({ length: 1000 }, (_, i) => `h${i}.com`).join(' '),
    ];
    const started = performance.now();
    for (const text of inputs) {
      const found = extractTextIndicators(text, tools, 'text');
      expect(found.filter((r) => r.type === 'email').length).toBeLessThanOrEqual(MAX_PER_KIND);
      expect(found.filter((r) => r.type === 'url').length).toBeLessThanOrEqual(MAX_PER_KIND);
    }
    // About 60 ms on a 2-core machine; earlier quadratic regexes took about a second for these together.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('createExtractTools', () => {
  it('normalises, hashes sensitive types, and never throws', () => {
    expect(tools.indicator('phone', '090-1234-5678', 'sender')).toEqual({
      type: 'phone',
      value: '+819012345678',
      field: 'sender',
    });
    expect(tools.indicator('phone', 'not a number')).toBeUndefined();
    expect(tools.indicator('card', '4111111111111111')?.value).toMatch(/^[0-9a-f]{64}$/);
    expect(tools.indicator('identity', 42 as unknown as string)).toBeUndefined();
    expect(tools.url('https://www.example.co.jp/x', 'link')).toEqual([
      { type: 'url', value: 'https://www.example.co.jp/x', field: 'link' },
      { type: 'domain', value: 'example.co.jp', field: 'link' },
    ]);
    expect(tools.text('090-1234-5678')).toEqual([{ type: 'phone', value: '+819012345678', field: 'text' }]);
    // Cached results still carry the field of each call.
    expect(tools.indicator('phone', '090-1234-5678', 'recipient')).toEqual({
      type: 'phone',
      value: '+819012345678',
      field: 'recipient',
    });
    expect(tools.indicator('phone', 'not a number')).toBeUndefined();
  });
});
