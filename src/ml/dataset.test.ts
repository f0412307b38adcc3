import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hashUnit,
  type LabelledRow,
  normaliseForDedup,
  type ParsedFile,
  parseDmozUrls,
  parseJaSmishing,
  parseJpcertUrls,
  parseMajesticDomains,
  parseUciSms,
  prepareDataset,
} from './dataset.ts';

const UCI = [
  'ham\tGo until jurong point, crazy..',
  'spam\tFree entry in 2 a wkly comp to win FA Cup',
  'ham\tOk lar... Joking wif u oni...',
  'ham\tok   LAR... joking wif u oni...', // duplicate after normalisation
  'spam\tＦＲＥＥ ENTRY in 2 a wkly comp to win FA Cup', // full width: duplicate after NFKC
  'junk\tno label',
  'spam\t   ',
  'no tab at all',
  '',
].join('\r\n');

const JA = [
  '{"month": "2018-03", "text": "登録料金の未納が発生しております。"}',
  '{"month": "2020-12", "text": "お荷物のお届けにあがりましたが不在の為持ち帰りました。"}',
  '{"month": "2018-3", "text": "x"}',
  '{"text": 5, "month": "2018-03"}',
  'not json',
  '[1]',
  '',
].join('\n');

const JPCERT = [
  'date,URL,description',
  '2019/01/04 10:12:00,http://tookout00tove.xyz/TNC/webmail.html,TOKAIネットワーククラブ',
  '2019/02/01 09:00:00,"http://a.example.com/x,y",Amazon',
  ' ,https://accout.smba.jp.ggdnjtf.cn/,三井住友カード',
  '2019/02/01 09:00:00,,Amazon',
  '2019/02/01 09:00:00,"broken"x,Amazon',
].join('\n');

const DMOZ = [
  'url,host,tld,is_jp,has_path_or_query',
  'http://www.weather.com/weather/today,www.weather.com,com,0,1',
  'http://www.weather.com/weather/tomorrow,www.weather.com,com,0,1',
  ',,,,',
].join('\n');

const MAJESTIC = [
  'GlobalRank,TldRank,Domain,TLD,RefSubNets',
  '2,2,facebook.com,com,481419',
  '3,3,youtube.com,com,434681',
].join('\n');

describe('normaliseForDedup', () => {
  it('applies NFKC, lower case and collapses whitespace', () => {
    expect(normaliseForDedup('  ＡＢＣ\u3000def\n\t ghi ')).toBe('abc def ghi');
    expect(normaliseForDedup('ｶﾀｶﾅ')).toBe('カタカナ');
  });
});

describe('parsers', () => {
  it('UCI SMS: labels, rejected lines with their numbers', () => {
    const p = parseUciSms(UCI);
    expect(p.rows.map((r) => r.label)).toEqual(['legit', 'fraud', 'legit', 'legit', 'fraud']);
    expect(p.rows[0]).toEqual({
      text: 'Go until jurong point, crazy..',
      label: 'legit',
      source: 'uci-sms',
      line: 1,
    });
    expect(p.rejected.map((r) => r.line)).toEqual([6, 7, 8]);
  });

  it('Japanese smishing: month as date, all fraud, bad lines rejected', () => {
    const p = parseJaSmishing(JA);
    expect(p.rows).toHaveLength(2);
    expect(p.rows[1]).toMatchObject({ label: 'fraud', date: '2020-12', line: 2 });
    expect(p.rejected.map((r) => [r.line, r.reason])).toEqual([
      [3, 'month is not YYYY-MM'],
      [4, 'text is not a non-empty string'],
      [5, 'not JSON'],
      [6, 'text is not a non-empty string'],
    ]);
  });

  it('JPCERT URLs: ISO date, registered domain as group, quoted commas, bad rows rejected', () => {
    const p = parseJpcertUrls(JPCERT);
    expect(p.rows).toEqual([
      {
        text: 'http://tookout00tove.xyz/TNC/webmail.html',
        label: 'fraud',
        source: 'jpcert-phishurl',
        line: 2,
        date: '2019-01-04T10:12:00',
        group: 'tookout00tove.xyz',
      },
      {
        text: 'http://a.example.com/x,y',
        label: 'fraud',
        source: 'jpcert-phishurl',
        line: 3,
        date: '2019-02-01T09:00:00',
        group: 'example.com',
      },
    ]);
    expect(p.rejected.map((r) => r.line)).toEqual([4, 5, 6]);
  });

  it('DMOZ and Majestic: legit rows; a missing column is one rejection, not a throw', () => {
    const d = parseDmozUrls(DMOZ);
    expect(d.rows.map((r) => [r.label, r.group])).toEqual([
      ['legit', 'weather.com'],
      ['legit', 'weather.com'],
    ]);
    expect(d.rejected).toHaveLength(1);
    const m = parseMajesticDomains(MAJESTIC);
    expect(m.rows.map((r) => r.text)).toEqual(['facebook.com', 'youtube.com']);
    expect(parseMajesticDomains('a,b\n1,2').rejected).toEqual([
      { source: 'majestic', line: 1, reason: 'header lacks Domain' },
    ]);
    expect(parseDmozUrls('').rejected).toEqual([{ source: 'dmoz-benign', line: 1, reason: 'no CSV header' }]);
  });

  // Property test (issue 9): the parsers read files we do not write; on any
  // text they return rows and rejections, never throw, and stay fast.
  it('never throw and stay within time on arbitrary Unicode up to 100 KB', () => {
    const parsers = [parseUciSms, parseJaSmishing, parseJpcertUrls, parseDmozUrls, parseMajesticDomains];
    const tricky = fc.constantFrom(
      '\t',
      '\n',
      '\r',
      ',',
      '"',
      '{',
      '}',
      '\u202e',
      '\u0000',
      '😀',
      'ham\t',
      'spam\t',
    );
    const text = fc.array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), tricky), {
      maxLength: 200,
    });
    fc.assert(
      fc.property(text, (parts) => {
        const t = parts.join('');
        for (const parse of parsers) {
          const p = parse(t);
          expect(Array.isArray(p.rows) && Array.isArray(p.rejected)).toBe(true);
        }
        normaliseForDedup(t);
      }),
      { numRuns: 200 },
    );
    const big = '\u202e😀\u0000"\t,{\n'.repeat((100 * 1024) / 9);
    for (const parse of parsers) {
      const start = performance.now();
      parse(big);
      expect(performance.now() - start).toBeLessThan(1000);
    }
  });
});

function row(
  text: string,
  label: 'fraud' | 'legit',
  source: string,
  extra: Partial<LabelledRow> = {},
): LabelledRow {
  return { text, label, source, line: 1, ...extra };
}

describe('prepareDataset', () => {
  it('deduplicates before splitting: no normalised text on both sides', () => {
    const texts = Array.from({ length: 300 }, (_, k) => `message ${k % 100}`);
    const rows = texts.flatMap((t, k) => [
      row(t, 'legit', 's'),
      row(` ${t.toUpperCase()}\n`, 'legit', 's', { line: k }),
    ]);
    const d = prepareDataset([{ rows, rejected: [] }], { seed: 1 });
    expect(d.report.duplicatesRemoved).toBe(500);
    expect(d.train.length + d.test.length).toBe(100);
    const trainKeys = new Set(d.train.map((r) => normaliseForDedup(r.text)));
    for (const r of d.test) expect(trainKeys.has(normaliseForDedup(r.text))).toBe(false);
    // ~20 % test.
    expect(d.test.length).toBeGreaterThan(8);
    expect(d.test.length).toBeLessThan(35);
  });

  it('drops texts seen with both labels and counts them', () => {
    const d = prepareDataset(
      [
        {
          rows: [row('win a prize', 'fraud', 's'), row('WIN a prize', 'legit', 's'), row('hi', 'legit', 's')],
          rejected: [],
        },
      ],
      { seed: 1 },
    );
    expect(d.report.conflictsRemoved).toBe(2);
    expect([...d.train, ...d.test].map((r) => r.text)).toEqual(['hi']);
  });

  it('is deterministic for a seed and changes with the seed', () => {
    const rows = Array.from({ length: 500 }, (_, k) =>
      row(`text ${k}`, k % 3 === 0 ? 'fraud' : 'legit', 's'),
    );
    const file: ParsedFile = { rows, rejected: [] };
    const a = prepareDataset([file], { seed: 1 });
    const b = prepareDataset([file], { seed: 1 });
    const c = prepareDataset([file], { seed: 2 });
    expect(b.test.map((r) => r.text)).toEqual(a.test.map((r) => r.text));
    expect(c.test.map((r) => r.text)).not.toEqual(a.test.map((r) => r.text));
    expect(hashUnit('x', 1)).toBe(hashUnit('x', 1));
    expect(hashUnit('x', 1)).toBeGreaterThanOrEqual(0);
    expect(hashUnit('x', 1)).toBeLessThan(1);
  });

  it('keeps a group (registered domain) on one side', () => {
    const rows = Array.from({ length: 400 }, (_, k) =>
      row(`http://site${k % 40}.example/p${k}`, 'legit', 'u', { group: `site${k % 40}.example` }),
    );
    const d = prepareDataset([{ rows, rejected: [] }], { seed: 3 });
    const trainGroups = new Set(d.train.map((r) => r.group));
    for (const r of d.test) expect(trainGroups.has(r.group)).toBe(false);
    expect(d.test.length).toBeGreaterThan(0);
  });

  it('splits dated sources by time: test rows are later than every training row', () => {
    const months = ['2018-01', '2018-02', '2018-03', '2018-04', '2018-05'];
    const rows = Array.from({ length: 50 }, (_, k) =>
      row(`lure ${k}`, 'fraud', 'ja', { date: months[k % 5] as string }),
    );
    // A text recurring later counts at its first month.
    rows.push(row('LURE 0', 'fraud', 'ja', { date: '2018-05' }));
    const d = prepareDataset([{ rows, rejected: [] }], { seed: 1 });
    expect(d.report.bySource.ja?.split).toBe('time');
    const lastTrain = d.train
      .map((r) => r.date as string)
      .sort()
      .at(-1) as string;
    for (const r of d.test) expect((r.date as string) > lastTrain).toBe(true);
    expect(d.test).toHaveLength(10);
    expect(d.train.find((r) => normaliseForDedup(r.text) === 'lure 0')?.date).toBe('2018-01');
  });

  it('reports rows, rejections, duplicates, per split, per label and per source', () => {
    const d = prepareDataset([parseUciSms(UCI), parseJaSmishing(JA)], { seed: 1, testFraction: 0 });
    expect(d.report).toEqual({
      rows: 7,
      rejected: 7,
      duplicatesRemoved: 2,
      conflictsRemoved: 0,
      train: { total: 5, fraud: 3, legit: 2 },
      test: { total: 0, fraud: 0, legit: 0 },
      bySource: {
        'uci-sms': {
          rows: 5,
          duplicatesRemoved: 2,
          conflictsRemoved: 0,
          split: 'hash',
          train: { total: 3, fraud: 1, legit: 2 },
          test: { total: 0, fraud: 0, legit: 0 },
        },
        'ja-smishing': {
          rows: 2,
          duplicatesRemoved: 0,
          conflictsRemoved: 0,
          split: 'time',
          train: { total: 2, fraud: 2, legit: 0 },
          test: { total: 0, fraud: 0, legit: 0 },
        },
      },
    });
    expect(() => prepareDataset([], { seed: 1, testFraction: 2 })).toThrow(RangeError);
  });
});
