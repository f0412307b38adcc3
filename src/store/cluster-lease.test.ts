import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBackends } from '../../test/helpers/stores.ts';
import { ClusterLease } from './cluster-lease.ts';
import type { Store } from './store.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of storeBackends()) {
  describe(`ClusterLease on ${backend.name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await backend.open();
    });
    afterAll(() => store.close());

    it('gives one interval to one process: the others skip it, and take over once it ends', async () => {
      const a = new ClusterLease(store.db, 'a');
      const b = new ClusterLease(store.db, 'b');
      expect(await a.acquire('sweep-1', 400)).toBe(true);
      expect(await b.acquire('sweep-1', 400)).toBe(false);
      expect(await a.acquire('sweep-1', 400)).toBe(false);
      // Another name is another lease.
      expect(await b.acquire('other-1', 400)).toBe(true);
      await sleep(400);
      expect(await b.acquire('sweep-1', 400)).toBe(true);
      expect(await a.acquire('sweep-1', 400)).toBe(false);
    });

    it('ten processes asking at once: exactly one runs', async () => {
      const leases = Array.from({ length: 10 }, (_, i) => new ClusterLease(store.db, `p${i}`));
      const won = await Promise.all(leases.map((l) => l.acquire('sweep-2', 60_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
    });

    it('a released lease is free at once, but only its holder releases it', async () => {
      const a = new ClusterLease(store.db, 'a');
      const b = new ClusterLease(store.db, 'b');
      expect(await a.acquire('sweep-3', 60_000)).toBe(true);
      await b.release('sweep-3');
      expect(await b.acquire('sweep-3', 60_000)).toBe(false);
      await a.release('sweep-3');
      expect(await b.acquire('sweep-3', 60_000)).toBe(true);
    });
  });
}
