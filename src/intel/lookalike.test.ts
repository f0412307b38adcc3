import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BRANDS, editDistance, lookalikeOf, skeleton } from './lookalike.ts';

describe('brands.json (issue 9 item 2)', () => {
  it('holds the top JPCERT brands with registrable domains and keywords', () => {
    expect(BRANDS.length).toBeGreaterThanOrEqual(40);
    const names = BRANDS.map((b) => b.name);
    for (const name of ['Amazon', '三井住友カード', 'au', 'ヤマト運輸', 'えきねっと'])
      expect(names).toContain(name);
    for (const b of BRANDS) {
      expect(b.domains.length).toBeGreaterThan(0);
      expect(b.keywords.length).toBeGreaterThan(0);
      for (const k of b.keywords) expect(k).toMatch(/^[a-z0-9-]+$/);
      for (const s of b.strict) expect(b.keywords).toContain(s);
    }
    expect(BRANDS.find((b) => b.name === 'ヤマト運輸')?.domains).toContain('kuronekoyamato.co.jp');
  });
});

describe('editDistance', () => {
  it('counts a swap of neighbours as one edit and stops past the limit', () => {
    expect(editDistance('amazon', 'amaozn', 2)).toBe(1);
    expect(editDistance('amazon', 'amazom', 2)).toBe(1);
    expect(editDistance('amazon', 'amzn', 2)).toBe(2);
    expect(editDistance('amazon', 'rakuten', 1)).toBe(2);
    expect(editDistance('', 'ab', 2)).toBe(2);
  });
});

describe('skeleton', () => {
  it('folds Cyrillic, Greek and digit look-alikes to one Latin form', () => {
    expect(skeleton('аррlе')).toBe(skeleton('apple'));
    expect(skeleton('amaz0n')).toBe('amazon');
    expect(skeleton('rnercari')).toBe(skeleton('mercari'));
    expect(skeleton('1ine')).toBe(skeleton('line'));
    expect(skeleton('paypa1')).toBe(skeleton('paypal'));
    expect(skeleton('5oftbank')).toBe('softbank');
    expect(skeleton('smbc-card')).toBe('smbccard');
  });
});

describe('lookalikeOf', () => {
  it('never matches the brands’ own domains, hosts or URLs', () => {
    for (const b of BRANDS)
      for (const d of b.domains) {
        expect(lookalikeOf(d), d).toBeUndefined();
        expect(lookalikeOf(`www.${d}`), d).toBeUndefined();
        expect(lookalikeOf(`https://login.${d}/amazon/signin?x=1`), d).toBeUndefined();
      }
    expect(lookalikeOf('https://www.amazon.co.jp/gp/css/homepage.html')).toBeUndefined();
    expect(lookalikeOf('https://www.smbc-card.com/mem/index.jsp')).toBeUndefined();
    expect(lookalikeOf('https://cloud.microsoft/')).toBeUndefined(); // brand TLD
  });

  it.each([
    ['amazom.co.jp', 'Amazon', 'edit'],
    ['amaozn.com', 'Amazon', 'edit'],
    ['smbc-cord.com', '三井住友カード', 'edit'],
    ['kuronekoyamoto.net', 'ヤマト運輸', 'edit'],
    ['amazon.xyz', 'Amazon', 'edit'],
    ['amaz0n.co.jp', 'Amazon', 'homoglyph'],
    ['rnercari.com', 'メルカリ', 'homoglyph'],
    ['paypai.com', 'PayPal', 'homoglyph'],
    ['xn--mazon-3ve.com', 'Amazon', 'idn'],
    ['аmazon.com', 'Amazon', 'idn'],
    ['https://аррlе.com/id', 'Apple ID', 'idn'],
    ['amazon.co.jp.example.xyz', 'Amazon', 'subdomain'],
    ['http://smbc-card.com.secure-login.top/', '三井住友カード', 'subdomain'],
    ['https://amazon.example.xyz/ap/signin', 'Amazon', 'subdomain'],
    ['amazon-login.s3.amazonaws.com', 'Amazon', 'subdomain'],
    ['example.com/amazon/login', 'Amazon', 'path'],
    ['https://example.com/www.eki-net.com/login', 'えきねっと', 'path'],
    ['amazon-security.xyz', 'Amazon', 'embedded'],
    ['mercari-jp.top', 'メルカリ', 'embedded'],
    ['smbccard-info.com', '三井住友カード', 'embedded'],
  ])('%s imitates %s (%s)', (input, brand, kind) => {
    const found = lookalikeOf(input);
    expect(found?.brand).toBe(brand);
    expect(found?.kind).toBe(kind);
    expect(found?.evidence.length).toBeGreaterThan(0);
  });

  it.each([
    'example.com',
    'https://www.example.com/',
    'yahoo.co.jp',
    'https://www.yahoo.co.jp/news',
    'google.com',
    'keinet.ne.jp', // not えきねっと: eki-net is strict
    'mizuno.com', // not みずほ
    'plaza.com', // not ぷらら
    'apply.com',
    'pcloud.com', // not icloud
    'amazon.de', // the brand's name under a country code
    'au.dk',
    'au.groups.yahoo.com', // au as a country subdomain
    'http://allrecipes.com/recipe/caramel-apple-cookie-dessert/detail.aspx',
    'http://en.wikipedia.org/wiki/Microsoft_Reader',
    'bucket.s3.amazonaws.com',
    '192.0.2.1',
    'http://192.0.2.1/index.html',
    '',
    'not a url at all',
    'http://[::1]/',
  ])('%s imitates no brand', (input) => {
    expect(lookalikeOf(input)).toBeUndefined();
  });

  it('never throws and stays fast on arbitrary Unicode up to 100 KB', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 2000 });
    const hostish = fc
      .array(
        fc.oneof(
          fc.constantFrom('amazon', 'xn--', '-', '.', '/', '０', 'а', '\u202e', '\u0000', '😀', 'co.jp'),
          text,
        ),
        {
          maxLength: 20,
        },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.oneof(
          text,
          hostish,
          hostish.map((h) => `https://${h}/x`),
        ),
        (input) => {
          const found = lookalikeOf(input);
          if (found !== undefined) expect(typeof found.brand).toBe('string');
        },
      ),
      { numRuns: 500 },
    );
    const big = `https://${'a'.repeat(50_000)}.com/${'😀\u202e\u0007'.repeat(20_000)}`;
    const started = performance.now();
    lookalikeOf(big);
    lookalikeOf('x'.repeat(100_000));
    lookalikeOf(`${'amazon-'.repeat(15_000)}.xyz`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('editDistance prefilter (round 2)', () => {
  /** Optimal string alignment distance without any shortcut, to compare with. */
  const reference = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) =>
      Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) {
        const row = d[i] as number[];
        const up = d[i - 1] as number[];
        row[j] = Math.min(
          (up[j] as number) + 1,
          (row[j - 1] as number) + 1,
          (up[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
          row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    return (d[a.length] as number[])[b.length] as number;
  };

  it('answers as the full computation up to its bound', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'm', 'z', 'o', 'n', '0', '-', 'а'), maxLength: 10 });
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 3 }), (a, b, max) => {
        // Within the bound the distance itself; beyond it any number above the bound.
        const d = editDistance(a, b, max);
        const r = reference(a, b);
        if (r <= max) expect(d).toBe(r);
        else expect(d).toBeGreaterThan(max);
      }),
      { numRuns: 2000 },
    );
  });
});
