import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { upsertRounds } from './upsert-rounds.ts';

describe('upsertRounds', () => {
  it('puts repeats of a key in later statements and the rest together', () => {
    expect(upsertRounds(['a', 'b', 'a', 'c', 'a', 'b'], (k) => k, 500)).toEqual([[0, 1, 3], [2, 5], [4]]);
    expect(upsertRounds(['a', 'b', 'c'], (k) => k, 2)).toEqual([[0, 1], [2]]);
    expect(upsertRounds([], (k: string) => k, 2)).toEqual([]);
  });

  it('property: every item once, no key twice in a statement, repeats in input order, chunks within size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        (keys, size) => {
          const chunks = upsertRounds(keys, String, size);
          expect(chunks.flat().sort((x, y) => x - y)).toEqual(keys.map((_, i) => i));
          for (const chunk of chunks) {
            expect(chunk.length).toBeLessThanOrEqual(size);
            expect(new Set(chunk.map((i) => keys[i])).size).toBe(chunk.length);
          }
          // The occurrences of one key run in input order.
          const order = chunks.flat();
          for (const key of new Set(keys)) {
            const at = order.filter((i) => keys[i] === key);
            expect(at).toEqual([...at].sort((x, y) => x - y));
          }
          // As few statements as the most repeated key needs (when one chunk holds a round).
          if (size >= keys.length) {
            const most = Math.max(0, ...[...new Set(keys)].map((k) => keys.filter((x) => x === k).length));
            expect(chunks.length).toBe(most);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
