import { describe, expect, it } from 'vitest';
import {
  type LinearModelJson,
  LogisticModel,
  ModelFormatError,
  mulberry32,
  type SparseFeatures,
  sigmoid,
  type TrainingExample,
  trainLogistic,
} from './linear-model.ts';

const DIM = 64;

/**
 * Synthetic separable data: features 0–9 mark fraud, 10–19 mark legitimate,
 * 20–63 are shared noise. Each example draws three class features and three
 * noise features.
 */
function synthetic(n: number, seed: number): TrainingExample[] {
  const r = mulberry32(seed);
  const out: TrainingExample[] = [];
  for (let k = 0; k < n; k++) {
    const label = (k % 2) as 0 | 1;
    const f = new Map<number, number>();
    for (let j = 0; j < 3; j++) f.set((label === 1 ? 0 : 10) + Math.floor(r() * 10), 1);
    for (let j = 0; j < 3; j++) f.set(20 + Math.floor(r() * 44), 1);
    out.push({ features: f, label });
  }
  return out;
}

describe('mulberry32', () => {
  it('is deterministic for a seed, differs across seeds, stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
});

describe('sigmoid', () => {
  it('is stable at the extremes', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    expect(Number.isNaN(sigmoid(-800))).toBe(false);
  });
});

describe('trainLogistic', () => {
  const train = synthetic(400, 1);
  const test = synthetic(200, 2);

  it('learns separable data', () => {
    const model = trainLogistic(train, { dimension: DIM, seed: 7 });
    let correct = 0;
    for (const e of test) if (model.predict(e.features) > 0.5 === (e.label === 1)) correct++;
    expect(correct).toBe(test.length);
    const w = model.weights();
    for (let i = 0; i < 10; i++) expect(w[i]).toBeGreaterThan(0);
    for (let i = 10; i < 20; i++) expect(w[i]).toBeLessThan(0);
  });

  it('gives identical weights for the same seed, different ones for another seed', () => {
    const a = trainLogistic(train, { dimension: DIM, seed: 7 });
    const b = trainLogistic(train, { dimension: DIM, seed: 7 });
    const c = trainLogistic(train, { dimension: DIM, seed: 8 });
    expect(b.weights()).toEqual(a.weights());
    expect(b.bias).toBe(a.bias);
    expect(c.weights()).not.toEqual(a.weights());
  });

  it('does not change the examples it is given', () => {
    const copy = train.map((e) => ({ label: e.label, features: [...e.features] }));
    trainLogistic(train, { dimension: DIM, seed: 7 });
    expect(train.map((e) => ({ label: e.label, features: [...e.features] }))).toEqual(copy);
  });

  it('L2 shrinks the weights', () => {
    const loose = trainLogistic(train, { dimension: DIM, seed: 7, l2: 0 });
    const tight = trainLogistic(train, { dimension: DIM, seed: 7, l2: 0.5 });
    const norm = (w: Float64Array) => w.reduce((s, x) => s + x * x, 0);
    expect(norm(tight.weights())).toBeLessThan(norm(loose.weights()));
  });

  it('refuses a feature index outside the dimension', () => {
    expect(() =>
      trainLogistic([{ features: new Map([[DIM, 1]]), label: 1 }], { dimension: DIM, seed: 1 }),
    ).toThrow(RangeError);
    expect(() => trainLogistic([], { dimension: 0, seed: 1 })).toThrow(ModelFormatError);
  });
});

describe('LogisticModel', () => {
  const model = trainLogistic(synthetic(400, 1), { dimension: DIM, seed: 7 }, { features: 'synthetic' });

  it('topFeatures returns the largest positive contributions first', () => {
    const f: SparseFeatures = new Map([
      [0, 1],
      [1, 2],
      [15, 1],
      [30, 1],
    ]);
    const top = model.topFeatures(f, 2);
    expect(top).toHaveLength(2);
    expect(top.map((t) => t.index).sort()).toEqual([0, 1]);
    expect(top[0]?.contribution).toBeGreaterThanOrEqual(top[1]?.contribution ?? Infinity);
    for (const t of top) expect(t.contribution).toBeCloseTo(t.weight * t.value, 12);
    // A legitimate-class feature is never evidence of fraud.
    expect(model.topFeatures(f, 10).some((t) => t.index === 15)).toBe(false);
    expect(model.topFeatures(f, 0)).toEqual([]);
  });

  it('predict refuses an index outside the dimension', () => {
    expect(() => model.predict(new Map([[DIM, 1]]))).toThrow(RangeError);
    expect(() => model.predict(new Map([[-1, 1]]))).toThrow(RangeError);
    expect(() => model.predict(new Map([[1.5, 1]]))).toThrow(RangeError);
  });

  it('round-trips through JSON: same file, same predictions to rounding', () => {
    const json = model.toJSON();
    const text = JSON.stringify(json);
    const loaded = LogisticModel.fromJSON(JSON.parse(text), { dimension: DIM });
    expect(JSON.stringify(loaded.toJSON())).toBe(text);
    expect(loaded.meta).toEqual({ features: 'synthetic' });
    for (const e of synthetic(50, 3)) {
      expect(Math.abs(loaded.score(e.features) - model.score(e.features))).toBeLessThan(1e-4);
    }
  });

  it('writes a compact file: only non-zero weights, rounded, indices ascending', () => {
    const json = model.toJSON();
    expect(json.format).toBe('mamoru-linear-model');
    expect(json.version).toBe(1);
    expect(json.indices.length).toBe(json.weights.length);
    expect(json.indices.length).toBeLessThanOrEqual(DIM);
    for (const w of json.weights) {
      expect(w).not.toBe(0);
      expect(Math.round(w * 1e6) / 1e6).toBe(w);
    }
    for (let k = 1; k < json.indices.length; k++) {
      expect(json.indices[k]).toBeGreaterThan(json.indices[k - 1] as number);
    }
    const sparse = new LogisticModel(1 << 20, undefined, 0.25).toJSON();
    expect(sparse.indices).toEqual([]);
    expect(JSON.stringify(sparse).length).toBeLessThan(120);
  });

  it('refuses a model whose dimension is not the features dimension', () => {
    const json = model.toJSON();
    expect(() => LogisticModel.fromJSON(json, { dimension: DIM * 2 })).toThrow(/dimension 64 does not match/);
    expect(() => LogisticModel.fromJSON(json, { dimension: DIM * 2 })).toThrow(/次元/);
  });

  it('refuses malformed files naming what is wrong', () => {
    const good = model.toJSON();
    const cases: [unknown, RegExp][] = [
      [null, /not an object/],
      [{ ...good, format: 'x' }, /format/],
      [{ ...good, version: 2 }, /unsupported version 2/],
      [{ ...good, dimension: 1.5 }, /dimension must be an integer/],
      [{ ...good, dimension: 2 ** 30 }, /dimension must be an integer/],
      [{ ...good, bias: 'x' }, /bias/],
      [{ ...good, weights: [] }, /equal length/],
      [{ ...good, indices: [...good.indices].reverse() }, /ascending/],
      [{ ...good, indices: [0, DIM], weights: [1, 1] }, /indices\[1\]/],
      [{ ...good, indices: [0], weights: [null] }, /weights\[0\]/],
      [{ ...good, meta: { a: [] } }, /meta\.a/],
    ];
    for (const [input, message] of cases) {
      expect(() => LogisticModel.fromJSON(input as LinearModelJson)).toThrow(message);
      expect(() => LogisticModel.fromJSON(input as LinearModelJson)).toThrow(ModelFormatError);
    }
  });
});
