import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import pg from 'pg';
import { SqlApiKeyRepo } from './api-key-repo.ts';
import { ClusterEvents, type ClusterTransport } from './cluster-events.ts';
import { pgListener, pgliteListener } from './cluster-listeners.ts';
import { SqlDecisionLog } from './decision-log.ts';
import { CORE_MIGRATIONS } from './migrations/index.ts';
import { SqlOrganisationRepo } from './organisation-repo.ts';
import { lockDataDir } from './pglite/data-dir-lock.ts';
import { PGliteDialect } from './pglite/dialect.ts';
import { ownerOnly, ownerOnlyDir, ownerOnlyUmask } from './pglite/owner-only.ts';
import { SqlPolicyRepo } from './policy-repo.ts';
import type { Database } from './schema.ts';
import { SqlSettingsRepo } from './settings-repo.ts';
import type { Store, StoreMigrations, StoreOptions } from './store.ts';

// int8 (bigint) arrives as text from pg; our int8 values (sequence numbers) fit in a double. Set per pool,
// not on pg's global registry, so that importing the store changes nothing for other users of pg.
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? Number
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Open the store: PostgreSQL when `databaseUrl` is given, else PGlite in
 * `dataDir` (default `./data/pglite`; `memory://` for tests), with every
 * migration applied: the core's and those given in `migrations` (each
 * registered channel's, for its own tables). `close()` writes pending
 * decisions, then closes PGlite or ends the pool.
 *
 * @example
 * const store = await openStore({ databaseUrl: process.env.DATABASE_URL, migrations: channelMigrations() });
 * try { … } finally { await store.close(); }
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const { db, kind, release, listener } = await openDatabase(options);
  // Issue 8 item 8: what this process caches, others may change; they say so here.
  const cluster = await ClusterEvents.open(db, listener, { onError: options.onClusterError });
  const decisions = new SqlDecisionLog(db);
  let closing: Promise<void> | undefined;
  return Object.freeze({
    kind,
    db,
    cluster,
    orgs: new SqlOrganisationRepo(db),
    keys: new SqlApiKeyRepo(db, { cluster }),
    policies: new SqlPolicyRepo(db),
    decisions,
    settings: new SqlSettingsRepo(db),
    close(): Promise<void> {
      closing ??= decisions
        .settled()
        .finally(() => cluster.close())
        .finally(() => db.destroy())
        .finally(release);
      return closing;
    },
  });
}

/**
 * Open the database named by the options and bring its schema up to date. `listener` is how
 * this process would hear the others (`ClusterEvents`), not started.
 */
export async function openDatabase(options: StoreOptions): Promise<{
  db: Kysely<Database>;
  kind: 'pglite' | 'postgres';
  release: () => Promise<void>;
  listener: ClusterTransport;
}> {
  let db: Kysely<Database>;
  let kind: 'pglite' | 'postgres';
  let listener: ClusterTransport;
  let release = async () => {};
  let onDisk: string | undefined;
  if (options.databaseUrl) {
    kind = 'postgres';
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10, types: pgTypes });
    // An idle connection the server closed (restart, failover, admin command) is dropped by the pool and
    // replaced on the next query; without a listener its 'error' event would end the process.
    pool.on('error', (error) => options.onConnectionError?.(error));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    listener = pgListener(options.databaseUrl, {
      onError: (error) => options.onClusterError?.(error, 'cluster listener'),
    });
  } else {
    kind = 'pglite';
    const dataDir = options.dataDir ?? './data/pglite';
    // PGlite creates only the last folder of its path; a fresh checkout has no ./data yet. Everything it
    // writes there is the owner's only: folders 0700, files 0600, old ones brought to that on every open.
    if (dataDir !== 'memory://') {
      onDisk = dataDir;
      ownerOnlyUmask();
      await ownerOnlyDir(dataDir);
      release = await lockDataDir(dataDir);
      await ownerOnly(dataDir);
    }
    let lite: PGlite;
    try {
      lite = dataDir === 'memory://' ? new PGlite() : new PGlite(dataDir);
      await lite.waitReady;
    } catch (error) {
      await release();
      throw error;
    }
    db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
    listener = pgliteListener(lite, db);
  }
  try {
    await migrate(db, options.migrations);
    // Files the migrations made, where the umask could not be set (a worker thread).
    if (onDisk) await ownerOnly(onDisk);
  } catch (error) {
    await db.destroy();
    await release();
    throw error;
  }
  return { db, kind, release, listener };
}

/**
 * Run every pending migration, the core's and `extra` (by owner: each
 * channel's own), in one name order (issue 8, item 1). Unordered: a
 * migration not run yet runs even when its name sorts before one already
 * run (a channel added, or one that added a migration later). Returns the
 * names run; throws with the failing migration's error, or before running
 * anything when a name is used twice.
 */
export async function migrate<DB>(db: Kysely<DB>, extra: StoreMigrations = {}): Promise<string[]> {
  const all = composeMigrations(extra);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => all },
    migrationTableName: 'mamoru_migrations',
    migrationLockTableName: 'mamoru_migrations_lock',
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    const missing = /previously executed migration (\S+) is missing/.exec(message)?.[1];
    throw new Error(
      missing
        ? `migration failed: このデータベースで実行済みのマイグレーション ${missing} を持つチャネルが登録されていません / the database ran migration ${missing}, which no registered channel brings (${message})`
        : `migration failed: ${message}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * The core's migrations and every owner's in one record.
 *
 * @throws Error naming both owners when two bring the same migration name.
 */
export function composeMigrations(extra: StoreMigrations): Record<string, Migration> {
  const all: Record<string, Migration> = { ...CORE_MIGRATIONS };
  const ownerOf = new Map(Object.keys(all).map((name) => [name, 'core']));
  for (const [owner, migrations] of Object.entries(extra)) {
    for (const [name, migration] of Object.entries(migrations)) {
      const taken = ownerOf.get(name);
      if (taken !== undefined)
        throw new Error(
          `マイグレーション名 ${name} が重複しています（${taken} と ${owner}）/ migration ${name} is brought by both ${taken} and ${owner}: names must be unique`,
        );
      ownerOf.set(name, owner);
      all[name] = migration;
    }
  }
  return all;
}
