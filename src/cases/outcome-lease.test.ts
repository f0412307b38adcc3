import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, ORG_A, T0, verdictFixture } from '../../test/cases/fixtures.ts';
import { freshDatabase } from '../../test/helpers/stores.ts';
import { openDatabase } from '../store/open-store.ts';
import type { Database } from '../store/schema.ts';
import { CaseService, OUTCOME_LEASE_MS } from './case-service.ts';
import { type CaseOutcome, OutcomeBus } from './outcome-bus.ts';

/**
 * Several processes on one database (issue 8 item 8): each closed case's outcome is delivered by
 * the one process that claims it. On PostgreSQL the two "processes" are two connection pools, as
 * two servers would have; on PGlite they share its one connection.
 */
let first: Kysely<Database>;
let second: Kysely<Database>;
let close: () => Promise<void>;

beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (url) {
    const fresh = await freshDatabase(url, 'mamoru_lease');
    first = (await openDatabase({ databaseUrl: fresh.url })).db;
    second = (await openDatabase({ databaseUrl: fresh.url })).db;
    close = async () => {
      await Promise.all([first.destroy(), second.destroy()]);
      await fresh.drop();
    };
  } else {
    first = (await openDatabase({ dataDir: 'memory://' })).db;
    second = first;
    close = () => first.destroy();
  }
  await first.insertInto('organisations').values({ id: ORG_A, name: 'Carrier A' }).execute();
});
afterAll(() => close());

const NOW = new Date(T0.getTime() + 5 * 60_000);

/** A process: its own connections, outcome queue and name; records what it delivered. */
function server(db: Kysely<Database>, instance: string, options: { batch?: number } = {}) {
  const bus = new OutcomeBus();
  const delivered: CaseOutcome[] = [];
  bus.subscribe('*', (o) => void delivered.push(o));
  const service = new CaseService({
    db,
    outcomes: bus,
    now: () => NOW,
    instance,
    expiryBatch: options.batch,
  });
  return { service, bus, delivered };
}

/** Cases closed by a process that stopped before it claimed their outcomes (or before migration 010). */
async function unclaimedClosedCases(count: number): Promise<string[]> {
  const opener = server(first, 'opener');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const opened = await opener.service.openFromVerdict(verdictFixture({ action: 'review' }));
    ids.push(opened!.id);
  }
  await first
    .updateTable('cases')
    .set({ status: 'expired', effect: 'expired', resolved_by: 'system', resolved_at: NOW, updated_at: NOW })
    .where('id', 'in', ids)
    .execute();
  return ids;
}

const claimsOf = (ids: readonly string[]) =>
  first
    .selectFrom('cases')
    .select(['id', 'outcome_claimed_by', 'outcome_delivered_at'])
    .where('id', 'in', ids)
    .execute();

describe('outcome leases', () => {
  it('two processes sweeping at once deliver every outcome exactly once between them', async () => {
    const ids = await unclaimedClosedCases(120);
    const a = server(first, 'a', { batch: 7 });
    const b = server(second, 'b', { batch: 7 });
    const sweepUntilDone = async (s: typeof a) => {
      while ((await s.service.redeliverOutcomes(NOW)) > 0) await s.bus.drain();
      await s.bus.drain();
    };
    await Promise.all([sweepUntilDone(a), sweepUntilDone(b), sweepUntilDone(a), sweepUntilDone(b)]);
    const byA = a.delivered.map((o) => o.caseId).filter((id) => ids.includes(id));
    const byB = b.delivered.map((o) => o.caseId).filter((id) => ids.includes(id));
    expect(byA.length + byB.length).toBe(ids.length);
    expect(new Set([...byA, ...byB]).size).toBe(ids.length);
    // Each case records who delivered it.
    const rows = await claimsOf(ids);
    for (const row of rows) {
      expect(row.outcome_delivered_at).not.toBeNull();
      expect(row.outcome_claimed_by).toBe(byA.includes(row.id) ? 'a' : 'b');
    }
  });

  it('the process that resolves a case delivers its outcome; a sweep elsewhere leaves it alone', async () => {
    const a = server(first, 'a');
    const b = server(second, 'b');
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    a.bus.subscribe('*', () => gate);
    const opened = await a.service.openFromVerdict(verdictFixture({ action: 'hold' }));
    await a.service.resolve(actor('reviewer'), opened!.id, { resolution: 'approved', reason: 'ok' });
    // Resolved, its delivery under way in a: b's sweep finds nothing to claim.
    expect(await b.service.redeliverOutcomes(NOW)).toBe(0);
    release();
    await a.bus.drain();
    expect(a.delivered.map((o) => o.caseId)).toEqual([opened!.id]);
    expect(b.delivered).toEqual([]);
    expect(await claimsOf([opened!.id])).toEqual([
      { id: opened!.id, outcome_claimed_by: 'a', outcome_delivered_at: NOW },
    ]);
  });

  it('a process that stalls past its lease loses the outcome to another', async () => {
    const a = server(first, 'a');
    const b = server(second, 'b');
    a.bus.subscribe('*', () => new Promise<void>(() => {})); // a hangs for good
    const opened = await a.service.openFromVerdict(verdictFixture({ action: 'hold' }));
    await a.service.resolve(actor('reviewer'), opened!.id, { resolution: 'denied', reason: 'fraud' });
    expect(await b.service.redeliverOutcomes(new Date(NOW.getTime() + OUTCOME_LEASE_MS - 1))).toBe(0);
    expect(await b.service.redeliverOutcomes(new Date(NOW.getTime() + OUTCOME_LEASE_MS))).toBe(1);
    await b.bus.drain();
    expect(b.delivered.map((o) => [o.caseId, o.effect])).toEqual([[opened!.id, 'refuse']]);
    expect(await claimsOf([opened!.id])).toEqual([
      { id: opened!.id, outcome_claimed_by: 'b', outcome_delivered_at: NOW },
    ]);
  });

  it('expiry claims what it expires: another process sweeping right after delivers none of it', async () => {
    const a = server(first, 'a');
    const b = server(second, 'b');
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    a.bus.subscribe('*', () => gate);
    const opened = await a.service.openFromVerdict(verdictFixture({ action: 'review' }));
    const later = new Date(NOW.getTime() + 400 * 3_600_000);
    const expired = await a.service.expireDue(later);
    expect(expired).toBeGreaterThanOrEqual(1);
    // a's deliveries are under way (held at the gate): b's sweep finds nothing to claim.
    expect(await b.service.redeliverOutcomes(later)).toBe(0);
    release();
    await a.bus.drain();
    expect(b.delivered).toEqual([]);
    expect(a.delivered.map((o) => o.caseId)).toContain(opened!.id);
    expect((await claimsOf([opened!.id]))[0]?.outcome_claimed_by).toBe('a');
  });
});
