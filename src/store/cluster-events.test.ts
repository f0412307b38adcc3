import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/helpers/stores.ts';
import {
  CLUSTER_CHANNEL,
  CLUSTER_PAYLOAD_LIMIT,
  CLUSTER_TOPICS,
  ClusterEvents,
  type ClusterNotice,
  decodeClusterMessage,
  encodeClusterMessage,
} from './cluster-events.ts';
import { CLUSTER_LISTENER_NAME, pgListener, pgliteListener } from './cluster-listeners.ts';
import { PGliteDialect } from './pglite/dialect.ts';
import type { Database } from './schema.ts';

/** Wait until `check` holds (polling), or fail after `ms`. */
async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function recorder(events: ClusterEvents, topic: 'intel' | 'key') {
  const seen: ClusterNotice[] = [];
  events.subscribe(topic, (n) => void seen.push(n));
  return seen;
}

describe('cluster message payloads', () => {
  const message = fc.record({
    topic: fc.constantFrom(...CLUSTER_TOPICS),
    org: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    keys: fc.option(fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { maxLength: 80 }), {
      nil: undefined,
    }),
  });

  it('fit a NOTIFY and read back as sent, or as "everything of the topic" when the keys do not fit', () => {
    fc.assert(
      fc.property(message, fc.string({ minLength: 1, maxLength: 60 }), (m, from) => {
        const payload = encodeClusterMessage(m, from);
        expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(CLUSTER_PAYLOAD_LIMIT);
        const back = decodeClusterMessage(payload);
        expect(back).toBeDefined();
        expect(back!.topic).toBe(m.topic);
        expect(back!.from).toBe(from);
        if (back!.keys !== undefined) expect(back!.keys).toEqual(m.keys);
        else if (m.keys !== undefined)
          expect(Buffer.byteLength(JSON.stringify({ ...m, from }))).toBeGreaterThan(
            CLUSTER_PAYLOAD_LIMIT - 100,
          );
      }),
    );
  });

  it('reads anything else on the channel as nothing, without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const back = decodeClusterMessage(text);
        if (back !== undefined) {
          expect(CLUSTER_TOPICS).toContain(back.topic);
          expect(typeof back.from).toBe('string');
        }
      }),
    );
    for (const stray of [
      '',
      'null',
      '[]',
      '{"topic":"intel"}',
      '{"topic":"nope","from":"x"}',
      '{"topic":"key","from":"x","keys":[1]}',
    ])
      expect(decodeClusterMessage(stray), stray).toBeUndefined();
  });
});

describe('pglite', () => {
  let lite: PGlite;
  let db: Kysely<Database>;
  let events: ClusterEvents;

  beforeAll(async () => {
    lite = new PGlite();
    db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
    events = await ClusterEvents.open(db, pgliteListener(lite, db), { instance: 'only' });
  });
  afterAll(async () => {
    await events.close();
    await db.destroy();
  });

  it('hears its own messages through NOTIFY, marked as its own, by topic', async () => {
    expect(events.listening).toBe(true);
    const keys = recorder(events, 'key');
    const intel = recorder(events, 'intel');
    await events.publish({ topic: 'key', org: 'org_a', keys: ['key_1'] });
    await until(() => keys.length === 1);
    expect(keys).toEqual([{ topic: 'key', org: 'org_a', keys: ['key_1'], self: true }]);
    expect(intel).toEqual([]);
  });

  it('delivers a message sent in a transaction at its commit, and never one rolled back', async () => {
    const intel = recorder(events, 'intel');
    await db
      .transaction()
      .execute(async (trx) => {
        await sql`select pg_notify(${CLUSTER_CHANNEL}, ${encodeClusterMessage({ topic: 'intel', keys: ['url:x'] }, 'other')})`.execute(
          trx,
        );
        throw new Error('roll back');
      })
      .catch(() => {});
    await db.transaction().execute(async (trx) => {
      await sql`select pg_notify(${CLUSTER_CHANNEL}, ${encodeClusterMessage({ topic: 'intel', keys: ['url:y'] }, 'other')})`.execute(
        trx,
      );
    });
    await until(() => intel.length === 1);
    expect(intel).toEqual([{ topic: 'intel', org: undefined, keys: ['url:y'], self: false }]);
  });

  it('ignores stray payloads and survives a throwing subscriber', async () => {
    const errors: string[] = [];
    const guarded = await ClusterEvents.open(db, pgliteListener(lite, db), {
      instance: 'guarded',
      onError: (_e, what) => errors.push(what),
    });
    const seen = recorder(guarded, 'key');
    guarded.subscribe('key', () => {
      throw new Error('subscriber bug');
    });
    await sql`select pg_notify(${CLUSTER_CHANNEL}, 'not json')`.execute(db);
    await guarded.publish({ topic: 'key', keys: ['key_2'] });
    await until(() => seen.length === 1);
    expect(seen[0]?.keys).toEqual(['key_2']);
    expect(errors).toEqual(['cluster handler key']);
    await guarded.close();
  });
});

describe.skipIf(!process.env.DATABASE_URL)('postgres', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  const dbs: Kysely<Database>[] = [];
  const open = () => {
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: fresh.url, max: 2 }) }),
    });
    dbs.push(db);
    return db;
  };

  beforeAll(async () => {
    fresh = await freshDatabase(process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.destroy()));
    await fresh.drop();
  });

  it("one process's message reaches the other within a second, its own marked as its own", async () => {
    const a = await ClusterEvents.open(open(), pgListener(fresh.url), { instance: 'a' });
    const b = await ClusterEvents.open(open(), pgListener(fresh.url), { instance: 'b' });
    const atA = recorder(a, 'intel');
    const atB = recorder(b, 'intel');
    const sent = Date.now();
    await a.publish({ topic: 'intel', org: 'org_a', keys: ['url:https://phish.example/'] });
    await until(() => atB.length === 1 && atA.length === 1, 1_000);
    expect(Date.now() - sent).toBeLessThan(1_000);
    expect(atB).toEqual([
      { topic: 'intel', org: 'org_a', keys: ['url:https://phish.example/'], self: false },
    ]);
    expect(atA[0]?.self).toBe(true);
    // A payload at the limit is one PostgreSQL takes.
    const big = 'v'.repeat(CLUSTER_PAYLOAD_LIMIT);
    await a.publish({ topic: 'intel', keys: [big] });
    await until(() => atB.length === 2);
    expect(atB[1]?.keys).toBeUndefined();
    await Promise.all([a.close(), b.close()]);
  });

  it('a dropped listener reports lost messages, reconnects, listens again and reports again', async () => {
    const errors: unknown[] = [];
    const sender = await ClusterEvents.open(open(), pgListener(fresh.url), { instance: 'sender' });
    const listener = await ClusterEvents.open(
      open(),
      pgListener(fresh.url, { minBackoffMs: 20, maxBackoffMs: 200, onError: (e) => errors.push(e) }),
      { instance: 'listener' },
    );
    const keys = recorder(listener, 'key');
    const intel = recorder(listener, 'intel');
    expect(listener.listening).toBe(true);
    const admin = open();
    // Every listening connection of this database: the sender's comes back as well.
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = ${CLUSTER_LISTENER_NAME} and datname = current_database()`.execute(admin);
    await until(() => keys.length >= 1 && intel.length >= 1);
    expect(keys[0]).toEqual({ topic: 'key', org: undefined, keys: undefined, self: false });
    expect(intel[0]).toEqual({ topic: 'intel', org: undefined, keys: undefined, self: false });
    await until(() => listener.listening && sender.listening);
    // Once listening again: a lost notice for what was missed, then messages flow.
    await until(() => keys.length >= 2);
    await sender.publish({ topic: 'key', keys: ['key_after'] });
    await until(() => keys.some((n) => n.keys?.[0] === 'key_after'));
    expect(errors.length).toBeGreaterThan(0);
    await Promise.all([sender.close(), listener.close()]);
  });

  it('keeps retrying while the database refuses it, and listens once it can', async () => {
    const name = new URL(fresh.url).pathname.slice(1);
    // From the server's own database: a database cannot refuse connections from a session in it.
    const admin = new Kysely<Database>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 }),
      }),
    });
    dbs.push(admin);
    await sql.raw(`alter database ${name} allow_connections false`).execute(admin);
    const errors: unknown[] = [];
    let events: ClusterEvents | undefined;
    try {
      events = await ClusterEvents.open(
        open(),
        pgListener(fresh.url, { minBackoffMs: 20, maxBackoffMs: 100, onError: (e) => errors.push(e) }),
        { instance: 'late' },
      );
      expect(events.listening).toBe(false);
      await until(() => errors.length >= 2);
    } finally {
      await sql.raw(`alter database ${name} allow_connections true`).execute(admin);
    }
    await until(() => events!.listening);
    await events!.close();
    expect(events!.listening).toBe(false);
  });
});
