import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JP_MUNICIPALITIES } from './address-data/jp-municipalities.ts';
import { KANJI_VARIANT_PAIRS } from './address-data/kanji-variants.ts';
import { decimalToKanji, kanjiToDecimal } from './kanji-numerals.ts';
import { normaliseJapaneseAddress, parseJapaneseAddress } from './normalise-address.ts';

const key = (raw: string) => normaliseJapaneseAddress(raw);

describe('normaliseJapaneseAddress: one key for every written form (P2 shared-address ring)', () => {
  it.each([
    [
      '東京都新宿区西新宿2-8-1',
      [
        '東京都新宿区西新宿二丁目8番1号',
        '東京都新宿区西新宿2-8-1',
        '新宿区西新宿２－８－１',
        '東京都新宿区西新宿2丁目8-1',
        '東京都新宿区西新宿二丁目八番一号',
        '東京都 新宿区 西新宿 2‐8‐1',
        '東京都新宿区西新宿2の8の1',
        '東京都新宿区西新宿2-8-1 都庁第一本庁舎',
        '東京都新宿区西新宿2-8-1 ○○マンション101号室',
        '〒160-0023 東京都新宿区西新宿2ー8ー1-101',
        '東京都　新宿区　西新宿　２丁目　８番地　１',
        '東京新宿区西新宿2−8−1',
        '日本 東京都新宿区西新宿二—八—一',
        '東京都新宿区西新宿2丁目8番1号都庁',
        '東京都新宿区西新宿２丁目８－１ ３Ｆ',
      ],
    ],
    [
      '大阪府大阪市北区梅田1-1-3',
      [
        '大阪府大阪市北区梅田1丁目1-3 大阪駅前第1ビル 3F',
        '大阪市北区梅田一丁目1番3号',
        '大阪市北区梅田１－１－３',
        '大阪府 大阪市 北区 梅田 1ｰ1ｰ3',
        '大阪府大阪市北区梅田1の1の3',
        '大阪市北区梅田1-1-3-1205',
        '大阪府大阪市北区梅田一丁目一番三号',
        '大阪府大阪市北区梅田1丁目1番地3',
        '大阪市北区梅田1―1―3',
        '大阪府大阪市北区梅田1-1-3　梅田ハイツ 502号室',
      ],
    ],
    [
      '北海道札幌市中央区北一条西2-1-1',
      [
        '北海道札幌市中央区北1条西2丁目1-1',
        '札幌市中央区北一条西二丁目1番1号',
        '北海道札幌市中央区北１条西２丁目１－１',
        '札幌市中央区北1条西2-1-1',
        '北海道札幌市中央区北一条西2の1の1',
        '北海道 札幌市中央区 北1条西 2丁目 1番 1号',
        '札幌市中央区北1条西2丁目1番地1',
        '北海道札幌市中央区北壱条西2-1-1'.replace('壱', '一'),
        '札幌市中央区北1条西2-1-1 サッポロビル 8F',
        '北海道札幌市中央区北一条西二丁目一番一号',
      ],
    ],
    [
      // 大字/字, 郡, a prefecture left out, 番地の
      '岩手県雫石町長山北123-4',
      [
        '岩手県岩手郡雫石町大字長山字北123番地4',
        '雫石町長山北123-4',
        '岩手県雫石町字長山北１２３番地の４',
        '岩手郡雫石町大字長山北123-4',
        '岩手県岩手郡雫石町長山字北百二十三番地四',
        '岩手県 岩手郡 雫石町 大字長山 字北 123番地の4',
        '雫石町大字長山字北123の4',
        '岩手県雫石町長山北一二三-四',
        '岩手郡雫石町長山北123‐4 山田方',
        '岩手県岩手郡雫石町大字長山字北123番地4号',
      ],
    ],
    [
      // ヶ/ケ/が in the town and the city name, old kanji (髙), 之/の/ノ
      '神奈川県横浜市保土ケ谷区星川1-2-3',
      [
        '神奈川県横浜市保土ヶ谷区星川1-2-3',
        '横浜市保土ケ谷区星川一丁目2番3号',
        '横浜市保土が谷区星川１－２－３',
        '神奈川県横浜市保土ケ谷区星川1丁目2番地3',
        '神奈川県横浜市保土ヶ谷区星川1の2の3',
        '神奈川横浜市保土ケ谷区星川1-2-3',
        '横浜市保土ヶ谷区 星川 1-2-3 コーポ星川 201',
        '神奈川県横浜市保土ヶ谷区星川一-二-三',
        '神奈川県 横浜市 保土ヶ谷区 星川 １丁目 ２番 ３号',
        '横浜市保土ケ谷区星川1-2-3-201',
      ],
    ],
  ])('%s', (expected, forms) => {
    for (const form of forms) expect([form, key(form)]).toEqual([form, expected]);
  });

  it.each([
    [
      '東京都千代田区霞ケ関1-3-1',
      ['千代田区霞が関1-3-1', '東京都千代田区霞ヶ関一丁目3番1号', '千代田区霞ケ関1-3-1'],
    ],
    [
      '愛知県名古屋市中区三ノ丸3-1-1',
      ['名古屋市中区三の丸3-1-1', '名古屋市中区三之丸三丁目1番1号', '三ノ丸'],
    ],
    ['東京都千代田区一ツ橋1-1-1', ['千代田区一ツ橋1-1-1', '千代田区一つ橋一丁目1番1号']],
    ['滋賀県高島市勝野1', ['滋賀県髙島市勝野1', '高島市勝野1番地']],
    ['東京都千代田区三番町6-2', ['千代田区三番町6-2', '東京都千代田区三番町6番2号']],
    ['東京都中央区八丁堀3-1-1', ['中央区八丁堀3-1-1', '中央区八丁堀三丁目1番1号']],
    ['東京都港区六本木6-10-1', ['港区六本木6-10-1 六本木ヒルズ森タワー', '港区六本木六丁目10番1号']],
  ])('%s (names that hold numerals or variant kana)', (expected, forms) => {
    for (const form of forms.filter((f) => f.length > 4)) expect([form, key(form)]).toEqual([form, expected]);
  });

  it('keys apart what differs: a number, the town, the city, the prefecture, a chome left out', () => {
    const base = key('東京都新宿区西新宿2-8-1');
    for (const other of [
      '東京都新宿区西新宿2-8-2',
      '東京都新宿区西新宿2-9-1',
      '東京都新宿区西新宿3-8-1',
      '東京都新宿区西新宿2-8',
      '東京都新宿区西新宿2-8-1-5',
      '東京都新宿区新宿2-8-1',
      '東京都渋谷区西新宿2-8-1',
      '大阪府新宿区西新宿2-8-1',
      '東京都新宿区西新宿28-1',
      '東京都新宿区西新宿2-81',
    ])
      expect([other, key(other)]).not.toEqual([other, base]);
  });

  it('fills in the prefecture only when the city is one city in Japan (府中市 and 伊達市 are two)', () => {
    expect(key('府中市宮西町2-24')).toBe('府中市宮西町2-24');
    expect(key('東京都府中市宮西町2-24')).toBe('東京都府中市宮西町2-24');
    expect(key('広島県府中市府川町315')).toBe('広島県府中市府川町315');
    expect(key('東京都府中市宮西町2-24')).not.toBe(key('府中市宮西町2-24'));
    expect(key('伊達市梁川町1')).toBe('伊達市梁川町1');
    // With its 郡, a town used in several prefectures is one town again.
    expect(key('茅部郡森町字本町1-1')).toBe('北海道森町本町1-1');
    expect(key('森町本町1-1')).toBe('森町本町1-1');
    expect(key('北海道森町本町1-1')).toBe(key('北海道茅部郡森町本町1-1'));
  });

  it('reads every municipality of the list, with and without its prefecture and 郡', () => {
    const bare = (name: string) => /^.+?郡(.+[町村])$/.exec(name)?.[1] ?? name;
    const prefecturesOf = new Map<string, Set<string>>();
    for (const [pref, names] of JP_MUNICIPALITIES)
      for (const name of names.split(' '))
        prefecturesOf.set(bare(name), (prefecturesOf.get(bare(name)) ?? new Set()).add(pref));
    const ambiguous = new Set<string>();
    const keys = new Set<string>();
    const variants = new Map<string, string>();
    for (let i = 0; i < KANJI_VARIANT_PAIRS.length; i += 2)
      variants.set(KANJI_VARIANT_PAIRS[i] ?? '', KANJI_VARIANT_PAIRS[i + 1] ?? '');
    let count = 0;
    for (const [pref, names] of JP_MUNICIPALITIES) {
      for (const name of names.split(' ')) {
        count++;
        // The key's city is the name without its 郡, character for character, but for the folded
        // kana (ヶ → ケ, 之 → ノ) and variant kanji (鰺 → 鯵).
        const expected = key(`${pref}${name}1-1`);
        const city = [...expected.slice(pref.length, -'1-1'.length)];
        expect([name, expected.startsWith(pref), city.length]).toEqual([name, true, [...bare(name)].length]);
        [...bare(name)].forEach((c, i) => {
          if (c !== city[i]) expect([name, c, city[i]]).toEqual([name, c, variants.get(c) ?? FOLDED_KANA[c]]);
        });
        keys.add(expected);
        expect([name, key(`${pref} ${bare(name)} 1番地の1`)]).toEqual([name, expected]);
        if (prefecturesOf.get(bare(name))?.size === 1) {
          expect([name, key(`${name}1-1`)]).toEqual([name, expected]);
          expect([name, key(`${bare(name)}1-1`)]).toEqual([name, expected]);
        } else {
          ambiguous.add(bare(name));
          expect([name, key(`${bare(name)}1-1`)]).toEqual([name, `${city.join('')}1-1`]);
        }
      }
    }
    expect(count).toBe(1892);
    // No folding (ヶ/ケ, old kanji) makes two municipalities one: 鹿嶋市 and 鹿島市 stay apart.
    expect(keys.size).toBe(count);
    expect([...ambiguous].sort()).toEqual(
      ['伊達市', '府中市', '森町', '池田町', '美郷町', '清水町', '朝日町', '川上村', '南部町', '日高町']
        .concat(['南牧村', '太子町', '小国町', '川崎町', '川西町', '広川町', '日野町', '明和町', '昭和村'])
        .concat(['松前町', '美浜町', '美里町', '金山町', '高山村', '高森町'])
        .sort(),
    );
  });

  it('drops Kyoto street directions before the town: 寺町通御池上る上本能寺前町 is 上本能寺前町', () => {
    const expected = '京都府京都市中京区上本能寺前町488';
    expect(key('京都市中京区寺町通御池上る上本能寺前町488')).toBe(expected);
    expect(key('京都府京都市中京区上本能寺前町488番地')).toBe(expected);
    expect(key('京都市中京区寺町通御池上ル上本能寺前町四八八')).toBe(expected);
    expect(key('京都市下京区烏丸通七条下る東塩小路町721-1')).toBe('京都府京都市下京区東塩小路町721-1');
    // Outside Kyoto city the same words are names.
    expect(key('大阪市北区上る町1')).toBe('大阪府大阪市北区上る町1');
  });

  it('keeps the room only when asked', () => {
    expect(normaliseJapaneseAddress('新宿区西新宿2-8-1 ○○マンション101号室', { keepRoom: true })).toBe(
      '東京都新宿区西新宿2-8-1#101',
    );
    expect(normaliseJapaneseAddress('新宿区西新宿2-8-1-101', { keepRoom: true })).toBe(
      '東京都新宿区西新宿2-8-1#101',
    );
    expect(normaliseJapaneseAddress('新宿区西新宿2-8-1 サンハイツ202', { keepRoom: true })).toBe(
      '東京都新宿区西新宿2-8-1#202',
    );
    expect(normaliseJapaneseAddress('新宿区西新宿2丁目8番1号-305', { keepRoom: true })).toBe(
      '東京都新宿区西新宿2-8-1#305',
    );
    expect(normaliseJapaneseAddress('新宿区西新宿2-8-1 サンハイツ 3F', { keepRoom: true })).toBe(
      '東京都新宿区西新宿2-8-1',
    );
    expect(normaliseJapaneseAddress('新宿区西新宿2-8-1 ○○マンション101号室')).toBe('東京都新宿区西新宿2-8-1');
  });

  it('keeps what it cannot read as cleaned text, never empty for a non-empty address', () => {
    expect(key('')).toBe('');
    expect(key('  ')).toBe('');
    expect(key('101号室')).toBe('101号室');
    expect(key('ＡＢＣ　Tower')).toBe('abctower');
    expect(key('西新宿2-8-1')).toBe('西新宿2-8-1');
    expect(parseJapaneseAddress('新宿区西新宿二丁目8番1号 都庁')).toEqual({
      prefecture: '東京都',
      city: '新宿区',
      town: '西新宿',
      numbers: ['2', '8', '1'],
      rest: '都庁',
    });
  });
});

const FOLDED_KANA: Readonly<Record<string, string>> = {
  ヶ: 'ケ',
  が: 'ケ',
  ヵ: 'ケ',
  之: 'ノ',
  の: 'ノ',
  っ: 'ツ',
  つ: 'ツ',
};

/** Kanji numerals written independently of the module under test (1–999). */
function kanji(n: number): string {
  const d = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  const part = (v: number, unit: string) => (v === 0 ? '' : (v === 1 ? '' : d[v]) + unit);
  return part(Math.floor(n / 100), '百') + part(Math.floor(n / 10) % 10, '十') + d[n % 10];
}
const positional = (n: number) => [...String(n)].map((c) => '〇一二三四五六七八九'[Number(c)]).join('');
const fullWidth = (s: string) => s.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

interface Place {
  readonly pref: string;
  readonly cities: readonly string[];
  readonly towns: readonly string[];
  readonly key: string;
  /** The city alone names it (no other prefecture has it). */
  readonly unique: boolean;
}
const PLACES: readonly Place[] = [
  { pref: '東京都', cities: ['新宿区'], towns: ['西新宿'], key: '東京都新宿区西新宿', unique: true },
  {
    pref: '東京都',
    cities: ['千代田区'],
    towns: ['霞が関', '霞ヶ関', '霞ケ関'],
    key: '東京都千代田区霞ケ関',
    unique: true,
  },
  { pref: '東京都', cities: ['港区'], towns: ['六本木'], key: '東京都港区六本木', unique: true },
  {
    pref: '東京都',
    cities: ['千代田区'],
    towns: ['一番町', '1番町'],
    key: '東京都千代田区一番町',
    unique: true,
  },
  { pref: '東京都', cities: ['中央区'], towns: ['八丁堀'], key: '東京都中央区八丁堀', unique: true },
  { pref: '東京都', cities: ['府中市'], towns: ['宮西町'], key: '東京都府中市宮西町', unique: false },
  {
    pref: '北海道',
    cities: ['札幌市中央区'],
    towns: ['北1条西', '北一条西', '北１条西'],
    key: '北海道札幌市中央区北一条西',
    unique: true,
  },
  {
    pref: '愛知県',
    cities: ['名古屋市中区'],
    towns: ['三の丸', '三ノ丸', '三之丸'],
    key: '愛知県名古屋市中区三ノ丸',
    unique: true,
  },
  { pref: '大阪府', cities: ['大阪市北区'], towns: ['梅田'], key: '大阪府大阪市北区梅田', unique: true },
  {
    pref: '岩手県',
    cities: ['岩手郡雫石町', '雫石町'],
    towns: ['大字長山字北', '長山字北', '長山北', '大字長山北'],
    key: '岩手県雫石町長山北',
    unique: true,
  },
  {
    pref: '神奈川県',
    cities: ['横浜市保土ケ谷区', '横浜市保土ヶ谷区'],
    towns: ['星川'],
    key: '神奈川県横浜市保土ケ谷区星川',
    unique: true,
  },
  { pref: '沖縄県', cities: ['那覇市'], towns: ['泉崎'], key: '沖縄県那覇市泉崎', unique: true },
  {
    pref: '福岡県',
    cities: ['福岡市博多区'],
    towns: ['博多駅前'],
    key: '福岡県福岡市博多区博多駅前',
    unique: true,
  },
];

const DASHES = ['-', '－', '‐', '−', 'ー', '―', '‑', '–', '—', 'ｰ', '─', '━'];
const SPACES = ['', '', ' ', '　', '  '];
const BUILDINGS = [
  '',
  ' 都庁第一本庁舎',
  '　○○マンション101号室',
  ' サンハイツ 203',
  ' 3F',
  '（受付）',
  ' コーポ 2階',
];

const address = fc.record({
  place: fc.nat({ max: PLACES.length - 1 }),
  numbers: fc.oneof(
    fc.tuple(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 40 }),
    ),
    fc.tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 1, max: 40 })),
  ),
});

const writing = fc.record({
  numeral: fc.constantFrom('arabic', 'full', 'kanji', 'positional', 'mixed'),
  mixedSeed: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  style: fc.constantFrom('units', 'banchi', 'dash', 'no', 'mixed'),
  dash: fc.constantFrom(...DASHES),
  spaces: fc.array(fc.constantFrom(...SPACES), { minLength: 4, maxLength: 4 }),
  withPref: fc.boolean(),
  city: fc.nat(),
  town: fc.nat(),
  building: fc.constantFrom(...BUILDINGS),
  roomDash: fc.boolean(),
});

type Address = { place: number; numbers: readonly number[] };
type Writing = typeof writing extends fc.Arbitrary<infer T> ? T : never;

/** One written form of an address. */
function write(a: Address, w: Writing): string {
  const place = PLACES[a.place]!;
  const num = (n: number, i: number): string => {
    const kind = w.numeral === 'mixed' ? (w.mixedSeed[i] ? 'kanji' : 'full') : w.numeral;
    if (kind === 'kanji') return kanji(n);
    if (kind === 'positional') return positional(n);
    if (kind === 'full') return fullWidth(String(n));
    return String(n);
  };
  const ns = a.numbers.map(num);
  const three = ns.length === 3;
  let numbers: string;
  switch (w.style) {
    case 'units':
      numbers = three ? `${ns[0]}丁目${ns[1]}番${ns[2]}号` : `${ns[0]}番${ns[1]}号`;
      break;
    case 'banchi':
      numbers = three ? `${ns[0]}丁目${ns[1]}番地${ns[2]}` : `${ns[0]}番地の${ns[1]}`;
      break;
    case 'no':
      numbers = ns.join('の');
      break;
    case 'mixed':
      numbers = three ? `${ns[0]}丁目${ns[1]}${w.dash}${ns[2]}` : `${ns[0]}番地${ns[1]}`;
      break;
    default:
      numbers = ns.join(w.dash);
  }
  if (three && w.roomDash && w.building === '') numbers += `${w.dash}1203`;
  const [s0, s1, s2, s3] = w.spaces;
  const pref = w.withPref || !place.unique ? place.pref + s0 : '';
  const city = place.cities[w.city % place.cities.length];
  const town = place.towns[w.town % place.towns.length];
  return `${pref}${city}${s1}${town}${s2}${numbers}${s3}${w.building}`;
}

const expectedKey = (a: Address) => PLACES[a.place]!.key + a.numbers.join('-');

describe('normaliseJapaneseAddress properties', () => {
  it('property: every written form of one address gives its one key', () => {
    fc.assert(
      fc.property(address, fc.array(writing, { minLength: 10, maxLength: 10 }), (a, ws) => {
        for (const w of ws) {
          const raw = write(a, w);
          expect([raw, key(raw)]).toEqual([raw, expectedKey(a)]);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('property: two different addresses give different keys, however each is written', () => {
    fc.assert(
      fc.property(address, address, writing, writing, (a, b, wa, wb) => {
        fc.pre(a.place !== b.place || a.numbers.join('-') !== b.numbers.join('-'));
        expect(key(write(a, wa))).not.toBe(key(write(b, wb)));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: never throws, and its normal form is its own normal form', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.string({
        unit: fc.constantFrom(...'東京都新宿区西一二三十百〇丁目番地号のノ之ケヶが字大-ー－ 　12３4室f'),
        maxLength: 30,
      }),
      fc.tuple(address, writing).map(([a, w]) => write(a, w)),
    );
    fc.assert(
      fc.property(text, (raw) => {
        // The parser itself does not throw either: the fallback is for what it cannot read, not for bugs.
        expect(() => parseJapaneseAddress(raw)).not.toThrow();
        const once = normaliseJapaneseAddress(raw);
        expect(typeof once).toBe('string');
        expect(normaliseJapaneseAddress(once)).toBe(once);
      }),
      { numRuns: 5000 },
    );
  });

  it('is its own normal form where the parser reads the text only once it is cleaned (fast-check found 十　字f字)', () => {
    const once = normaliseJapaneseAddress('十　字f字');
    expect(normaliseJapaneseAddress(once)).toBe(once);
  });

  it('property: kanji numerals read back what they write (0–9999), positional or with units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), (n) => {
        expect(kanjiToDecimal(decimalToKanji(n) ?? '')).toBe(String(n));
        expect(kanjiToDecimal(positional(n))).toBe(String(n));
        if (n > 0 && n < 1000) expect(decimalToKanji(n)).toBe(kanji(n));
      }),
    );
    expect(decimalToKanji(10000)).toBeUndefined();
    expect(kanjiToDecimal('二十三')).toBe('23');
    expect(kanjiToDecimal('一〇一')).toBe('101');
  });
});
