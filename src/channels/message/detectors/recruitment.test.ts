/**
 * POST_RECRUITMENT_CRIME (measure P7, issue 9): through the real engine and message channel, the 15
 * police-cited recruitment phrases (fixtures/npa-recruitment-phrases.tsv, a committed copy: ../shared
 * is absent on CI) are all flagged as posts, and ordinary part-time job ads written here (not in the
 * training data) are not.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageKit } from '../../../../test/helpers/message-channel.ts';
import { normaliseText } from '../../../ml/normalise-text.ts';
import { beginMessage } from '../message-state.ts';
import { recruitmentDetector } from './recruitment.ts';

// No indicator is on any list (the kit's default): these tests are about the text.
const kit = messageKit();
const { message, engine } = kit;
const screen = (text: string, kind = 'post') => kit.screen({ kind, sender: 'user_123', text });
const signalsOf = (v: Awaited<ReturnType<typeof screen>>) => v.hits.map((h) => h.signal);

const POLICE = readFileSync(new URL('./fixtures/npa-recruitment-phrases.tsv', import.meta.url), 'utf8')
  .split(/\r?\n/)
  .slice(1)
  .filter((l) => l.trim() !== '')
  .map((l) => l.split('\t')[0] ?? '');

/** Ordinary part-time job ads, written for this test (none is in src/ml/data). */
const ORDINARY_ADS = [
  'セブンイレブン○○町店 アルバイト募集 時給1,120円 早朝6時〜9時 週2日からOK 交通費支給',
  'ローソン□□店 夕方のレジ・品出し 時給1,100円 高校生歓迎 シフトは相談に応じます',
  'ファミリーマート 深夜スタッフ 時給1,400円 22時〜翌6時 未経験OK 制服貸与',
  'ミニストップ スタッフ募集 時給1,080円 ソフトクリーム作りもあります 学生・主婦歓迎',
  '○○引越センター アルバイト 日給1万1千円 日払いOK 荷物の搬出・搬入 未経験歓迎 株式会社○○',
  '引越しスタッフ急募 時給1,350円 週1日〜 トラック助手 荷物を運ぶお仕事です 交通費全額支給',
  '引越し繁忙期スタッフ 3月・4月限定 日給1万2千円 昼食付き 面接は本社で随時',
  '物流倉庫 ピッキングスタッフ 時給1,200円 日払いOK 空調完備 株式会社○○ロジ',
  '倉庫内の仕分け・梱包 時給1,250円 週3日〜 扶養内OK 勤務地：川口市',
  'アパレル倉庫での検品 時給1,150円 座り作業中心 社員登用あり 応募はWebから',
  '配送センター 夜間の荷物仕分け 時給1,500円 22時〜5時 送迎バスあり 派遣会社○○',
  '宅配ドライバー 正社員 月給27万円〜 軽バン支給 社会保険完備 ○○急便株式会社',
  '軽貨物配送 業務委託 1個150円 1日100個前後 車両リースあり 説明会は毎週水曜',
  'ルート配送スタッフ 時給1,300円 スーパーへの食品配送 普通免許 土日休み',
  '配達員（バイク） 時給1,200円＋歩合 ピザの宅配 バイク貸与 学生歓迎',
  'レストランのホールスタッフ 時給1,150円 ランチタイム 週2日〜 まかない付き',
  '居酒屋キッチン 時給1,250円 22時以降1,560円 経験不問 シフト自由',
  'カフェスタッフ 時給1,100円 土日祝入れる方歓迎 ○○コーヒー駅前店',
  '牛丼チェーン 早朝スタッフ 時給1,300円 5時〜9時 食事補助あり 株式会社○○フーズ',
  'ベーカリー販売 時給1,050円 朝7時から 扶養内OK パンの割引あり',
  '介護施設の夜勤パート 1回2万2千円 資格者優遇 月4回〜 ○○ケアセンター',
  '塾講師（集団指導） 時給2,000円〜 中学生の英語 研修あり 大学生歓迎',
  'イベント会場の案内スタッフ 日給9,000円 日払いOK 単発 登録制 服装貸与',
  'ライブ設営スタッフ 日給1万円 早朝手当あり 体力に自信のある方 株式会社○○エンタープライズ',
  '日払いOK 派遣登録スタッフ 軽作業・倉庫・イベント 日給8,500円〜 Web登録',
  '年末年始の郵便局 仕分けアルバイト 時給1,100円 高校生可 短期',
  'スーパーの品出し 早朝 時給1,200円 6時〜9時 シニア歓迎 ○○マート',
  '交通誘導警備 日給1万円 研修（有給）あり 日払い・週払い可 ○○警備保障株式会社',
  'ホテルの客室清掃 時給1,180円 9時〜15時 未経験OK 制服貸与 交通費支給',
  'ドラッグストアのレジ 時給1,100円 週3日〜 社員割引あり 登録販売者は時給アップ',
  'Part-time cashier at a convenience store, $15/hour, evening shifts, apply in store',
  'Moving company hiring helpers, $19/hr, weekends, lifting required, paid weekly',
  'Warehouse picker, $18/hr, day shift, benefits after 60 days, apply online',
];

describe('POST_RECRUITMENT_CRIME through the message channel (P7)', () => {
  it('declares its signals with the channel, no engine problems', () => {
    expect(engine.problems).toEqual([]);
    expect(engine.detectors('message')).toContain('message.recruitment');
    expect(message.signals.map((s) => s.name)).toEqual(
      expect.arrayContaining(['POST_RECRUITMENT_CRIME', 'POST_RECRUITMENT_CRIME_CERTAIN']),
    );
  });

  it('flags all 15 police-cited phrases as posts (warn or block)', async () => {
    expect(POLICE).toHaveLength(15);
    for (const text of POLICE) {
      const v = await screen(text);
      expect(signalsOf(v), text).toContain('POST_RECRUITMENT_CRIME');
      expect(['warn', 'block'], text).toContain(v.action);
    }
  });

  it(`does not flag ${ORDINARY_ADS.length} ordinary part-time job ads`, async () => {
    expect(ORDINARY_ADS.length).toBeGreaterThanOrEqual(30);
    for (const text of ORDINARY_ADS) {
      const v = await screen(text);
      expect(signalsOf(v), text).not.toContain('POST_RECRUITMENT_CRIME');
      expect(signalsOf(v), text).not.toContain('POST_RECRUITMENT_CRIME_CERTAIN');
    }
  });

  it('blocks a certain recruitment post, forced and explained, for DMs and SMS too', async () => {
    const text =
      '【ホワイト案件】荷物を受け取って運ぶだけ 日給5万円 即日現金 詳細はテレグラムで 身分証の写真必須';
    for (const kind of ['post', 'dm', 'sms', 'rcs']) {
      const v = await screen(text, kind);
      expect(signalsOf(v)).toEqual(
        expect.arrayContaining(['POST_RECRUITMENT_CRIME', 'POST_RECRUITMENT_CRIME_CERTAIN']),
      );
      expect(v.action).toBe('block');
    }
    const v = await screen(text);
    const hit = v.hits.find((h) => h.signal === 'POST_RECRUITMENT_CRIME');
    expect(hit?.evidence.join('\n')).toMatch(/vague_carry .*荷物を受け取/);
    expect(hit?.evidence.join('\n')).toMatch(/model: p=/);
  });

  it('warns, without forcing, on a weak sign alone (near miss of CERTAIN)', async () => {
    const v = await screen('即日払いのお仕事があります');
    expect(signalsOf(v)).toContain('POST_RECRUITMENT_CRIME');
    expect(signalsOf(v)).not.toContain('POST_RECRUITMENT_CRIME_CERTAIN');
    expect(v.action).toBe('warn');
  });

  it('leaves warnings about 闇バイト and everyday chat alone', async () => {
    for (const text of [
      '闇バイトに注意！「ホワイト案件」「即日現金」「荷物を受け取るだけ」は犯罪の募集です。#9110に相談を',
      '駅のロッカーに荷物預けて、テレグラムで友達と待ち合わせ',
      '免許証の更新に行ってきた。写真写り最悪',
    ]) {
      expect(signalsOf(await screen(text)), text).not.toContain('POST_RECRUITMENT_CRIME');
    }
  });
});

describe('message.recruitment on arbitrary input', () => {
  const detector = recruitmentDetector(undefined);
  const run = (text: string) => {
    const state = beginMessage({
      id: 'e',
      orgId: 'o',
      channel: 'message',
      receivedAt: '2026-01-15T00:00:00Z',
      payload: { kind: 'post', sender: 's', text },
    });
    return detector.run({ payload: { kind: 'post', sender: 's', text }, id: 'e', receivedAt: '' }, {
      state,
    } as never);
  };

  it('never throws and stays bounded on arbitrary Unicode up to 100 KB', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2_000 }), (s) => {
        const t0 = performance.now();
        const hits = run(s) as readonly unknown[];
        expect(Array.isArray(hits)).toBe(true);
        expect(performance.now() - t0).toBeLessThan(1000);
      }),
      { numRuns: 200 },
    );
    const big = fc.sample(fc.string({ unit: 'binary', minLength: 100_000, maxLength: 100_000 }), {
      numRuns: 3,
      seed: 9,
    });
    const cueHeavy = '日給5万 ホワイト案件 受け取り テレグラム 身分証の写真 '.repeat(3_500).slice(0, 100_000);
    for (const s of [...big, cueHeavy, '<AMOUNT>'.repeat(12_500), '5万'.repeat(50_000)]) {
      const text = normaliseText(s);
      const t0 = performance.now();
      expect(() => run(s)).not.toThrow();
      expect(performance.now() - t0, `${text.text.length} chars`).toBeLessThan(1_000);
    }
  });
});
