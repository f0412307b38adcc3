/**
 * Cut a batch of upserts into statements. One statement cannot touch a row
 * twice, so the k-th occurrence of a key goes into round k; rounds run in
 * order, so the repeats of a key apply in input order, and rows of
 * different keys, which do not depend on each other, share statements. A
 * file with many repeats costs one statement per round, not one per repeat.
 * Each round is cut into chunks of at most `size`.
 *
 * Returns the chunks, as indices into `items`, in the order to run them.
 *
 * @example
 * upsertRounds(['a', 'b', 'a', 'c'], (k) => k, 500); // [[0, 1, 3], [2]]
 */
export function upsertRounds<T>(items: readonly T[], keyOf: (item: T) => string, size: number): number[][] {
  const seen = new Map<string, number>();
  const rounds: number[][] = [];
  items.forEach((item, i) => {
    const key = keyOf(item);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    const list = rounds[round];
    if (list) list.push(i);
    else rounds[round] = [i];
  });
  const chunks: number[][] = [];
  for (const round of rounds) {
    for (let i = 0; i < round.length; i += size) chunks.push(round.slice(i, i + size));
  }
  return chunks;
}
