/**
 * The recruitment cues (P7, POST_RECRUITMENT_CRIME): each family on a text that has it and a near
 * miss that does not; amounts read in yen; the committed model agrees with the features it is read with.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogisticModel } from './linear-model.ts';
import { normaliseText } from './normalise-text.ts';
import {
  matchRecruitmentCues,
  moneyYen,
  RECRUITMENT_CUES,
  type RecruitmentCueName,
} from './recruitment-cues.ts';
import {
  FLAG_POINTS,
  RECRUITMENT_DIMENSION,
  RECRUITMENT_MODEL_URL,
  recruitmentFeatures,
  scoreRecruitmentText,
} from './recruitment-model.ts';

const cues = (text: string) => new Set(matchRecruitmentCues(normaliseText(text)).matches.map((m) => m.cue));

/** [family, a text that has it, a near miss that does not]. */
const FAMILIES: readonly [RecruitmentCueName, string, string][] = [
  ['high_pay', '日給5万円の作業', '日給1万2千円の作業'],
  ['high_pay', '月収100万円可能', '月収30万円可能'],
  ['high_pay', 'earn $500/day easy', 'earn $15/hour'],
  ['fast_cash', '即日現金でお支払い', '即日発送でお届け'],
  ['vague_carry', '荷物を受け取って運ぶだけ', '荷物の搬出・搬入'],
  ['vague_carry', '預けた荷物をロッカーへ', '駅のロッカーに傘を置いた'],
  ['collect_money', 'カードを受け取ってATMから引き出す', '不用品回収のお仕事'],
  ['account_sale', '使ってない口座売ってください', '口座開設キャンペーン'],
  ['safe_claim', 'ホワイト案件です', 'ホワイトデーのお返し'],
  ['safe_claim', 'リスクはないです', 'リスク管理の研修'],
  ['encrypted_app', '詳細はテレグラムで', 'テレビで見た'],
  ['encrypted_app', 'move to Signal and I explain', 'the signal failure at the station'],
  ['id_request', '免許証の写真を送ってください', '免許証の更新に行った'],
  ['giveaway', 'お金配ります', 'お金を貯めます'],
  ['night_driver', '深夜に人を運ぶだけ', '深夜のコンビニ'],
  ['easy_work', '誰でもできる簡単なお仕事', '資格が必要な仕事'],
  ['vague_details', '内容は当日説明します', '仕事内容はレジと品出しです'],
  ['legit_details', '時給1,200円 交通費支給', '日給5万円'],
  ['warning_context', '闇バイトに注意してください', '闇バイトじゃないです'],
];

describe('recruitment cue families', () => {
  it.each(FAMILIES)('%s: matches "%s", not "%s"', (family, hit, miss) => {
    expect(cues(hit)).toContain(family);
    expect(cues(miss)).not.toContain(family);
  });

  it('each family has Japanese and English descriptions and a weight', () => {
    for (const info of Object.values(RECRUITMENT_CUES)) {
      expect(info.description.ja).not.toBe('');
      expect(info.description.en).not.toBe('');
      expect(Number.isFinite(info.weight)).toBe(true);
    }
  });

  it('adds the high-pay-for-vague-work bonus only when both are there', () => {
    const both = matchRecruitmentCues(normaliseText('荷物を運ぶだけ 日給5万円'));
    const pay = matchRecruitmentCues(normaliseText('日給5万円'));
    expect(both.bonus).toBe(1);
    expect(pay.bonus).toBe(0);
  });

  it('reads amounts in yen, including 2万5千円 split by the normaliser and dollars', () => {
    expect(moneyYen('5万円', [], 0)).toBe(50_000);
    expect(moneyYen('日当2万<AMOUNT>', ['5千円'], 0)).toBe(25_000);
    expect(moneyYen('日給<AMOUNT>', ['12000円'], 0)).toBe(12_000);
    expect(moneyYen('<AMOUNT>', ['$500'], 0)).toBe(75_000);
    expect(moneyYen('<AMOUNT>', ['1.5万'], 0)).toBe(15_000);
    expect(Number.isNaN(moneyYen('<AMOUNT>', [], 3))).toBe(true);
  });

  it('reads the right amount when several are in the text', () => {
    const r = matchRecruitmentCues(normaliseText('時給1,200円、交通費500円、日給6万円'));
    expect(r.matches.filter((m) => m.cue === 'high_pay').map((m) => m.text)).toEqual(['日給<AMOUNT>']);
  });

  it('never throws on arbitrary Unicode, and gives a finite score', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3_000 }), (s) => {
        const r = matchRecruitmentCues(normaliseText(s));
        expect(Number.isFinite(r.score)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('committed recruitment model', () => {
  const file = readFileSync(RECRUITMENT_MODEL_URL, 'utf8');
  const model = LogisticModel.fromJSON(JSON.parse(file), { dimension: RECRUITMENT_DIMENSION });
  const p = (t: string) => model.predict(recruitmentFeatures(normaliseText(t).text));

  it('is small and ranks a recruitment post above an ordinary ad (features and model agree)', () => {
    expect(Buffer.byteLength(file)).toBeLessThan(400_000);
    expect(p('ホワイト案件 荷物受け取るだけ 日給5万 即日現金 テレグラムで')).toBeGreaterThan(0.5);
    expect(p('コンビニスタッフ募集 時給1,100円 週2日から 交通費支給')).toBeLessThan(0.5);
  });

  it('only adds points to the cues, and never runs without a positive cue', () => {
    const plain = scoreRecruitmentText('今日はいい天気ですね');
    expect(plain.modelProbability).toBeUndefined();
    const s = scoreRecruitmentText('荷物を運ぶだけ 日給5万円 詳細はテレグラム');
    expect(s.modelPoints).toBeGreaterThanOrEqual(0);
    expect(s.points).toBeGreaterThanOrEqual(s.cuePoints);
    expect(s.points).toBeGreaterThanOrEqual(FLAG_POINTS);
  });
});
