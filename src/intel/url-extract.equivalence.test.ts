/**
 * The optimised URL extraction gives exactly the answers of the frozen reference (issue 9,
 * performance): same URLs, offsets, raw spans and flags, in the same order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as reference from '../../test/helpers/reference/url-extract.ts';
import { corpusTexts, lureText } from '../../test/helpers/text-corpus.ts';
import { extractUrls } from './url-extract.ts';

describe('extractUrls equals the reference', () => {
  it('on every corpus text (src/ml/data, and ../shared/data when present)', () => {
    const texts = corpusTexts();
    expect(texts.length).toBeGreaterThan(500);
    for (const t of texts) expect(extractUrls(t)).toEqual(reference.extractUrls(t));
  });

  it('on arbitrary lure-like Unicode', () => {
    fc.assert(
      fc.property(lureText, (t) => {
        expect(extractUrls(t)).toEqual(reference.extractUrls(t));
      }),
      { numRuns: 20_000 },
    );
  });
});
