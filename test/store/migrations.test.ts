import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT_MIGRATIONS } from '../../src/channels/contract/migrations/index.ts';
import { CHANNEL_PLUGINS, channelMigrations, createChannels } from '../../src/channels/registry.ts';
import { composeMigrations, migrate } from '../../src/store/index.ts';
import { CORE_MIGRATIONS } from '../../src/store/migrations/index.ts';
import { PGliteDialect } from '../../src/store/pglite/dialect.ts';
import { runCli } from '../cli/run-cli.ts';
import { freshDatabase, unconnectedDb, unusedIntel } from '../helpers/stores.ts';

/**
 * Issue 8, item 1: the store runs the core's migrations and every registered
 * channel's, in one name order, on both backends; a name used twice stops it
 * before anything runs; a migration a channel adds later runs even when its
 * name sorts before ones already run; a database that ran a migration no
 * registered channel brings does not open, and says which.
 */

const table = (name: string): Migration => ({
  up: async (db) => {
    await sql`create table ${sql.table(name)} (id text primary key)`.execute(db);
  },
});

describe('composing migrations', () => {
  it('puts the core and every owner in one record', () => {
    const all = composeMigrations({ a: { '002-a': table('a') }, b: {} });
    expect(Object.keys(all).sort()).toEqual([...Object.keys(CORE_MIGRATIONS), '002-a'].sort());
  });

  it('refuses a name two owners bring, or an owner and the core, naming both', () => {
    expect(() => composeMigrations({ a: { '050-x': table('x') }, b: { '050-x': table('y') } })).toThrow(
      /050-x.*a.*b/,
    );
    expect(() => composeMigrations({ a: { '001-initial': table('x') } })).toThrow(/001-initial.*core.*a/);
  });

  it('refuses a channel registered twice', () => {
    const [first] = CHANNEL_PLUGINS;
    expect(() => channelMigrations([first!, first!])).toThrow(/registered twice/);
  });

  it('refuses a plug-in that builds a channel of another name', () => {
    const [first] = CHANNEL_PLUGINS;
    const impostor = { ...first!, name: 'other' };
    const deps = {
      db: unconnectedDb(),
      hasher: {} as never,
      decisions: { loggedEvent: async () => undefined },
      intel: unusedIntel,
    };
    expect(() => createChannels(deps, [impostor])).toThrow(/other/);
  });

  it('keeps the store free of any channel: the contract migrations are the channel’s', () => {
    const registered = channelMigrations();
    expect(Object.keys(registered.contract ?? {})).toEqual(Object.keys(CONTRACT_MIGRATIONS));
    for (const name of Object.keys(CONTRACT_MIGRATIONS)) expect(CORE_MIGRATIONS).not.toHaveProperty(name);
  });
});

interface RawBackend {
  readonly name: string;
  open(): Promise<{ db: Kysely<unknown>; close(): Promise<void> }>;
}

/** A fresh, empty database with nothing run on it: in-memory PGlite, and PostgreSQL when DATABASE_URL is set. */
function rawBackends(): RawBackend[] {
  const list: RawBackend[] = [
    {
      name: 'pglite',
      async open() {
        const db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) });
        return { db, close: () => db.destroy() };
      },
    },
  ];
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl)
    list.push({
      name: 'postgres',
      async open() {
        const fresh = await freshDatabase(serverUrl, 'mamoru_migr');
        const pool = new pg.Pool({ connectionString: fresh.url, max: 2 });
        // A connection still closing when the database is dropped reports it; nothing is lost.
        pool.on('error', () => {});
        const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
        return {
          db,
          close: async () => {
            await db.destroy();
            await fresh.drop();
          },
        };
      },
    });
  return list;
}

/** Run exactly these migrations, as an older Mamoru would have (same tables for the record). */
async function runOnly(db: Kysely<unknown>, migrations: Record<string, Migration>): Promise<void> {
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'mamoru_migrations',
    migrationLockTableName: 'mamoru_migrations_lock',
  }).migrateToLatest();
  if (error) throw error;
}

const ranNames = async (db: Kysely<unknown>) =>
  (await sql<{ name: string }>`select name from mamoru_migrations order by name`.execute(db)).rows.map(
    (r) => r.name,
  );

for (const backend of rawBackends()) {
  describe(`running migrations on ${backend.name}`, () => {
    let opened: Awaited<ReturnType<RawBackend['open']>>;
    beforeAll(async () => {
      opened = await backend.open();
    });
    afterAll(() => opened?.close());

    it('runs the core and the channels in one name order, then one a channel adds later, whatever its name', async () => {
      const { db } = opened;
      const first = await migrate(db, channelMigrations());
      expect(first).toEqual(Object.keys(composeMigrations(channelMigrations())).sort());
      // Nothing left to run.
      expect(await migrate(db, channelMigrations())).toEqual([]);
      // A channel's migration added later, named to sort among those already run: it runs.
      const later = { ...channelMigrations(), late: { '003-late-table': table('late_table') } };
      expect(await migrate(db, later)).toEqual(['003-late-table']);
      await sql`select count(*) from late_table`.execute(db);
      // Its channel unregistered, the database does not open, and says which migration no one brings.
      await expect(migrate(db, channelMigrations())).rejects.toThrow(/003-late-table/);
    });
  });

  describe(`the channel parts of 004 and 005 on a database from before them (${backend.name})`, () => {
    let opened: Awaited<ReturnType<RawBackend['open']>>;
    beforeAll(async () => {
      opened = await backend.open();
    });
    afterAll(() => opened?.close());

    it('leaves an approval without its exception to be delivered, and gives old cases their outlet', async () => {
      const { db } = opened;
      // The schema as it stood after 003: the core's first migration and the contract's first two.
      await runOnly(db, {
        '001-initial': CORE_MIGRATIONS['001-initial']!,
        '002-contract': CONTRACT_MIGRATIONS['002-contract']!,
        '003-contract-exceptions': CONTRACT_MIGRATIONS['003-contract-exceptions']!,
      });
      await sql`insert into organisations (id, name) values ('org_a', 'A')`.execute(db);
      const event = (salesChannel: unknown) => JSON.stringify({ applicationId: 'x', salesChannel });
      await sql`insert into decisions (seq, id, org_id, channel, event_id, action, score, verdict, event, created_at, prev_hash, hash)
        values
          (1, 'dec_1', 'org_a', 'contract', 'e1', 'review', 1, '{}', ${event({ type: 'shop', shopId: 's1' })}, now(), 'p', 'h1'),
          (2, 'dec_2', 'org_a', 'contract', 'e2', 'review', 1, '{}', ${event({ type: 'online' })}, now(), 'h1', 'h2'),
          (3, 'dec_3', 'org_a', 'message', 'e3', 'review', 1, '{}', '{}', now(), 'h2', 'h3')`.execute(db);
      const closed = (id: string, decision: string, channel: string, resolution: string) =>
        sql`insert into cases (id, org_id, decision_id, channel, action, status, due_at, summary, created_at, updated_at,
            resolution, resolved_by, resolved_at)
          values (${id}, 'org_a', ${decision}, ${channel}, 'review', 'resolved', now(), '{}', now(), now(),
            ${resolution}, 'hq', now())`.execute(db);
      await closed('case_lost', 'dec_1', 'contract', 'approved');
      await closed('case_written', 'dec_2', 'contract', 'approved');
      await closed('case_message', 'dec_3', 'message', 'approved');
      await sql`insert into contract_exceptions (org_id, case_id, application_id, holder_key, lines, approved_by, approved_at, reason)
        values ('org_a', 'case_written', 'x', 'k', '{}', 'hq', now(), 'ok')`.execute(db);

      const ran = await migrate(db, channelMigrations());
      expect(ran).toEqual(
        expect.arrayContaining(['004-case-outcome-delivery', '004-case-outcome-delivery-contract']),
      );
      // In name order: the channel's part right after the core's.
      expect(ran.indexOf('004-case-outcome-delivery-contract')).toBe(
        ran.indexOf('004-case-outcome-delivery') + 1,
      );
      expect(ran.indexOf('005-outlet-scope-contract')).toBe(ran.indexOf('005-outlet-scope') + 1);
      // The outlet filled in by 005's channel part is the case's origin since 012 renamed the column.
      const cases = await sql<{ id: string; delivered: boolean; origin: string | null }>`
        select id, outcome_delivered_at is not null as delivered, origin from cases order by id`.execute(db);
      expect(cases.rows).toEqual([
        // The approval whose exception was lost waits for the sweep; the others count as delivered.
        { id: 'case_lost', delivered: false, origin: 'shop:s1' },
        { id: 'case_message', delivered: true, origin: null },
        { id: 'case_written', delivered: true, origin: 'online' },
      ]);
      expect(await ranNames(db)).toEqual(Object.keys(composeMigrations(channelMigrations())).sort());
    });
  });
}

describe('mamoru db migrate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamoru-migrate-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("migrates everything, the channels' tables included", async () => {
    const run = await runCli(['db', 'migrate', '--data-dir', dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('migrated (pglite)');
    const db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite(join(dir, 'pglite'))) });
    try {
      expect(await ranNames(db)).toEqual(Object.keys(composeMigrations(channelMigrations())).sort());
      await sql`select count(*) from contract_applications`.execute(db);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
