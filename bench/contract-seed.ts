/**
 * A seeded generator of contract data for the contract bench: N existing lines
 * (and N/5 recent applications) written by a few `generate_series` statements,
 * not row by row, with the indexes built once at the end.
 *
 * Distribution, by holder h (deterministic; `(h × 7919) mod 1000` spreads the
 * residues evenly):
 * - lines per holder: 45 % one, 30 % two, 15 % three, 6 % four, 3 % five
 *   (at the industry cap of 5 voice lines), 1 % six to eight (over it);
 * - SIM types: 70 % voice, 10 % data+SMS, 20 % data-only;
 * - status: 90 % active, 3 % suspended, 7 % cancelled (within 90 days);
 * - applications over the last 60 days: 2 % at shared addresses (rings of
 *   about four holders), a third with a device fingerprint shared by about
 *   20 holders, at 3,000 outlets.
 *
 * The first `hot` holders are real people for the screenings: their holder
 * and address keys are made with the same HMAC key as Mamoru's, so screening
 * them reads their lines and applications; every other holder has a random
 * looking key (sha256) no screening will ever meet.
 */
import { type Kysely, sql } from 'kysely';
import { addressKey, identityKey } from '../src/channels/contract/contract-keys.ts';
import type { Identity } from '../src/channels/contract/contract-schema.ts';
import type { KeyedHasher } from '../src/intel/keyed-hash.ts';
import type { Database } from '../src/store/schema.ts';

export interface SeedOptions {
  readonly orgId: string;
  /** Existing lines to write (about; the last holder's lines are not cut). */
  readonly lines: number;
  /** Holders with real keys, screened by the bench. */
  readonly hot?: number;
  readonly now?: Date;
  readonly onProgress?: (message: string) => void;
}

export interface SeedResult {
  readonly holders: number;
  readonly lines: number;
  readonly applications: number;
  readonly hot: number;
  readonly seconds: number;
}

/** Holders per insert statement: bounded transactions, and progress on the way. */
const HOLDER_CHUNK = 250_000;

/** Lines of holder h; the same formula as the SQL below. */
export function linesOfHolder(h: number): number {
  const r = (h * 7919) % 1000;
  return r < 450 ? 1 : r < 750 ? 2 : r < 900 ? 3 : r < 960 ? 4 : r < 990 ? 5 : 6 + (r % 3);
}
const LINES_OF_H = sql`(case when (h * 7919) % 1000 < 450 then 1 when (h * 7919) % 1000 < 750 then 2
  when (h * 7919) % 1000 < 900 then 3 when (h * 7919) % 1000 < 960 then 4 when (h * 7919) % 1000 < 990 then 5
  else 6 + ((h * 7919) % 1000) % 3 end)`;

/** The identity of hot holder i (1-based); the first 2 % share addresses, four to an address. */
export function hotIdentity(i: number, hot: number): Identity {
  const ring = i <= Math.ceil(hot * 0.02);
  return {
    name: `ベンチ 太郎${i}`,
    birthDate: `19${String(50 + (i % 50)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    address: ring ? `東京都港区ベンチ${Math.ceil(i / 4)}-1-1` : `大阪府大阪市北区ベンチ${i}-2-3`,
    documentSerial: `BN${String(i).padStart(9, '0')}`,
  };
}

const INDEXES = [
  'contract_lines_holder',
  'contract_applications_holder',
  'contract_applications_address',
  'contract_applications_device',
  'contract_applications_decision',
];

/**
 * Write the bench's lines and applications into an empty, migrated database.
 * Secondary indexes are dropped for the load and built again after it (the
 * definitions are read from the catalogue first, so they stay the
 * migration's).
 */
export async function seedContract(
  db: Kysely<Database>,
  hasher: KeyedHasher,
  options: SeedOptions,
): Promise<SeedResult> {
  const started = performance.now();
  const say = options.onProgress ?? (() => {});
  const now = options.now ?? new Date();
  let holders = 0;
  let total = 0;
  while (total < options.lines) total += linesOfHolder(++holders);
  const hot = Math.min(options.hot ?? 20_000, holders);
  const applications = Math.max(hot, Math.round(options.lines / 5));
  const org = options.orgId;

  // One connection for the whole load: the temporary table and the session settings live on it.
  await db.connection().execute(async (c) => {
    await sql`set maintenance_work_mem = '512MB'`.execute(c).catch(() => undefined);
    const defs = await sql<{ indexdef: string }>`select indexdef from pg_indexes
      where indexname in (${sql.join(INDEXES)})`.execute(c);
    for (const name of INDEXES) await sql`drop index if exists ${sql.id(name)}`.execute(c);

    await sql`create temporary table bench_hot (i integer primary key, holder_key text, address_key text)`.execute(
      c,
    );
    for (let from = 1; from <= hot; from += 1000) {
      const rows = [];
      for (let i = from; i < Math.min(from + 1000, hot + 1); i++) {
        const identity = hotIdentity(i, hot);
        rows.push(sql`(${i}, ${identityKey(identity, hasher)}, ${addressKey(identity.address, hasher)})`);
      }
      await sql`insert into bench_hot values ${sql.join(rows)}`.execute(c);
    }
    say(`hot holders: ${hot}`);

    const syntheticKey = (seed: ReturnType<typeof sql>) =>
      sql`encode(sha256(convert_to(${seed}, 'UTF8')), 'hex')`;
    for (let from = 1; from <= holders; from += HOLDER_CHUNK) {
      const to = Math.min(from + HOLDER_CHUNK - 1, holders);
      await sql`insert into contract_holders (org_id, holder_key, holder_type, corporate_number, first_seen)
        select ${org}, coalesce(hot.holder_key, ${syntheticKey(sql`'h' || h`)}), 'person', null,
          ${now}::timestamptz - ((h * 13) % 3000) * interval '1 day'
        from generate_series(${from}::bigint, ${to}::bigint) h left join bench_hot hot on hot.i = h`.execute(
        c,
      );
      await sql`insert into contract_lines (org_id, line_id, holder_key, sim_type, status, contracted_at,
          cancelled_at, sales_channel, outlet, registered_user_key, updated_at)
        select ${org}, 'L' || h || '-' || j, coalesce(hot.holder_key, ${syntheticKey(sql`'h' || h`)}),
          case when (h + j) % 10 < 7 then 'voice' when (h + j) % 10 < 8 then 'data_sms' else 'data' end,
          case when (h * 7 + j) % 100 < 90 then 'active' when (h * 7 + j) % 100 < 93 then 'suspended' else 'cancelled' end,
          ${now}::timestamptz - (90 + (h * 13 + j) % 2000) * interval '1 day',
          case when (h * 7 + j) % 100 >= 93 then ${now}::timestamptz - ((h + j) % 90) * interval '1 day' end,
          'shop', 'S' || (h % 3000), null, ${now}::timestamptz
        from generate_series(${from}::bigint, ${to}::bigint) h
        cross join lateral generate_series(1, ${LINES_OF_H}) j
        left join bench_hot hot on hot.i = h`.execute(c);
      say(`lines: holders ${to.toLocaleString('en-US')} / ${holders.toLocaleString('en-US')}`);
    }

    // Application a is holder (a mod holders) + 1, so that every hot holder has one.
    await sql`insert into contract_applications (org_id, application_id, holder_key, holder_type, address_key,
        device_key, sales_channel, outlet, voice_lines, data_sms_lines, data_lines, submitted_at, decision_id, action)
      select ${org}, 'A' || a, coalesce(hot.holder_key, ${syntheticKey(sql`'h' || (a % ${holders} + 1)`)}), 'person',
        coalesce(hot.address_key, ${syntheticKey(sql`'addr' || (case when a % 50 = 0 then a / 200 else a end)`)}),
        case when a % 3 = 0 then ${syntheticKey(sql`'dev' || (a % ${Math.max(1, Math.round(applications / 60))})`)} end,
        'shop', 'S' || (a % 3000), 1, 0, 0,
        ${now}::timestamptz - (a % 1440) * interval '1 hour', 'dec_bench_' || a, 'allow'
      from generate_series(1, ${applications}) a left join bench_hot hot on hot.i = a % ${holders} + 1`.execute(
      c,
    );
    say(`applications: ${applications.toLocaleString('en-US')}`);

    for (const { indexdef } of defs.rows) await sql.raw(indexdef).execute(c);
    await sql`vacuum analyze contract_holders`.execute(c);
    await sql`vacuum analyze contract_lines`.execute(c);
    await sql`vacuum analyze contract_applications`.execute(c);
    await sql`drop table bench_hot`.execute(c);
    // The bulk load leaves gigabytes of dirty pages behind: write them out now, so that the timed runs measure
    // screening on a server in its steady state, not the checkpoint of the seed.
    const flushed = await sql`checkpoint`.execute(c).then(
      () => 'checkpointed',
      () => 'not checkpointed (the role may not): timings include writing out the seed',
    );
    say(`indexes built, vacuumed and analysed; ${flushed}`);
  });
  return { holders, lines: total, applications, hot, seconds: (performance.now() - started) / 1000 };
}
