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
