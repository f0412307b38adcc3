/**
 * The committed message lure model (issue 9 item 1; I1, I3, P7) loads with the
 * feature dimension the pipeline uses and ranks obvious lures above obvious
 * legitimate texts, in English and Japanese. Also the metric helpers of
 * eval-message.ts and the hand-written Japanese seed parser.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LogisticModel } from './linear-model.ts';
import {
  JA_LEGIT_SEED_URL,
  MESSAGE_DIMENSION,
  MESSAGE_MODEL_URL,
  messageFeatures,
  parseJaLegitSeed,
} from './message-data.ts';
import { metrics, rocAuc } from './metrics.ts';
import { pruneModel } from './train-message.ts';

const file = readFileSync(MESSAGE_MODEL_URL, 'utf8');
const model = LogisticModel.fromJSON(JSON.parse(file), { dimension: MESSAGE_DIMENSION });
const p = (text: string) => model.predict(messageFeatures(text));

describe('committed message-lure model', () => {
  it('is under 1 MB and pruned', () => {
    expect(Buffer.byteLength(file)).toBeLessThan(1_000_000);
    const json = JSON.parse(file) as { weights: number[] };
    expect(json.weights.every((w) => Math.abs(w) >= 1e-3)).toBe(true);
  });

  it('scores an obvious English lure above an obvious legit text', () => {
    const lure = p('URGENT! You have WON a £1000 cash prize. Call 09061701461 now to claim. T&C apply');
    const legit = p("Ok, I'll pick you up from the station at 6. See you later");
    expect(lure).toBeGreaterThan(0.5);
    expect(legit).toBeLessThan(0.5);
  });

  it('scores an obvious Japanese lure above an obvious legit text', () => {
    const lure = p(
      'お客様宛にお荷物のお届けにあがりましたが不在の為持ち帰りました。下記よりご確認ください。 http://sagawa-xx.com',
    );
    const legit = p('今から帰るね。駅に着いたら電話するよ');
    expect(lure).toBeGreaterThan(legit);
  });
});

describe('eval metrics', () => {
  it('ROC-AUC is 1 for a perfect ranking, ½ for all ties, null for one class', () => {
    expect(
      rocAuc([
        { p: 0.9, fraud: true },
        { p: 0.1, fraud: false },
      ]),
    ).toBe(1);
    expect(
      rocAuc([
        { p: 0.1, fraud: true },
        { p: 0.9, fraud: false },
      ]),
    ).toBe(0);
    expect(
      rocAuc([
        { p: 0.5, fraud: true },
        { p: 0.5, fraud: false },
      ]),
    ).toBe(0.5);
    expect(rocAuc([{ p: 0.5, fraud: true }])).toBeNull();
  });

  it('confusion matrix, precision, recall, FPR and F1 at the threshold', () => {
    const m = metrics([
      { p: 0.9, fraud: true },
      { p: 0.4, fraud: true },
      { p: 0.6, fraud: false },
      { p: 0.1, fraud: false },
      { p: 0.2, fraud: false },
    ]);
    expect(m.confusion).toEqual({ tp: 1, fp: 1, tn: 2, fn: 1 });
    expect(m.precision).toBe(0.5);
    expect(m.recall).toBe(0.5);
    expect(m.fpr).toBeCloseTo(1 / 3);
    expect(m.f1).toBe(0.5);
    expect(metrics([{ p: 0.1, fraud: false }]).precision).toBeNull();
  });
});

describe('ja-legit-seed', () => {
  it('has ~60 legit rows, skips the comment line, rejects bad lines', () => {
    const seed = parseJaLegitSeed(readFileSync(JA_LEGIT_SEED_URL, 'utf8'));
    expect(seed.rejected).toEqual([]);
    expect(seed.rows.length).toBe(60);
    expect(seed.rows.every((r) => r.label === 'legit')).toBe(true);
    const bad = parseJaLegitSeed('{"text": ""}\nnot json\n{"_comment": "x"}\n{"text": "はい"}\n');
    expect(bad.rows.map((r) => r.text)).toEqual(['はい']);
    expect(bad.rejected.map((r) => r.line)).toEqual([1, 2]);
  });
});

describe('pruneModel', () => {
  it('zeroes weights below the bound and keeps the rest', () => {
    const m = new LogisticModel(
      16,
      Float64Array.from({ length: 16 }, (_, i) => (i % 2 ? 1e-4 : 0.5)),
      0.2,
    );
    const { model: pruned, kept } = pruneModel(m, 1e-3);
    expect(kept).toBe(8);
    expect(pruned.bias).toBe(0.2);
    expect([...pruned.weights()].filter((w) => w !== 0).every((w) => w === 0.5)).toBe(true);
  });
});
