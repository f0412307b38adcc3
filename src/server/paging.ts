import { z } from 'zod';
import { invalidField } from '../core/index.ts';

/**
 * One shape for every collection of the API: `{ items, nextCursor }`, paged
 * with `?limit=` and `?cursor=` (the `nextCursor` of the previous page; null
 * on the last page). Cases, indicators, decisions, policy versions, API keys
 * and organisations all answer it.
 */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item).readonly(),
    nextCursor: z
      .string()
      .nullable()
      .describe(
        '次のページの cursor。最後のページでは null / the cursor of the next page; null on the last one',
      ),
  });
}

/** `?limit=` (1–max, default `fallback`) and `?cursor=`. */
export function pageQuery(options: { max: number; fallback: number }) {
  return z.object({
    limit: z.coerce.number().int().min(1).max(options.max).default(options.fallback),
    cursor: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('前のページの nextCursor / the nextCursor of the previous page'),
  });
}

/**
 * One page of a collection read whole (a short one: an organisation's keys,
 * a channel's policy versions, the organisations): the items after the one
 * the cursor names, in the collection's order. The cursor is the last item's
 * key, base64url-encoded; one that names no item is a 400 on `query.cursor`.
 */
export function pageFrom<T>(
  all: readonly T[],
  keyOf: (item: T) => string,
  query: { limit: number; cursor?: string | undefined },
): { items: T[]; nextCursor: string | null } {
  let start = 0;
  if (query.cursor !== undefined) {
    const key = Buffer.from(query.cursor, 'base64url').toString('utf8');
    const at = all.findIndex((item) => keyOf(item) === key);
    if (at === -1) throw invalidField('query.cursor', 'not a cursor of this list (use nextCursor as given)');
    start = at + 1;
  }
  const items = all.slice(start, start + query.limit);
  const last = items.at(-1);
  const more = start + query.limit < all.length;
  return {
    items,
    nextCursor: more && last !== undefined ? Buffer.from(keyOf(last), 'utf8').toString('base64url') : null,
  };
}
