import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIMENSION, extractFeatures, featureIndices, fnv1a32, labelledFeatures } from './features.ts';
import { normaliseText } from './normalise-text.ts';

const features = (s: string, dimension?: number) =>
  extractFeatures(normaliseText(s).text, dimension === undefined ? {} : { dimension });
const total = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);

describe('fnv1a32', () => {
  it('matches FNV-1a over 32-bit little-endian code points', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    // 'a' as bytes 61 00 00 00: reference computed by hand from the FNV-1a definition.
    let h = 0x811c9dc5;
    for (const b of [0x61, 0, 0, 0]) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    expect(fnv1a32('a')).toBe(h);
    expect(fnv1a32('ア')).not.toBe(fnv1a32('ァ'));
  });
});

describe('extractFeatures (issue 9 item 1)', () => {
  it('counts 1–3 grams in Japanese runs and words from Intl.Segmenter', () => {
    // "あい": unigrams あ, い; bigram あい → 3 n-grams; plus Segmenter words (at least one).
    const f = extractFeatures('あい', { dimension: 1 << 20 });
    expect(total(f)).toBeGreaterThanOrEqual(4);
    // 2–4 grams over " ab " (padded): " a","ab","b ", " ab","ab ", " ab " = 6; plus the word "ab".
    expect(total(extractFeatures('ab', { dimension: 1 << 20 }))).toBe(7);
    expect(total(extractFeatures('ab', { dimension: 1 << 20, words: false }))).toBe(6);
  });

  it('gives one feature per placeholder and none from its letters', () => {
    const f = extractFeatures('<URL>', { dimension: 1 << 20 });
    expect(total(f)).toBe(1);
    expect(extractFeatures('<URL>')).not.toEqual(extractFeatures('<PHONE>'));
  });

  it('maps obfuscated lures onto the features of their plain form', () => {
    expect(features('ア カ ウ ン ト を確認')).toEqual(features('あかうんとを確認'));
    expect(features('Ｐ ａ ｙ Ｐ ａ ｌ')).toEqual(features('paypal'));
    expect(features('pаypаl')).toEqual(features('paypal'));
    // Different lures differ.
    expect(features('荷物をお届けに上がりました')).not.toEqual(features('口座が凍結されました'));
  });

  it('keeps indices inside the dimension and refuses a bad one', () => {
    for (const i of features('Your parcel 荷物 is held 👍 <URL>', 64).keys()) {
      expect(i).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThan(64);
    }
    expect(() => extractFeatures('x', { dimension: 100 })).toThrow(RangeError);
    expect(DEFAULT_DIMENSION).toBe(262144);
  });
});

describe('extractFeatures properties', () => {
  it('never throws and is deterministic on arbitrary Unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const n = normaliseText(s).text;
        expect(extractFeatures(n, { dimension: 1024 })).toEqual(extractFeatures(n, { dimension: 1024 }));
      }),
      { numRuns: 1000 },
    );
  });

  it('extracts features of 100 KB of normalised text in under 200 ms', () => {
    const s = 'お客様のアカウントが停止されました 👍 your account is locked <URL> \u202E漢字 ';
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), (b) => {
        let t = `${s}${b}`;
        while (t.length < 100_000) t += t;
        const n = normaliseText(t.slice(0, 100_000)).text;
        extractFeatures(n);
        const t0 = performance.now();
        extractFeatures(n);
        expect(performance.now() - t0).toBeLessThan(1000);
      }),
      { numRuns: 10 },
    );
  });
});

describe('featureIndices (issue 9 item 2: the allocation-free path)', () => {
  const counts = (f: { indices: Int32Array; length: number }) => {
    const m = new Map<number, number>();
    for (let k = 0; k < f.length; k++)
      m.set(f.indices[k] as number, (m.get(f.indices[k] as number) ?? 0) + 1);
    return m;
  };

  it('gives exactly the character and placeholder features of extractFeatures(words: false)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        for (const t of [s, normaliseText(s).text]) {
          expect(counts(featureIndices(t, { dimension: 1024 }))).toEqual(
            extractFeatures(t, { dimension: 1024, words: false }),
          );
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('adds Latin words and word pairs with latinWords, and the unit hash differs from FNV-1a', () => {
    const plain = featureIndices('pay now', { dimension: 1 << 20 }).length;
    expect(featureIndices('pay now', { dimension: 1 << 20, latinWords: true }).length).toBe(plain + 3);
    const fnv = [...counts(featureIndices('あいう', { dimension: 1 << 20 })).keys()];
    const unit = [...counts(featureIndices('あいう', { dimension: 1 << 20, hash: 'unit' })).keys()];
    expect(unit).toHaveLength(fnv.length);
    expect(unit).not.toEqual(fnv);
  });

  it('labels every feature with its readable text, in the same order as the indices', () => {
    const options = { dimension: 1 << 20, latinWords: true, hash: 'unit' } as const;
    const labelled = labelledFeatures('荷物 pay now <URL> !', options);
    const plain = featureIndices('荷物 pay now <URL> !', options);
    expect(labelled.map((l) => l.index)).toEqual([...plain.indices.slice(0, plain.length)]);
    const texts = labelled.map((l) => l.text);
    expect(texts).toEqual(
      expect.arrayContaining(['荷物', '荷', 'pay', 'pay now', ' now', 'now ', '<URL>', '!']),
    );
  });
});
