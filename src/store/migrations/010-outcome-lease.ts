import { type Kysely, sql } from 'kysely';

/**
 * Several servers, one database (issue 8 item 8). A closed case's outcome is
 * delivered by the one process that holds its lease: `outcome_claimed_by`
 * names the process, `outcome_lease_until` ends its claim (a process that
 * stopped mid-delivery loses it then, and another claims the outcome again).
 * A failed delivery keeps the lease a while, as the wait before the next try.
 *
 * `cluster_leases` holds named leases for work done once per interval across
 * the cluster (the case sweep): whoever moves `until` forward runs it.
 * Outcomes closed before this migration have no lease: the first sweep claims
 * those still undelivered.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: PGlite's extended protocol takes one at a time.
  await sql`alter table cases add column outcome_claimed_by text`.execute(db);
  await sql`alter table cases add column outcome_lease_until timestamptz`.execute(db);
  await sql`create table cluster_leases (
    name text primary key,
    holder text not null,
    until timestamptz not null,
    updated_at timestamptz not null default now()
  )`.execute(db);
}
