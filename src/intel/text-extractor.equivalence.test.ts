/**
 * The optimised free-text extractor gives exactly the answers of the frozen reference (issue 9,
 * performance): same URLs, e-mail addresses, phone numbers and indicator refs, in the same order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as reference from '../../test/helpers/reference/text-extractor.ts';
import { corpusTexts, lureText } from '../../test/helpers/text-corpus.ts';
import { createExtractTools } from './extract-tools.ts';
import { createKeyedHasher } from './keyed-hash.ts';
import { extractTextIndicators, findEmails, findPhones, findUrls } from './text-extractor.ts';

const tools = createExtractTools(createKeyedHasher('equivalence-test-key-0123456789abcdef'));

function same(t: string): void {
  expect(findUrls(t)).toEqual(reference.findUrls(t));
  expect(findEmails(t)).toEqual(reference.findEmails(t));
  expect(findPhones(t)).toEqual(reference.findPhones(t));
  expect(extractTextIndicators(t, tools, 'text')).toEqual(reference.extractTextIndicators(t, tools, 'text'));
}

describe('text extraction equals the reference', () => {
  it('on every corpus text (src/ml/data, and ../shared/data when present)', () => {
    const texts = corpusTexts();
    expect(texts.length).toBeGreaterThan(500);
    for (const t of texts) same(t);
  });

  it('on arbitrary lure-like Unicode', () => {
    fc.assert(
      fc.property(lureText, (t) => same(t)),
      { numRuns: 5_000 },
    );
  });
});
