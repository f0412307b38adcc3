import fc from 'fast-check';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends } from '../../test/helpers/stores.ts';
import type { Database } from '../store/schema.ts';
import type { Store } from '../store/store.ts';
import { textArrayLiteral } from './pg-array.ts';
import { type PreparedIndicator, upsertIndicatorRow, upsertIndicators } from './upsert-indicators.ts';

const NOW = new Date('2026-03-01T00:00:00.000Z');
const at = (day: number) => new Date(Date.UTC(2026, 0, day));

// Text the array literal must carry exactly: quotes, backslashes, commas, braces, spaces, "NULL", non-ASCII.
const AWKWARD = [
  'a"b',
  'back\\slash',
  'x,y',
  '{z}',
  ' padded ',
  'NULL',
  'null',
  '',
  '東京都',
  '\\"',
  'tab\there',
];

const item = (value: string, extra: Partial<PreparedIndicator> = {}): PreparedIndicator => ({
  type: 'domain',
  value,
  verdict: 'malicious',
  confidence: 80,
  source: 'feed',
  scope: 'org',
  tags: [],
  ...extra,
});

async function rowsOf(db: Kysely<Database>, orgId: string) {
  const rows = await db
    .selectFrom('indicators')
    .select([
      'type',
      'value',
      'verdict',
      'confidence',
      'source',
      'scope',
      'first_seen',
      'last_seen',
      'expires_at',
      'tags',
      'description',
      'created_at',
      'updated_at',
    ])
    .where('org_id', '=', orgId)
    .orderBy('type')
    .orderBy('value')
    .execute();
  return rows.map((r) => ({
    ...r,
    first_seen: new Date(r.first_seen).toISOString(),
    last_seen: new Date(r.last_seen).toISOString(),
    expires_at: r.expires_at === null ? null : new Date(r.expires_at).toISOString(),
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  }));
}

for (const backend of storeBackends()) {
  describe(`upsertIndicators (${backend.name})`, () => {
    let store: Store;
    let orgs = 0;
    const newOrg = async () => {
      const id = `org_u${++orgs}`;
      await store.db.insertInto('organisations').values({ id, name: id }).execute();
      return id;
    };
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(() => store.close());

    it('says which rows were new: all, none, or some (ids only then), repeats in order', async () => {
      const org = await newOrg();
      expect(await upsertIndicators(store.db, org, [item('a'), item('b')], NOW)).toEqual([true, true]);
      expect(await upsertIndicators(store.db, org, [item('a'), item('b')], NOW)).toEqual([false, false]);
      expect(
        await upsertIndicators(store.db, org, [item('c'), item('a'), item('c'), item('d'), item('b')], NOW),
      ).toEqual([true, false, false, true, false]);
      expect(await upsertIndicators(store.db, org, [], NOW)).toEqual([]);
      const values = (await rowsOf(store.db, org)).map((r) => r.value);
      expect(values).toEqual(['a', 'b', 'c', 'd']);
    });

    it('stores awkward text exactly as given (the array literal escapes what it must)', async () => {
      const org = await newOrg();
      const items = AWKWARD.map((v, i) =>
        item(`v${i}${v}`, { source: v || 'x', description: v, tags: v ? [v, `${v}2`] : [] }),
      );
      expect(await upsertIndicators(store.db, org, items, NOW)).toEqual(items.map(() => true));
      const rows = await rowsOf(store.db, org);
      for (const i of items) {
        const row = rows.find((r) => r.value === i.value);
        expect(row, i.value).toMatchObject({ source: i.source, description: i.description, tags: i.tags });
      }
      // And the literal alone, through the database's own array input.
      const { rows: back } = await sql<{
        a: string[];
      }>`select cast(${textArrayLiteral([...AWKWARD, null])} as text)::text[] as a`.execute(store.db);
      expect(back[0]!.a).toEqual([...AWKWARD, null]);
    });

    it('applies the same rules as the one-row upsert, whatever the sequence (property)', async () => {
      const dates = fc.option(fc.integer({ min: 1, max: 90 }).map(at), { nil: undefined });
      const arbItem = fc
        .record({
          value: fc.constantFrom('p', 'q', 'r\\"', 's,t'),
          verdict: fc.constantFrom('malicious', 'suspicious', 'benign'),
          confidence: fc.integer({ min: 0, max: 100 }),
          source: fc.constantFrom('feed', 'analyst'),
          scope: fc.constantFrom('org', 'partners'),
          firstSeen: dates,
          lastSeen: dates,
          expiresAt: fc.option(fc.integer({ min: 100, max: 200 }).map(at), { nil: undefined }),
          tags: fc.constantFrom([], ['x'], ['y', 'z"']),
          description: fc.option(fc.constantFrom('one', 'two'), { nil: undefined }),
        })
        .map((r) => item(r.value, r as Partial<PreparedIndicator>));
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(arbItem, { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
          async (batches) => {
            const bulk = await newOrg();
            const single = await newOrg();
            for (const [n, batch] of batches.entries()) {
              const now = at(100 + n);
              const created = await upsertIndicators(store.db, bulk, batch, now);
              const one: boolean[] = [];
              for (const i of batch) one.push((await upsertIndicatorRow(store.db, single, i, now)).inserted);
              expect(created).toEqual(one);
            }
            expect(await rowsOf(store.db, bulk)).toEqual(await rowsOf(store.db, single));
          },
        ),
        { numRuns: 25 },
      );
    });
  });
}
