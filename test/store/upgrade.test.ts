import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelMigrations } from '../../src/channels/registry.ts';
import { loadConfig } from '../../src/config.ts';
import type { Verdict } from '../../src/core/index.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { composeMigrations, openStore } from '../../src/store/index.ts';
import type { CoreDatabase } from '../../src/store/schema.ts';
import { freshDatabase } from '../helpers/stores.ts';

/**
 * Issue 8, item 1: a database made by the code of commit c1d8537 — when the
 * store still held the contract channel's tables and migrations itself —
 * opens with today's code, which migrates it forward without loss. The
 * fixture (`test/fixtures/upgrade-c1d8537.sql`, made by
 * `make-upgrade-fixture.mjs` with that commit's code on PostgreSQL) is loaded
 * into a fresh PGlite and, when DATABASE_URL is set, a fresh PostgreSQL
 * database; Mamoru then opens it and must find every row, a decision log
 * that verifies, the schema a fresh database gets, and screenings that see
 * the carrier's imported lines, the holder's history and HQ's approved
 * exception.
 */

const FIXTURE = new URL('../fixtures/upgrade-c1d8537.sql', import.meta.url);
/** The HMAC key the fixture's keyed hashes were made with (`FIXTURE_HMAC_KEY` in make-upgrade-fixture.mjs). */
const FIXTURE_HMAC_KEY = 'f1x7u4e0'.repeat(8);
/** Migrations the fixture's database had run (c1d8537 knew these nine). */
const RAN_BEFORE = [
  '001-initial',
  '002-contract',
  '003-contract-exceptions',
  '004-case-outcome-delivery',
  '005-outlet-scope',
  '006-import-reports',
  '007-decision-log-id',
  '008-case-subject',
  '009-contract-rings',
];

interface Loaded {
  readonly mamoru: Mamoru;
  close(): Promise<void>;
}

interface Backend {
  readonly name: 'pglite' | 'postgres';
  /** A fresh database with the fixture loaded, opened by today's Mamoru. */
  loadAndOpen(dump: string): Promise<Loaded>;
  /** A fresh, empty database opened by today's store: the schema the upgrade must reach. */
  fresh(): Promise<{ db: Kysely<CoreDatabase>; close(): Promise<void> }>;
}

function backends(): Backend[] {
  const list: Backend[] = [
    {
      name: 'pglite',
      async loadAndOpen(dump) {
        const dir = await mkdtemp(join(tmpdir(), 'mamoru-upgrade-'));
        const lite = new PGlite(join(dir, 'pglite'));
        await lite.exec(dump);
        await lite.close();
        const mamoru = await Mamoru.open(
          loadConfig({ dataDir: dir, hmacKey: FIXTURE_HMAC_KEY, demo: 'false' }, {}),
        );
        return {
          mamoru,
          close: async () => {
            await mamoru.close();
            await rm(dir, { recursive: true, force: true });
          },
        };
      },
      async fresh() {
        const store = await openStore({ dataDir: 'memory://', migrations: channelMigrations() });
        return { db: store.db, close: () => store.close() };
      },
    },
  ];
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl)
    list.push({
      name: 'postgres',
      async loadAndOpen(dump) {
        const target = await freshDatabase(serverUrl, 'mamoru_upgrade');
        try {
          const client = new pg.Client({ connectionString: target.url });
          await client.connect();
          try {
            await client.query(dump);
          } finally {
            await client.end();
          }
          const mamoru = await Mamoru.open(
            loadConfig(
              { dataDir: 'memory://', databaseUrl: target.url, hmacKey: FIXTURE_HMAC_KEY, demo: 'false' },
              {},
            ),
          );
          return {
            mamoru,
            close: async () => {
              await mamoru.close();
              await target.drop();
            },
          };
        } catch (error) {
          await target.drop();
          throw error;
        }
      },
      async fresh() {
        const target = await freshDatabase(serverUrl, 'mamoru_upgrade');
        const store = await openStore({ databaseUrl: target.url, migrations: channelMigrations() });
        return {
          db: store.db,
          close: async () => {
            await store.close();
            await target.drop();
          },
        };
      },
    });
  return list;
}

/** Rows the dump inserts, by table. */
function insertedRows(dump: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of dump.matchAll(/^INSERT INTO public\.(\w+) /gm))
    counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  return counts;
}

/** Columns (type, nullability, default) and indexes of the public schema, as text to compare. */
async function schemaOf<DB>(db: Kysely<DB>) {
  const columns = await sql<{ c: string }>`
    select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' ||
      coalesce(column_default, '-') as c
    from information_schema.columns where table_schema = 'public' order by 1`.execute(db);
  const indexes = await sql<{ i: string }>`
    select indexdef as i from pg_indexes where schemaname = 'public' order by 1`.execute(db);
  return { columns: columns.rows.map((r) => r.c), indexes: indexes.rows.map((r) => r.i) };
}

const HOUR = 3_600_000;
const tanaka = {
  name: '田中 太郎',
  birthDate: '1980-01-01',
  address: '東京都新宿区西新宿2-8-1',
  documentSerial: 'TNK0001',
};
const sato = {
  name: '佐藤 次郎',
  birthDate: '1985-02-02',
  address: '神奈川県横浜市中区1-1',
  documentSerial: 'STO0001',
};

for (const backend of backends()) {
  describe(`a database made by c1d8537, opened by today's code (${backend.name})`, () => {
    let dump: string;
    let loaded: Loaded;
    let mamoru: Mamoru;
    let orgId: string;
    /** When the fixture was made: its last decision. Screenings run just after it (fake clock). */
    let madeAt: Date;
    const iso = (hoursBefore: number) => new Date(madeAt.getTime() - hoursBefore * HOUR).toISOString();
    const icChipFace = () => ({
      method: 'ic_chip_face',
      assuranceLevel: 3,
      performedAt: iso(0.2),
      documentExpiry: '2034-01-01',
    });
    const screen = (payload: unknown) =>
      mamoru.screen({ id: 'key_upgrade', role: 'agent', orgId }, 'contract', payload);
    const signals = (v: Verdict) => v.hits.map((h) => h.signal).sort();

    beforeAll(async () => {
      dump = await readFile(FIXTURE, 'utf8');
      loaded = await backend.loadAndOpen(dump);
      mamoru = loaded.mamoru;
      const db = mamoru.store.db;
      const org = await db
        .selectFrom('api_keys')
        .select('org_id')
        .where('role', '=', 'reviewer')
        .executeTakeFirstOrThrow();
      orgId = org.org_id;
      const last = await db
        .selectFrom('decisions')
        .select('created_at')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      madeAt = new Date(last.created_at);
    }, 60_000);
    afterAll(() => loaded?.close());
    afterEach(() => {
      vi.useRealTimers();
    });

    it('runs only the migrations it had not run (the channel parts split from 004 and 005, and newer ones)', async () => {
      const known = Object.keys(composeMigrations(channelMigrations())).sort();
      expect(known).toEqual(expect.arrayContaining(RAN_BEFORE));
      const ran = await sql<{ name: string; timestamp: string }>`
        select name, timestamp from mamoru_migrations order by name`.execute(mamoru.store.db);
      expect(ran.rows.map((r) => r.name)).toEqual(known);
      // Those the old code ran are not run again: their rows are the dump's, timestamps and all.
      const before = new Map(
        [...dump.matchAll(/^INSERT INTO public\.mamoru_migrations VALUES \('([^']+)', '([^']+)'\);$/gm)].map(
          (m) => [m[1]!, m[2]!],
        ),
      );
      expect([...before.keys()].sort()).toEqual(RAN_BEFORE);
      for (const row of ran.rows)
        if (before.has(row.name)) expect(row.timestamp, row.name).toBe(before.get(row.name));
    });

    it('loses no row', async () => {
      const expected = insertedRows(dump);
      const newMigrations = Object.keys(composeMigrations(channelMigrations())).length - RAN_BEFORE.length;
      expect(newMigrations).toBeGreaterThanOrEqual(2);
      expect(expected.get('decisions')).toBe(5);
      expect(expected.get('contract_lines')).toBe(5);
      expect(expected.get('contract_exceptions')).toBe(1);
      for (const [table, rows] of expected) {
        const { rows: counted } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(
          table,
        )}`.execute(mamoru.store.db);
        // The migrations table has a row for each migration run since.
        const added = table === 'mamoru_migrations' ? newMigrations : 0;
        expect(counted[0]!.n, table).toBe(rows + added);
      }
    });

    it('keeps a decision log that verifies, and cases delivered as they were', async () => {
      const report = await mamoru.store.decisions.verify();
      expect(report.findings).toEqual([]);
      expect(report).toMatchObject({ ok: true, checked: 5 });
      const cases = await mamoru.store.db
        .selectFrom('cases')
        .select(['resolution', 'origin', 'outcome_delivered_at'])
        .orderBy('created_at')
        .execute();
      expect(cases.map((c) => c.resolution)).toEqual(['approved', 'denied']);
      expect(cases.map((c) => c.origin)).toEqual(['shop:shop-shinjuku', 'online']);
      expect(cases.every((c) => c.outcome_delivered_at !== null)).toBe(true);
    });

    it('ends with the schema a fresh database gets', async () => {
      const fresh = await backend.fresh();
      try {
        const want = await schemaOf(fresh.db);
        const got = await schemaOf(mamoru.store.db);
        expect(got.columns).toEqual(want.columns);
        expect(got.indexes).toEqual(want.indexes);
      } finally {
        await fresh.close();
      }
    }, 60_000);

    it('screens with what the old code stored: HQ’s approved exception, the imported lines, the holder’s history', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(new Date(madeAt.getTime() + 60_000));
      const approvedCase = await mamoru.store.db
        .selectFrom('cases')
        .select('id')
        .where('resolution', '=', 'approved')
        .executeTakeFirstOrThrow();

      // The application HQ approved passes on its exception (3 lines held, imported, plus the 3 approved).
      const again = await screen({
        applicationId: 'UPG-TANAKA-1',
        salesChannel: { type: 'shop', shopId: 'shop-shinjuku' },
        holder: { type: 'person', identity: tanaka },
        identityVerification: icChipFace(),
        lines: [{ simType: 'voice', count: 3, purpose: '家族利用' }],
        pledgeSigned: true,
        submittedAt: iso(0),
      });
      expect(again.action).toBe('allow');
      // One waiver hit for each rule the exception covers (the cap; the lines without a registered user).
      expect(new Set(signals(again))).toEqual(new Set(['CONTRACT_EXCEPTION_APPROVED']));
      for (const h of again.hits) expect(h.evidence).toContain(`exception_case=${approvedCase.id}`);

      // Another application of the same holder: the imported lines count (2 active, 1 suspended).
      const more = await screen({
        applicationId: 'UPG-TANAKA-2',
        salesChannel: { type: 'shop', shopId: 'shop-shinjuku' },
        holder: { type: 'person', identity: tanaka },
        identityVerification: icChipFace(),
        lines: [{ simType: 'voice', count: 3 }],
        submittedAt: iso(0),
      });
      expect(more.action).toBe('review');
      expect(more.hits.find((h) => h.signal === 'CONTRACT_LINE_CAP_EXCEEDED')?.params).toMatchObject({
        existing: 3,
        requested: 3,
      });

      // 佐藤's two applications of the fixture are history: two more within the window make too many.
      const verdicts: Verdict[] = [];
      for (const [i, shopId] of [
        [3, 'shop-kannai'],
        [4, 'shop-sakuragicho'],
      ] as const)
        verdicts.push(
          await screen({
            applicationId: `UPG-SATO-${i}`,
            salesChannel: { type: 'shop', shopId },
            holder: { type: 'person', identity: sato },
            identityVerification: icChipFace(),
            lines: [{ simType: 'voice', count: 1 }],
            submittedAt: iso(0),
          }),
        );
      expect(signals(verdicts[1]!)).toContain('CONTRACT_VELOCITY');
      const velocity = verdicts[1]!.hits.find((h) => h.signal === 'CONTRACT_VELOCITY')!;
      expect(velocity.evidence.join(' ')).toContain('UPG-SATO-1');
    });
  });
}
