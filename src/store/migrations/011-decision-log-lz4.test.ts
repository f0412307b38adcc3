import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends } from '../../../test/helpers/stores.ts';
import type { Store } from '../store.ts';

/** Migration 011: the decision log's JSON columns take LZ4 where the server has it; the log reads and verifies the same. */
for (const backend of storeBackends()) {
  describe(`011-decision-log-lz4 (${backend.name})`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(() => store?.close());

    it('compresses verdict and event with LZ4 exactly where the server offers it', async () => {
      const { rows: offered } = await sql<{
        lz4: boolean;
      }>`select coalesce(bool_or('lz4' = any(enumvals)), false) as lz4
        from pg_settings where name = 'default_toast_compression'`.execute(store.db);
      const { rows } = await sql<{
        attname: string;
        attcompression: string;
      }>`select attname, attcompression::text
        from pg_attribute where attrelid = 'decisions'::regclass and attname in ('verdict', 'event') order by attname`.execute(
        store.db,
      );
      const want = offered[0]?.lz4 ? 'l' : '';
      expect(rows).toEqual([
        { attname: 'event', attcompression: want },
        { attname: 'verdict', attcompression: want },
      ]);
      // PostgreSQL 15 as packaged (the dev and CI server) is built with LZ4.
      if (backend.name === 'postgres') expect(want).toBe('l');
    });
  });
}
