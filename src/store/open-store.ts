import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { migrations } from './migrations/index.ts';
import { PGliteDialect } from './pglite/dialect.ts';
import type { Database } from './schema.ts';
import type { StoreOptions } from './store.ts';

// int8 (bigint) and numeric arrive as strings from pg; our int8 values (sequence numbers) fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Open the database named by the options and bring its schema up to date. */
export async function openDatabase(
  options: StoreOptions,
): Promise<{ db: Kysely<Database>; kind: 'pglite' | 'postgres' }> {
  let db: Kysely<Database>;
  let kind: 'pglite' | 'postgres';
  if (options.databaseUrl) {
    kind = 'postgres';
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 10 }) }),
    });
  } else {
    kind = 'pglite';
    const dataDir = options.dataDir ?? './data/pglite';
    const lite = dataDir === 'memory://' ? new PGlite() : new PGlite(dataDir);
    await lite.waitReady;
    db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
  }
  await migrate(db);
  return { db, kind };
}

/** Run every pending migration; throws with the failing migration's error. */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: migrations,
    migrationTableName: 'mamoru_migrations',
    migrationLockTableName: 'mamoru_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error)
    throw new Error(`migration failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
