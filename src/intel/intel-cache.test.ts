import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndicatorMatch, IndicatorRef } from '../core/index.ts';
import type { ClusterEvents, ClusterHandler, ClusterMessage } from '../store/cluster-events.ts';
import { openDatabase } from '../store/open-store.ts';
import type { Database } from '../store/schema.ts';
import { importIndicators } from './import-indicators.ts';
import { IndicatorService } from './indicator-service.ts';
import { IntelCache, type LoadedMatch } from './intel-cache.ts';
import { createKeyedHasher } from './keyed-hash.ts';

const A = 'org_a';
const B = 'org_b';
const url = (value: string): IndicatorRef => ({ type: 'url', value });

function match(orgId: string, value: string, confidence = 80): IndicatorMatch {
  return {
    id: `ind_${orgId}_${value}`,
    type: 'url',
    value,
    verdict: 'malicious',
    confidence,
    source: 'test',
    scope: 'public',
    orgId,
  };
}

/** A fake database: answers from `rows`, counts the refs it was asked for. */
function fakeLoad(rows: LoadedMatch[]) {
  const asked: string[][] = [];
  const load = async (missing: readonly IndicatorRef[]) => {
    asked.push(missing.map((r) => r.value));
    return rows.filter((r) => missing.some((m) => m.type === r.match.type && m.value === r.match.value));
  };
  return { load, asked };
}

describe('IntelCache', () => {
  it('answers a repeated lookup from the cache, negative answers included', async () => {
    const cache = new IntelCache({ ttlMs: 1000 });
    const { load, asked } = fakeLoad([{ match: match(A, 'https://bad.test/'), expiresAt: null }]);
    const refs = [url('https://bad.test/'), url('https://fine.test/')];
    expect(await cache.lookup(A, refs, 0, load)).toEqual([match(A, 'https://bad.test/')]);
    expect(await cache.lookup(A, refs, 999, load)).toEqual([match(A, 'https://bad.test/')]);
    expect(asked).toEqual([['https://bad.test/', 'https://fine.test/']]);
    expect(cache.size).toBe(2);
  });

  it('asks again once the TTL has passed, and for a ref not seen before only that one', async () => {
    const cache = new IntelCache({ ttlMs: 1000 });
    const { load, asked } = fakeLoad([]);
    await cache.lookup(A, [url('https://a.test/')], 0, load);
    await cache.lookup(A, [url('https://a.test/')], 1000, load);
    await cache.lookup(A, [url('https://a.test/'), url('https://b.test/')], 1500, load);
    expect(asked).toEqual([['https://a.test/'], ['https://a.test/'], ['https://b.test/']]);
  });

  it('never serves a match past its indicator’s expiry', async () => {
    const cache = new IntelCache({ ttlMs: 60_000 });
    const { load, asked } = fakeLoad([{ match: match(A, 'https://soon.test/'), expiresAt: 500 }]);
    await cache.lookup(A, [url('https://soon.test/')], 0, load);
    await cache.lookup(A, [url('https://soon.test/')], 499, load);
    expect(asked).toHaveLength(1);
    await cache.lookup(A, [url('https://soon.test/')], 500, load);
    expect(asked).toHaveLength(2);
  });

  it('keeps each organisation’s answer to itself', async () => {
    const cache = new IntelCache();
    const own = fakeLoad([{ match: match(A, 'https://x.test/'), expiresAt: null }]);
    await cache.lookup(A, [url('https://x.test/')], 0, own.load);
    const other = fakeLoad([]);
    expect(await cache.lookup(B, [url('https://x.test/')], 1, other.load)).toEqual([]);
    expect(other.asked).toEqual([['https://x.test/']]);
    expect(await cache.lookup(A, [url('https://x.test/')], 2, own.load)).toHaveLength(1);
    expect(own.asked).toHaveLength(1);
  });

  it('forgets a written value for every organisation, and only that value', async () => {
    const cache = new IntelCache();
    const { load, asked } = fakeLoad([]);
    const refs = [url('https://w.test/'), url('https://k.test/')];
    await cache.lookup(A, refs, 0, load);
    await cache.lookup(B, refs, 0, load);
    cache.invalidate([{ type: 'url', value: 'https://w.test/' }]);
    expect(cache.size).toBe(2);
    await cache.lookup(A, refs, 1, load);
    await cache.lookup(B, refs, 1, load);
    expect(asked.slice(2)).toEqual([['https://w.test/'], ['https://w.test/']]);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('shares one query between concurrent lookups of the same ref', async () => {
    const cache = new IntelCache();
    const { load, asked } = fakeLoad([{ match: match(A, 'https://hot.test/'), expiresAt: null }]);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => cache.lookup(A, [url('https://hot.test/')], 0, load)),
    );
    expect(asked).toHaveLength(1);
    for (const a of answers) expect(a).toEqual([match(A, 'https://hot.test/')]);
  });

  it('does not store an answer whose query was running when the value was written', async () => {
    const cache = new IntelCache();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The first query read the row before it was deleted; the second after.
    const answers: LoadedMatch[][] = [[{ match: match(A, 'https://race.test/'), expiresAt: null }], []];
    let calls = 0;
    const slow = async () => {
      const answer = answers[calls++]!;
      await gate;
      return answer;
    };
    const before = cache.lookup(A, [url('https://race.test/')], 0, slow);
    cache.invalidate([{ type: 'url', value: 'https://race.test/' }]);
    // A lookup after the write does not join the query that started before it.
    const after = cache.lookup(A, [url('https://race.test/')], 0, slow);
    release();
    expect(await before).toHaveLength(1);
    expect(await after).toEqual([]);
    expect(calls).toBe(2);
    expect(await cache.lookup(A, [url('https://race.test/')], 1, slow)).toEqual([]);
    expect(calls).toBe(2);
  });

  it('stays within maxEntries, dropping the least recently used first', async () => {
    const cache = new IntelCache({ maxEntries: 2 });
    const { load, asked } = fakeLoad([]);
    await cache.lookup(A, [url('https://1.test/')], 0, load);
    await cache.lookup(A, [url('https://2.test/')], 0, load);
    await cache.lookup(A, [url('https://1.test/')], 0, load); // 1 is now the most recent
    await cache.lookup(A, [url('https://3.test/')], 0, load); // evicts 2
    expect(cache.size).toBe(2);
    await cache.lookup(A, [url('https://1.test/'), url('https://2.test/')], 0, load);
    expect(asked.at(-1)).toEqual(['https://2.test/']);
  });

  it('caches nothing with a TTL of 0, and passes a failed query on without caching it', async () => {
    const off = new IntelCache({ ttlMs: 0 });
    const { load, asked } = fakeLoad([]);
    await off.lookup(A, [url('https://o.test/')], 0, load);
    await off.lookup(A, [url('https://o.test/')], 0, load);
    expect(asked).toHaveLength(2);
    expect(off.size).toBe(0);

    const cache = new IntelCache();
    const failing = async () => {
      throw new Error('database down');
    };
    await expect(cache.lookup(A, [url('https://f.test/')], 0, failing)).rejects.toThrow('database down');
    expect(await cache.lookup(A, [url('https://f.test/')], 0, load)).toEqual([]);
  });

  it('hands out frozen matches, so one caller cannot change another’s answer', async () => {
    const cache = new IntelCache();
    const { load } = fakeLoad([{ match: match(A, 'https://z.test/'), expiresAt: null }]);
    const [m] = await cache.lookup(A, [url('https://z.test/')], 0, load);
    expect(Object.isFrozen(m)).toBe(true);
  });
});

/** The part of `ClusterEvents` the cache uses: what it announces, and a way to deliver notices to it. */
function fakeCluster() {
  const announced: ClusterMessage[] = [];
  const handlers: ClusterHandler[] = [];
  const cluster = {
    subscribe: (_topic: string, handler: ClusterHandler) => {
      handlers.push(handler);
      return () => {};
    },
    announce: async (message: ClusterMessage) => {
      announced.push(message);
    },
  } as unknown as ClusterEvents;
  const hear = (keys: string[] | undefined, self = false) => {
    for (const h of handlers) h({ topic: 'intel', org: undefined, keys, self });
  };
  return { cluster, announced, hear };
}

describe('IntelCache in a cluster (issue 8 item 8)', () => {
  it('tells the other processes what it forgets: the values, or everything when they do not fit one message', () => {
    const { cluster, announced } = fakeCluster();
    const cache = new IntelCache({ cluster });
    cache.invalidate([url('https://a.test/'), { type: 'domain', value: 'a.test' }]);
    cache.invalidate([]);
    cache.clear();
    const many = Array.from({ length: 2_000 }, (_, i) => url(`https://many.test/${i}`));
    cache.invalidate(many);
    expect(announced).toEqual([
      { topic: 'intel', keys: ['url:https://a.test/', 'domain:a.test'] },
      { topic: 'intel' },
      { topic: 'intel', keys: undefined },
    ]);
  });

  it('forgets what another process wrote, for every organisation; its own writes it forgot already', async () => {
    const { cluster, hear } = fakeCluster();
    const cache = new IntelCache({ ttlMs: 60_000, cluster });
    const { load, asked } = fakeLoad([]);
    const refs = [url('https://x.test/a:b'), url('https://y.test/')];
    await cache.lookup(A, refs, 0, load);
    await cache.lookup(B, refs, 0, load);
    hear(['url:https://x.test/a:b'], true);
    await cache.lookup(A, refs, 1, load);
    expect(asked).toHaveLength(2);
    hear(['url:https://x.test/a:b']);
    await cache.lookup(A, refs, 2, load);
    await cache.lookup(B, refs, 2, load);
    expect(asked.slice(2)).toEqual([['https://x.test/a:b'], ['https://x.test/a:b']]);
    // Everything: a batch too large to name, or messages that may have been lost.
    hear(undefined);
    expect(cache.size).toBe(0);
  });

  it('does not store an answer whose query was running when another process wrote the value', async () => {
    const { cluster, hear } = fakeCluster();
    const cache = new IntelCache({ ttlMs: 60_000, cluster });
    let finish: (rows: LoadedMatch[]) => void = () => {};
    const slow = () => new Promise<LoadedMatch[]>((r) => (finish = r));
    const pending = cache.lookup(A, [url('https://race.test/')], 0, slow);
    hear(['url:https://race.test/']);
    finish([]);
    expect(await pending).toEqual([]);
    expect(cache.size).toBe(0);
  });
});

describe('IndicatorService lookup cache', () => {
  let db: Kysely<Database>;
  let intel: IndicatorService;
  const P = 'org_p';
  const phone = { type: 'phone' as const, value: '+819055556666' };

  beforeAll(async () => {
    ({ db } = await openDatabase({ dataDir: 'memory://' }));
    await db
      .insertInto('organisations')
      .values([A, B, P].map((id) => ({ id, name: id })))
      .execute();
    await db.insertInto('partnerships').values({ org_id: A, partner_org_id: P }).execute();
    // A long TTL: every change seen below is seen because the write forgot the cached answer.
    intel = new IndicatorService({
      db,
      hasher: createKeyedHasher('cache-test-key-0123456789'),
      cache: { ttlMs: 3_600_000 },
    });
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it('serves a cached answer: a row changed behind the service’s back is not seen until the TTL', async () => {
    await intel.upsert(A, { type: 'domain', value: 'cached.example', verdict: 'suspicious', confidence: 40 });
    expect((await intel.lookupRaw(A, 'domain', 'cached.example'))[0]?.confidence).toBe(40);
    await db
      .updateTable('indicators')
      .set({ confidence: 41 })
      .where('value', '=', 'cached.example')
      .execute();
    expect((await intel.lookupRaw(A, 'domain', 'cached.example'))[0]?.confidence).toBe(40);
  });

  it('sees its own upsert, update and delete at once, for every organisation that can see them', async () => {
    expect(await intel.lookup(A, [phone])).toEqual([]);
    expect(await intel.lookup(B, [phone])).toEqual([]);
    const { indicator } = await intel.upsert(B, { ...phone, verdict: 'malicious', scope: 'public' });
    expect((await intel.lookup(A, [phone])).map((m) => m.orgId)).toEqual([B]);
    expect((await intel.lookup(B, [phone])).map((m) => m.confidence)).toEqual([50]);
    await intel.update(B, indicator.id, { confidence: 77 });
    expect((await intel.lookup(A, [phone])).map((m) => m.confidence)).toEqual([77]);
    await intel.update(B, indicator.id, { scope: 'org' });
    expect(await intel.lookup(A, [phone])).toEqual([]);
    await intel.delete(B, indicator.id);
    expect(await intel.lookup(B, [phone])).toEqual([]);
  });

  it('sees bulk imports and indicators shared by a resolved case', async () => {
    const refs = [
      { type: 'domain' as const, value: 'imported.example' },
      { type: 'url' as const, value: 'https://case.example/' },
    ];
    expect(await intel.lookup(A, refs)).toEqual([]);
    await importIndicators(intel, A, 'type,value\ndomain,imported.example\n', { format: 'csv' });
    expect((await intel.lookup(A, refs)).map((m) => m.value)).toEqual(['imported.example']);
    const options = { verdict: 'malicious', source: 'case:case_1', scope: 'partners', db } as const;
    await intel.add(A, [refs[1]!], options);
    intel.committed(A, [refs[1]!], options);
    expect((await intel.lookup(P, refs)).map((m) => m.value)).toEqual(['https://case.example/']);
  });

  it('keeps tenants apart: one organisation’s own indicator never answers another', async () => {
    await intel.upsert(A, { type: 'email', value: 'own@tenant.example', scope: 'org' });
    expect(await intel.lookupRaw(A, 'email', 'own@tenant.example')).toHaveLength(1);
    expect(await intel.lookupRaw(B, 'email', 'own@tenant.example')).toEqual([]);
    expect(await intel.lookupRaw(P, 'email', 'own@tenant.example')).toEqual([]);
  });

  it('sees a new partnership after clearLookupCache', async () => {
    await intel.upsert(A, { type: 'ip', value: '198.51.100.9', scope: 'partners' });
    expect(await intel.lookupRaw(B, 'ip', '198.51.100.9')).toEqual([]);
    await db.insertInto('partnerships').values({ org_id: A, partner_org_id: B }).execute();
    intel.clearLookupCache();
    expect((await intel.lookupRaw(B, 'ip', '198.51.100.9')).map((m) => m.orgId)).toEqual([A]);
  });
});
