import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageKit } from '../../../../test/helpers/message-channel.ts';
import { loadMessageModel, messageProbability } from '../../../ml/message-data.ts';
import { normaliseText } from '../../../ml/normalise-text.ts';
import { beginMessage } from '../index.ts';
import {
  contentLength,
  LURE_MODEL_FLOOR,
  leadsSomewhere,
  lureFactor,
  topLureFeatures,
} from './lure-model.ts';

const kit = messageKit();
const { message } = kit;

async function screen(text: string) {
  const verdict = await kit.screen({ kind: 'sms', sender: '+819012345678', text });
  return { verdict, hit: verdict.hits.find((h) => h.signal === 'MESSAGE_LURE_MODEL') };
}

describe('MESSAGE_LURE_MODEL (I1)', () => {
  it('maps the calibrated probability to a factor: warn at p 0.5, never block alone', () => {
    expect(lureFactor(0.5) * 4).toBe(4);
    expect(lureFactor(1) * 4).toBeCloseTo(7.6);
    expect(lureFactor(1) * 4).toBeLessThan(8);
  });

  it.each([
    '【佐川急便】お荷物のお届けに伺いましたが不在のため持ち帰りました。再配達はこちら https://sagawa-qx.top',
    'Royal Mail: your parcel is held due to an unpaid shipping fee of £1.49. Pay now at royalmail-fee.help',
  ])(
    'hits a lure with the probability, a score of 4 × 2p and readable n-grams as evidence: %s',
    async (text) => {
      const { hit, verdict } = await screen(text);
      expect(hit).toBeDefined();
      const p = messageProbability(loadMessageModel(), normaliseText(text).text);
      expect(hit?.score).toBeCloseTo(4 * lureFactor(p), 6);
      expect(hit?.evidence[0]).toBe(`p=${p.toFixed(3)}`);
      expect(hit?.evidence.length).toBeGreaterThan(1);
      expect(hit?.evidence.slice(1).every((e) => /^「.+」\+\d+\.\d\d$/u.test(e))).toBe(true);
      const reason = verdict.reasons.find((r) => r.signal === 'MESSAGE_LURE_MODEL');
      expect(reason?.ja).toContain('文面モデル');
      expect(reason?.en).toContain(p.toFixed(2));
    },
  );

  it('leaves short texts (little besides a URL) and middling probabilities to the other detectors', async () => {
    expect(contentLength('写真です <URL>', [{ kind: 'url' }])).toBe(4);
    expect((await screen('写真です https://bit.ly/3abcDEF')).hit).toBeUndefined();
    expect((await screen('資料を送ります https://drive.google.com/file/d/1')).hit).toBeUndefined();
    expect(LURE_MODEL_FLOOR).toBe(0.5);
  });

  it('defers to POST_RECRUITMENT_CRIME, which reads the same words with its own model', async () => {
    const { hit, verdict } = await screen(
      '【高収入】荷物を受け取るだけの簡単なお仕事。1件3万円。即日払い。詳細はテレグラムで',
    );
    expect(verdict.hits.map((h) => h.signal)).toContain('POST_RECRUITMENT_CRIME');
    expect(hit).toBeUndefined();
  });

  it.each([
    '今から帰るね。駅に着いたら電話するよ',
    'Your verification code is 482913. Do not share it with anyone.',
    '【○○小学校】明日の持ち物：絵の具セット、体操服',
  ])('does not hit ordinary messages: %s', async (text) => {
    const { hit } = await screen(text);
    expect(hit).toBeUndefined();
  });

  it("counts half when the text leads nowhere but brands' own or popular sites: wording alone does not warn", async () => {
    const state = (text: string) =>
      beginMessage({
        id: 'e',
        orgId: 'o',
        channel: 'message',
        receivedAt: '2026-01-15T00:00:00Z',
        payload: message.schema.parse({ kind: 'sms', sender: '+819012345678', text }),
      });
    expect(leadsSomewhere(state('不在のため持ち帰りました。再配達 https://sagawa-qx.top'))).toBe(true);
    expect(leadsSomewhere(state('料金が未払いです。03-1234-5678 までご連絡ください'))).toBe(true);
    expect(leadsSomewhere(state('Reply YES to claim your prize'))).toBe(true);
    expect(leadsSomewhere(state('【ヤマト運輸】お荷物は営業所でお預かりしています'))).toBe(false);
    expect(
      leadsSomewhere(state('配達状況は https://www.amazon.co.jp/gp/your-account でご確認ください')),
    ).toBe(false);
    // The same lure wording: with a link it may warn; without anywhere to go it stays below warn.
    const lure = '【佐川急便】お荷物のお届けに伺いましたが不在のため持ち帰りました。';
    const linked = await screen(`${lure}再配達はこちら https://sagawa-qx.top`);
    const bare = await screen(lure);
    if (bare.hit) {
      expect(bare.hit.evidence).toContain('leads-nowhere');
      expect(bare.hit.score).toBeLessThan(4);
    }
    expect(linked.hit?.evidence).not.toContain('leads-nowhere');
    expect(linked.verdict.action).not.toBe('allow');
  });

  it('names only features that pushed towards fraud, strongest first', () => {
    const m = loadMessageModel();
    const top = topLureFeatures(m, normaliseText('不在のため持ち帰りました。再配達 <URL>').text, 5);
    expect(top.length).toBeGreaterThan(0);
    const values = top.map((t) => Number(t.slice(t.lastIndexOf('+') + 1)));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(values.every((v) => v > 0)).toBe(true);
  });

  it('never throws on arbitrary Unicode up to 100 KB and stays well within a second', () => {
    const m = loadMessageModel();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), (s) => {
        let t = s;
        while (t.length < 100_000) t += t;
        const n = normaliseText(t.slice(0, 100_000)).text;
        const t0 = performance.now();
        const p = messageProbability(m, n);
        if (p >= LURE_MODEL_FLOOR) topLureFeatures(m, n);
        // A bound that catches a quadratic regression (seconds), not one that a loaded machine's JIT trips.
        expect(performance.now() - t0).toBeLessThan(500);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
      }),
      { numRuns: 15 },
    );
  });
});
