/** Platt calibration, reliability table and Brier score (issue 9 item 1, build step 3). */
import { describe, expect, it } from 'vitest';
import { brier, calibrate, fitPlatt, IDENTITY_PLATT, reliability } from './calibration.ts';
import { mulberry32, sigmoid } from './linear-model.ts';

describe('fitPlatt', () => {
  it('recovers the scale and shift of log-odds drawn from a known calibration', () => {
    // Labels drawn with P(fraud | z) = σ(0.5 z − 1): Platt must find a ≈ 0.5, b ≈ −1.
    const random = mulberry32(3);
    const scores: number[] = [];
    const labels: (0 | 1)[] = [];
    for (let i = 0; i < 20_000; i++) {
      const z = (random() - 0.5) * 16;
      scores.push(z);
      labels.push(random() < sigmoid(0.5 * z - 1) ? 1 : 0);
    }
    const p = fitPlatt(scores, labels);
    expect(p.a).toBeCloseTo(0.5, 1);
    expect(p.b).toBeCloseTo(-1, 1);
  });

  it('stays finite on separable data and gives the identity with one class', () => {
    const p = fitPlatt([-3, -2, 2, 3], [0, 0, 1, 1]);
    expect(Number.isFinite(p.a) && Number.isFinite(p.b)).toBe(true);
    expect(calibrate(p, 3)).toBeGreaterThan(0.5);
    expect(calibrate(p, 3)).toBeLessThan(1);
    expect(fitPlatt([1, 2], [1, 1])).toEqual(IDENTITY_PLATT);
    expect(() => fitPlatt([1], [])).toThrow(RangeError);
  });
});

describe('reliability and brier', () => {
  it('bins by predicted p and reports mean predicted against observed', () => {
    const table = reliability([
      { p: 0.05, fraud: false },
      { p: 0.15, fraud: false },
      { p: 0.95, fraud: true },
      { p: 1, fraud: false },
    ]);
    expect(table).toHaveLength(10);
    expect(table[0]).toMatchObject({ n: 1, meanPredicted: 0.05, observed: 0 });
    expect(table[9]).toMatchObject({ n: 2, observed: 0.5 });
    expect(table[9]?.meanPredicted).toBeCloseTo(0.975);
    expect(table[5]).toMatchObject({ n: 0, meanPredicted: null, observed: null });
  });

  it('Brier is 0 for perfect certainty, 0.25 for always ½, null when empty', () => {
    expect(
      brier([
        { p: 1, fraud: true },
        { p: 0, fraud: false },
      ]),
    ).toBe(0);
    expect(
      brier([
        { p: 0.5, fraud: true },
        { p: 0.5, fraud: false },
      ]),
    ).toBe(0.25);
    expect(brier([])).toBeNull();
  });
});
