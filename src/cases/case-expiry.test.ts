import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actor, clock, ORG_A, ORG_B, openCaseDb, T0, verdictFixture } from '../../test/cases/fixtures.ts';
import type { CaseAction } from '../core/action.ts';
import type { Database } from '../store/schema.ts';
import { CaseService } from './case-service.ts';
import { type CaseOutcome, OutcomeBus } from './outcome-bus.ts';

let db: Kysely<Database>;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await openCaseDb());
});
afterAll(async () => {
  await close();
});

const HOUR = 3_600_000;
const time = clock();
const bus = new OutcomeBus();
const outcomes: CaseOutcome[] = [];
bus.subscribe('*', (o) => void outcomes.push(o));
let service: CaseService;

beforeEach(async () => {
  // expireDue works across organisations: each test starts from an empty queue.
  await db.deleteFrom('case_events').execute();
  await db.deleteFrom('labels').execute();
  await db.deleteFrom('cases').execute();
  outcomes.length = 0;
  time.set(T0);
  service = new CaseService({ db, outcomes: bus, now: time.now });
});

async function open(action: CaseAction, orgId = ORG_A) {
  return (await service.openFromVerdict(verdictFixture({ action, orgId })))!;
}

describe('expireDue', () => {
  it('expires a case exactly at its due time, not a millisecond before', async () => {
    const c = await open('step_up'); // due T0+1h
    const due = new Date(T0.getTime() + HOUR);
    expect(await service.expireDue(new Date(due.getTime() - 1))).toBe(0);
    expect((await service.get(ORG_A, c.id)).status).toBe('open');
    expect(await service.expireDue(due)).toBe(1);
    expect(await service.get(ORG_A, c.id)).toMatchObject({
      status: 'expired',
      effect: 'expired',
      resolution: null,
      resolvedBy: 'system',
      resolvedAt: due.toISOString(),
    });
  });

  it('records the transition from open or in_review and publishes an expired outcome', async () => {
    const waiting = await open('hold');
    const reviewing = await open('hold', ORG_B);
    await service.assign(actor('reviewer', ORG_B), reviewing.id, 'hq-tanaka');
    const expiry = new Date(T0.getTime() + 72 * HOUR);
    expect(await service.expireDue(expiry)).toBe(2);
    const froms = [];
    for (const [org, c] of [
      [ORG_A, waiting],
      [ORG_B, reviewing],
    ] as const) {
      const { history } = await service.get(org, c.id);
      const tail = history.slice(-2);
      expect(tail.map((e) => [e.type, e.actor])).toEqual([
        ['status_changed', 'system'],
        ['expired', 'system'],
      ]);
      froms.push(tail[0]?.data.from);
    }
    expect(froms).toEqual(['open', 'in_review']);
    await bus.drain();
    expect(outcomes.map((o) => [o.caseId, o.orgId])).toEqual(
      expect.arrayContaining([
        [waiting.id, ORG_A],
        [reviewing.id, ORG_B],
      ]),
    );
    expect(outcomes[0]).toMatchObject({
      action: 'hold',
      channel: 'transfer',
      resolution: null,
      effect: 'expired',
      resolvedBy: 'system',
      at: expiry.toISOString(),
    });
    expect(outcomes[0]?.reason).toContain('not resolved by the due time');
  });

  it('leaves resolved cases alone, writes no label, and runs idempotently', async () => {
    const resolved = await open('review');
    await service.resolve(actor('reviewer'), resolved.id, {
      resolution: 'approved',
      reason: 'ok',
      label: false,
    });
    const waiting = await open('review');
    const later = new Date(T0.getTime() + 100 * HOUR);
    expect(await service.expireDue(later)).toBe(1);
    expect(await service.expireDue(later)).toBe(0);
    expect((await service.get(ORG_A, resolved.id)).status).toBe('resolved');
    expect((await service.get(ORG_A, waiting.id)).status).toBe('expired');
    expect(await db.selectFrom('labels').selectAll().execute()).toHaveLength(0);
  });

  it("uses the service's clock when no time is given", async () => {
    const c = await open('step_up');
    expect(await service.expireDue()).toBe(0);
    time.advance(HOUR);
    expect(await service.expireDue()).toBe(1);
    expect((await service.get(ORG_A, c.id)).status).toBe('expired');
  });

  it('an expired case can no longer be resolved, assigned or commented (conflict)', async () => {
    const c = await open('step_up');
    await service.expireDue(new Date(T0.getTime() + 2 * HOUR));
    const codes = [];
    for (const attempt of [
      () => service.resolve(actor('reviewer'), c.id, { resolution: 'approved', reason: 'late' }),
      () => service.assign(actor('reviewer'), c.id, 'x'),
      () => service.comment(actor('agent'), c.id, 'late'),
    ]) {
      codes.push(
        await attempt().then(
          () => 'ok',
          (e: { code?: string }) => e.code,
        ),
      );
    }
    expect(codes).toEqual(['conflict', 'conflict', 'conflict']);
  });

  it('expires a backlog larger than one batch, one transaction per batch', async () => {
    const batched = new CaseService({ db, outcomes: bus, now: time.now, expiryBatch: 2 });
    for (let i = 0; i < 5; i++) await open('step_up');
    expect(await batched.expireDue(new Date(T0.getTime() + HOUR))).toBe(5);
    await bus.drain();
    expect(outcomes).toHaveLength(5);
    const left = await service.list(ORG_A, { status: ['open', 'in_review'] });
    expect(left.items).toHaveLength(0);
  });
});
