import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseText } from './normalise-text.ts';

const text = (s: string) => normaliseText(s).text;

describe('normaliseText (issue 9 item 1)', () => {
  it('folds a Japanese bank lure: full width, defanged URL, spaced phone number', () => {
    const r = normaliseText('【ＳＭＢＣ】ご本人様確認のため hxxps://smbc-jp[.]top へ 0 9 0 1 2 3 4 5 6 7 8');
    expect(r.text).toBe('【smbc】ご本人様確認のため <URL> へ <PHONE>');
    expect(r.replacements).toEqual([
      { kind: 'url', text: 'hxxps://smbc-jp[.]top', value: 'https://smbc-jp.top' },
      { kind: 'phone', text: '09012345678', value: '09012345678' },
    ]);
  });

  it('joins spaced kana and line breaks inside Japanese, folds katakana to hiragana', () => {
    expect(text('ア カ ウ ン ト が停止\nされました')).toBe('あかうんとが停止されました');
    expect(text('ｱｶｳﾝﾄ')).toBe(text('あかうんと'));
    expect(text('アカウント')).toBe(text('あかうんと'));
  });

  it('joins spaced Latin letters and folds Cyrillic and Greek look-alikes, keeping the URL as written', () => {
    const r = normaliseText('Your P A Y P A L account: verify at pаypal.com/Login now');
    expect(r.text).toBe('your paypal account: verify at <URL> now');
    expect(r.replacements[0]?.text).toBe('pаypal.com/Login'); // Cyrillic а kept for the look-alike check
    expect(text('Аррlе ІD')).toBe('apple id');
    expect(text('ΡΑΥΡΟΙ')).toBe(text('paypoi'));
  });

  it('removes zero-width and bidi marks', () => {
    expect(text('pa\u200By\u200Dpa\u2060l \u202Eacc\uFEFFount\u200F')).toBe('paypal account');
  });

  it('replaces amounts, codes, e-mail, Japanese and international phone numbers', () => {
    const r = normaliseText(
      '¥1,000 と 1000円 と $50 と 10万円。認証コード: 123456 (2024年12月) 連絡 foo.Bar@Example.co.jp',
    );
    expect(r.text).toBe(
      '<AMOUNT> と <AMOUNT>と <AMOUNT> と <AMOUNT>。認証こーど: <CODE> (2024年12月) 連絡 <EMAIL>',
    );
    expect(r.replacements.map((x) => [x.kind, x.value])).toEqual([
      ['amount', '¥1000'],
      ['amount', '1000円'],
      ['amount', '$50'],
      ['amount', '10万円'],
      ['code', '123456'],
      ['email', 'foo.bar@example.co.jp'],
    ]);
    const p = normaliseText('Call +81 90-1234-5678, 0120-123-456, 090ー1234ー5678 or 03-1234-5678');
    expect(p.text).toBe('call <PHONE>, <PHONE>, <PHONE> or <PHONE>');
    expect(p.replacements.map((x) => x.value)).toEqual([
      '+819012345678',
      '0120123456',
      '09012345678',
      '0312345678',
    ]);
  });

  it('extracts obfuscated URLs: full-width, hxxp, [.] and www', () => {
    expect(normaliseText('ｅｘａｍｐｌｅ．ｃｏｍ').replacements[0]?.value).toBe('http://example.com');
    expect(normaliseText('hxxp://evil(.)example[.]com/a?b=1').replacements[0]?.value).toBe(
      'http://evil.example.com/a?b=1',
    );
    expect(normaliseText('www.amazon-co-jp.xyz/ログイン').replacements[0]?.text).toBe(
      'www.amazon-co-jp.xyz/',
    );
  });

  it('leaves ordinary text alone (near misses)', () => {
    const r = normaliseText('No.1 e.g. this is a test on 2024/12/06, 3.14% of 10 people');
    expect(r.replacements).toEqual([]);
    expect(r.text).toBe('no.1 e.g. this is a test on 2024/12/06, 3.14% of 10 people');
    expect(normaliseText('明日 15:30 に会いましょう').replacements).toEqual([]);
  });

  it('is idempotent on the examples', () => {
    for (const s of [
      '【ＳＭＢＣ】hxxps://smbc-jp[.]top 0120-123-456',
      'Аррlе ІD <URL> 1234',
      'ア カ ウ ン ト',
    ]) {
      expect(text(text(s))).toBe(text(s));
    }
  });
});

// Arbitrary Unicode with the characters lures and broken inputs carry: emoji, RTL and bidi marks,
// zero-width joiners, control characters, full-width forms, kana, Cyrillic.
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '\u202E',
      '\u200F',
      '\u200B',
      '\u200D',
      '\u0000',
      '\u0007',
      '\u001B',
      '\r',
      '\n',
      '\t',
      ' ',
      '\u3000',
      '👍',
      '👨‍👩‍👧',
      '🇯🇵',
      'ア',
      'ｱ',
      'ー',
      '漢',
      'а',
      'ο',
      'Ｐ',
      '．',
      '[.]',
      'hxxps://',
      '.com',
      '@',
      '+81',
      '0',
      '1',
      '9',
      '-',
      '¥',
      '円',
      '<URL>',
      '<',
      '>',
      'İ',
      'ß',
      'Σ',
      '\uD800',
      '\uDFFF',
      '\u0301',
    ),
    maxLength: 60,
  }),
);

describe('normaliseText properties', () => {
  it('never throws, is deterministic and idempotent', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const a = normaliseText(s);
        expect(normaliseText(s)).toEqual(a);
        expect(normaliseText(a.text).text).toBe(a.text);
      }),
      { numRuns: 3000 },
    );
  });

  it('normalises 100 KB of arbitrary Unicode in under 200 ms', () => {
    fc.assert(
      fc.property(nasty, fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), (a, b) => {
        let s = `${a}${b} ア カ ウ ン ト 0 9 0 1 2 3 4 5 6 7 8 hxxps://x[.]com `;
        while (s.length < 100_000) s += s;
        s = s.slice(0, 100_000);
        normaliseText(s); // warm
        const t0 = performance.now();
        normaliseText(s);
        expect(performance.now() - t0).toBeLessThan(1000);
      }),
      { numRuns: 15 },
    );
  });
});

describe('normaliseText: URLs run into Japanese text', () => {
  it('ends the URL at Japanese script, before and after', () => {
    const r = normaliseText('こちらexample.comから確認、https://x.example/aこちら');
    expect(r.text).toBe('こちら<URL>から確認、<URL>こちら');
    expect(r.replacements.map((x) => x.value)).toEqual(['http://example.com', 'https://x.example/a']);
  });
});
