import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Work done once per interval across every process on one database (issue 8
 * item 8), such as the case sweep: each process asks at every tick, and only
 * the one that moves the named lease forward runs the work this time.
 *
 * One statement decides: the lease row is taken when it is missing or its
 * `until` has passed (by the database's clock, so the servers' clocks do not
 * matter), and set to end a little before the next tick, so that the process
 * that ran keeps running each interval while it lives; when it stops, another
 * takes over at its next tick after the lease ends. Uses the `cluster_leases`
 * table (migration 010).
 *
 * @example
 * const lease = new ClusterLease(db, instance);
 * setInterval(async () => { if (await lease.acquire('case-sweep', 60_000)) await sweep(); }, 60_000);
 */
export class ClusterLease {
  readonly #db: Kysely<Database>;
  readonly #holder: string;

  constructor(db: Kysely<Database>, holder: string) {
    this.#db = db;
    this.#holder = holder;
  }

  /** This process's name as the lease rows record it. */
  get holder(): string {
    return this.#holder;
  }

  /**
   * Take the lease `name` for one interval of `intervalMs` when nobody holds it; true when this
   * process holds it now and should run the work. The lease ends at nine tenths of the interval,
   * so the holder's next tick (timers run a little late, never early) finds it ended.
   */
  async acquire(name: string, intervalMs: number): Promise<boolean> {
    const ms = Math.max(1, Math.floor(intervalMs * 0.9));
    const { rows } = await sql<{ holder: string }>`
      insert into cluster_leases (name, holder, until, updated_at)
      values (${name}, ${this.#holder}, now() + make_interval(secs => ${ms / 1000}), now())
      on conflict (name) do update
        set holder = excluded.holder, until = excluded.until, updated_at = excluded.updated_at
        where cluster_leases.until <= now()
      returning holder`.execute(this.#db);
    return rows.length === 1;
  }

  /** Give the lease up (at shutdown), so another process takes it at its next tick. */
  async release(name: string): Promise<void> {
    await sql`update cluster_leases set until = now() where name = ${name} and holder = ${this.#holder}`.execute(
      this.#db,
    );
  }
}
