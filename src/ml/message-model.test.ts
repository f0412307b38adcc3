/**
 * The committed message lure model (issue 9 item 1; I1, I3, P7) loads with the
 * feature dimension the pipeline uses and ranks obvious lures above obvious
 * legitimate texts, in English and Japanese. Also the metric helpers of
 * eval-message.ts and the hand-written Japanese seed parser.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseForDedup } from './dataset.ts';
import { recallAtFpr } from './eval-message.ts';
import { LogisticModel } from './linear-model.ts';
import {
  calibrationSplit,
  HAND_WRITTEN,
  JA_LEGIT_SEED_URL,
  loadHandWritten,
  loadMessageModel,
  MESSAGE_DIMENSION,
  MESSAGE_MODEL_URL,
  messageFeatures,
  messageProbability,
  messageScore,
  parseHandWritten,
  parseJaLegitSeed,
} from './message-data.ts';
import { metrics, rocAuc } from './metrics.ts';
import { normaliseText } from './normalise-text.ts';
import { keepFrequent, pruneModel } from './train-message.ts';

const file = readFileSync(MESSAGE_MODEL_URL, 'utf8');
const model = LogisticModel.fromJSON(JSON.parse(file), { dimension: MESSAGE_DIMENSION });
const p = (text: string) => model.predict(messageFeatures(text));

describe('committed message-lure model', () => {
  it('is under 600 kB, pruned, and carries its Platt calibration', () => {
    expect(Buffer.byteLength(file)).toBeLessThan(600_000);
    const json = JSON.parse(file) as { weights: number[] };
    expect(json.weights.every((w) => Math.abs(w) >= 5e-3)).toBe(true);
    const { platt } = loadMessageModel();
    expect(platt.a).toBeGreaterThan(0);
    expect(platt).not.toEqual({ a: 1, b: 0 });
  });

  it('scores normalised text without allocation exactly as the sparse path does', () => {
    const text = 'USPS: your parcel is on hold, pay the $1.99 fee at usps-fee.info 荷物';
    const n = normaliseText(text).text;
    expect(messageScore(model, n)).toBeCloseTo(model.score(messageFeatures(text)), 9);
    const m = loadMessageModel();
    const p = messageProbability(m, n);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
  });

  it('flags recent lures (2022–26 styles) and passes ordinary notices, in both languages', () => {
    const m = loadMessageModel();
    const pr = (t: string) => messageProbability(m, normaliseText(t).text);
    // Not rows of the data files: new sentences in the same styles.
    expect(
      pr(
        'E-ZPass: unpaid toll balance of $4.90 on your account. Pay today to avoid a $50 late fee: ezpass-tolls.help',
      ),
    ).toBeGreaterThan(0.5);
    expect(
      pr(
        '【ヤマト運輸】お荷物をお届けに伺いましたが不在のため持ち帰りました。再配達はこちら https://yamato-xk.top',
      ),
    ).toBeGreaterThan(0.5);
    expect(pr('今日は18時に駅前のカフェで待ってるね')).toBeLessThan(0.5);
    expect(pr('【○○歯科】明日14時のご予約をお待ちしております。変更はお電話でお願いします。')).toBeLessThan(
      0.5,
    );
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

describe('hand-written data files', () => {
  it('parse with no rejected line, meet the counts of the issue, and repeat no text', () => {
    const files = loadHandWritten();
    const count = (name: string) => files.find((f) => f.rows[0]?.source === name)?.rows.length ?? 0;
    for (const f of files) expect(f.rejected).toEqual([]);
    expect(count('en-smishing-written')).toBeGreaterThanOrEqual(300);
    expect(count('en-legit-written')).toBeGreaterThanOrEqual(200);
    expect(count('ja-smishing-written')).toBeGreaterThanOrEqual(300);
    expect(count('ja-legit-seed') + count('ja-legit-written')).toBeGreaterThanOrEqual(400);
    const seen = new Set<string>();
    let repeats = 0;
    for (const f of files) {
      for (const r of f.rows) {
        const key = normaliseForDedup(r.text);
        if (seen.has(key)) repeats++;
        seen.add(key);
      }
    }
    expect(repeats).toBe(0);
    expect(Object.keys(HAND_WRITTEN)).toHaveLength(files.length);
  });

  it('parseHandWritten labels every row and rejects bad lines by number', () => {
    const out = parseHandWritten('{"_comment":"x"}\n{"text":"a"}\n{"text":3}\n', 'f', 'fraud');
    expect(out.rows).toEqual([{ text: 'a', label: 'fraud', source: 'f', line: 2 }]);
    expect(out.rejected.map((r) => r.line)).toEqual([3]);
  });

  it('calibration rows are carved from train deterministically, about 15 %', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      text: `row ${i}`,
      label: 'legit' as const,
      source: 's',
      line: i + 1,
    }));
    const a = calibrationSplit(rows);
    const b = calibrationSplit(rows);
    expect(a.calibration.map((r) => r.line)).toEqual(b.calibration.map((r) => r.line));
    expect(a.fit.length + a.calibration.length).toBe(2000);
    expect(a.calibration.length / 2000).toBeGreaterThan(0.12);
    expect(a.calibration.length / 2000).toBeLessThan(0.18);
  });

  it('keepFrequent drops the features of fewer rows than asked', () => {
    const kept = keepFrequent(
      [
        {
          features: new Map([
            [1, 1],
            [2, 1],
          ]),
          label: 1 as const,
        },
        { features: new Map([[1, 2]]), label: 0 as const },
      ],
      2,
    );
    expect(kept.map((e) => [...e.features.keys()])).toEqual([[1], [1]]);
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

describe('recallAtFpr (eval operating points)', () => {
  it('gives the recall at the lowest threshold within the FPR, ties kept together', () => {
    const scored = [
      { p: 0.9, fraud: true },
      { p: 0.8, fraud: false },
      { p: 0.7, fraud: true },
      { p: 0.1, fraud: false },
    ];
    expect(recallAtFpr(scored, 0)).toBe(0.5);
    expect(recallAtFpr(scored, 0.5)).toBe(1);
    expect(
      recallAtFpr(
        [
          { p: 0.5, fraud: true },
          { p: 0.5, fraud: false },
        ],
        0,
      ),
    ).toBe(0);
    expect(recallAtFpr([{ p: 1, fraud: true }], 0)).toBeNull();
  });
});
