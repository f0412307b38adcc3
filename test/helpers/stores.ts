import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { ChannelIntel } from '../../src/channels/channel-deps.ts';
import { channelMigrations } from '../../src/channels/registry.ts';
import { emptyDatabase } from '../../src/store/empty-db.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import type { CoreDatabase } from '../../src/store/schema.ts';

/**
 * The database backends a store-backed suite runs against, Kysely style: one
 * suite, looped over the backends the environment offers.
 *
 * - `pglite`, always: an in-memory PGlite.
 * - `postgres`, when `DATABASE_URL` is set: each `open()` creates a fresh
 *   database `mamoru_t_<random>` on that server and `close()` drops it, so
 *   test files never see each other's data.
 *
 * Every registered channel's migrations run too, so that a store-backed
 * suite can build channels on it. PGlite takes seconds to start: open one
 * store per backend per file.
 *
 * @example
 * for (const backend of storeBackends()) {
 *   describe(backend.name, () => {
 *     let store: Store;
 *     beforeAll(async () => { store = await backend.open(); });
 *     afterAll(() => store.close());
 *     it('…', async () => { … });
 *   });
 * }
 */
export interface StoreBackend {
  readonly name: 'pglite' | 'postgres';
  /** A new, empty, migrated store; `close()` it when done. */
  open(): Promise<Store>;
}

export function storeBackends(): StoreBackend[] {
  const backends: StoreBackend[] = [
    { name: 'pglite', open: () => openStore({ dataDir: 'memory://', migrations: channelMigrations() }) },
  ];
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) backends.push({ name: 'postgres', open: () => openFreshPostgres(serverUrl) });
  return backends;
}

async function openFreshPostgres(serverUrl: string): Promise<Store> {
  const fresh = await freshDatabase(serverUrl);
  let store: Store;
  try {
    store = await openStore({ databaseUrl: fresh.url, migrations: channelMigrations() });
  } catch (error) {
    await fresh.drop();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    ...store,
    close() {
      closing ??= store.close().finally(fresh.drop);
      return closing;
    },
  };
}

/**
 * A new empty database `<prefix>_<random>` on the PostgreSQL server at
 * `serverUrl`: its URL, and how to drop it (forcing out open connections).
 */
export async function freshDatabase(
  serverUrl: string,
  prefix = 'mamoru_t',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(8).toString('hex')}`;
  await runOnServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => runOnServer(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

async function runOnServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A database handle that builds queries and runs none (Kysely's dummy
 * driver: every query answers no rows), for suites that build channels
 * without opening a store.
 *
 * @example const channels = createChannels({ db: unconnectedDb(), hasher, decisions: { loggedEvent: async () => undefined }, intel: unusedIntel });
 */
export function unconnectedDb(): Kysely<CoreDatabase> {
  return emptyDatabase();
}

/** An indicator writer for suites whose channels never write indicators: any call fails the test. */
export const unusedIntel: ChannelIntel = {
  add: async () => {
    throw new Error('this suite writes no indicators');
  },
};
