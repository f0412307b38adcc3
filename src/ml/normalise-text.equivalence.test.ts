/**
 * The optimised normaliser gives exactly the answers of the frozen reference (issue 9, performance:
 * the committed models depend on every byte of normaliseText's output).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as reference from '../../test/helpers/reference/normalise-text.ts';
import { corpusTexts, lureText } from '../../test/helpers/text-corpus.ts';
import { foldSpacing, normaliseText } from './normalise-text.ts';

describe('normaliseText equals the reference', () => {
  it('on every corpus text (src/ml/data, and ../shared/data when present)', () => {
    const texts = corpusTexts();
    expect(texts.length).toBeGreaterThan(500);
    for (const t of texts) {
      expect(foldSpacing(t)).toBe(reference.foldSpacing(t));
      expect(normaliseText(t)).toEqual(reference.normaliseText(t));
    }
  });

  it('on arbitrary lure-like Unicode', () => {
    fc.assert(
      fc.property(lureText, (t) => {
        expect(foldSpacing(t)).toBe(reference.foldSpacing(t));
        expect(normaliseText(t)).toEqual(reference.normaliseText(t));
      }),
      { numRuns: 20_000 },
    );
  });

  it('on its own output (the second pass the idempotence rests on)', () => {
    fc.assert(
      fc.property(lureText, (t) => {
        const once = reference.normaliseText(t).text;
        expect(normaliseText(once)).toEqual(reference.normaliseText(once));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('normaliseText stays linear on 100 KB of candidate-heavy text', () => {
  // Each repeats what makes the placeholder scanner stop and look: a token, a digit run, a dot or '@'
  // ahead, a currency sign. A search restarted per candidate would be quadratic here (it was once:
  // 1.4 s on '<AMOUNT>' repeated).
  const units = [
    '<AMOUNT>',
    '1,',
    'a.',
    'a@',
    '5万',
    '0',
    ' 1',
    '1.',
    '+1 ',
    '¥',
    'abc ',
    'あ ',
    '1ー',
    'x.com ',
    '<',
  ];
  it.each(units)('%j repeated', (unit) => {
    const s = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
    normaliseText(s); // warm (the per-code-point flags are computed once)
    const t0 = performance.now();
    normaliseText(s);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
