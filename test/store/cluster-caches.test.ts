import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndicatorService } from '../../src/intel/indicator-service.ts';
import { createKeyedHasher } from '../../src/intel/keyed-hash.ts';
import { CLUSTER_LISTENER_NAME } from '../../src/store/cluster-listeners.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { freshDatabase } from '../helpers/stores.ts';

/**
 * Two stores on one PostgreSQL database, as two servers hold them (issue 8 item 8): what one
 * caches, the other changes, and the first hears of it at once — or, when its listener dropped
 * and messages may have been lost, forgets everything once it listens again.
 */
async function until(check: () => Promise<boolean>, ms = 2_000): Promise<number> {
  const from = performance.now();
  while (!(await check())) {
    if (performance.now() - from > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - from;
}

describe.skipIf(!process.env.DATABASE_URL)('caches across two stores on one PostgreSQL', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let one: Store;
  let two: Store;
  let orgId: string;

  beforeAll(async () => {
    fresh = await freshDatabase(process.env.DATABASE_URL!, 'mamoru_caches');
    one = await openStore({ databaseUrl: fresh.url });
    two = await openStore({ databaseUrl: fresh.url });
    orgId = (await one.orgs.create({ name: 'Carrier A' })).id;
  });
  afterAll(async () => {
    await Promise.all([one?.close(), two?.close()]);
    await fresh?.drop();
  });

  it('a key revoked through one store is refused by the other within a second', async () => {
    const { key, token } = await one.keys.create({ orgId, name: 'k1', role: 'analyst', createdBy: 'test' });
    expect(await two.keys.verify(token)).toMatchObject({ id: key.id });
    expect(await one.keys.revoke(orgId, key.id)).toBe(true);
    expect(await until(async () => (await two.keys.verify(token)) === undefined, 1_000)).toBeLessThan(1_000);
  });

  it('an indicator written through one is found through the other within a second', async () => {
    const hasher = createKeyedHasher('k'.repeat(64));
    const writer = new IndicatorService({ db: one.db, hasher, cache: { cluster: one.cluster } });
    const reader = new IndicatorService({ db: two.db, hasher, cache: { cluster: two.cluster } });
    const ref = { type: 'url' as const, value: 'https://cluster-cache.example/login' };
    expect(await reader.lookup(orgId, [ref])).toEqual([]);
    await writer.upsert(orgId, { ...ref, verdict: 'malicious', confidence: 90 });
    const took = await until(async () => (await reader.lookup(orgId, [ref])).length === 1, 1_000);
    expect(took).toBeLessThan(1_000);
  });

  it('a store whose listener drops forgets every cached key: what was sent meanwhile is lost', async () => {
    const { key, token } = await one.keys.create({ orgId, name: 'k2', role: 'analyst', createdBy: 'test' });
    expect(await two.keys.verify(token)).toMatchObject({ id: key.id });
    // A revocation nobody is told of (as if its message were lost)…
    await two.db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', key.id).execute();
    expect(await two.keys.verify(token)).toMatchObject({ id: key.id });
    // …bites once the other store's listener has dropped and come back.
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = ${CLUSTER_LISTENER_NAME} and datname = current_database()`.execute(one.db);
    await until(async () => (await two.keys.verify(token)) === undefined, 15_000);
    await until(async () => two.cluster.listening && one.cluster.listening, 15_000);
  });
});
