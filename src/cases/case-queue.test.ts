import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, ORG_A, ORG_B, openCaseDb, T0, verdictFixture } from '../../test/cases/fixtures.ts';
import type { CaseAction } from '../core/action.ts';
import { newId } from '../core/id.ts';
import type { Database } from '../store/schema.ts';
import type { Case } from './case.ts';
import { CaseService } from './case-service.ts';
import { OutcomeBus } from './outcome-bus.ts';

let db: Kysely<Database>;
let close: () => Promise<void>;
let service: CaseService;
let now = new Date(T0.getTime() + 30 * 60_000);
beforeAll(async () => {
  ({ db, close } = await openCaseDb());
  service = new CaseService({ db, outcomes: new OutcomeBus(), now: () => now });
});
afterAll(async () => {
  await close();
});

const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR).toISOString();

/** A fresh organisation, so each listing test sees only its own cases. */
async function freshOrg(): Promise<string> {
  const id = newId('org');
  await db.insertInto('organisations').values({ id, name: id }).execute();
  return id;
}

async function open(
  orgId: string,
  action: CaseAction,
  hoursAfterT0 = 0,
  channel = 'transfer',
): Promise<Case> {
  const opened = await service.openFromVerdict(
    verdictFixture({ orgId, action, channel, createdAt: at(hoursAfterT0) }),
  );
  return opened!;
}

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string };
  }
  throw new Error('expected a rejection');
};

describe('tenant isolation', () => {
  it("another organisation's case is not_found for every operation, never forbidden", async () => {
    const mine = await open(ORG_A, 'hold');
    const other = actor('admin', ORG_B);
    expect((await rejection(service.get(ORG_B, mine.id))).code).toBe('not_found');
    expect((await rejection(service.assign(other, mine.id, 'x'))).code).toBe('not_found');
    expect((await rejection(service.comment(other, mine.id, 'x'))).code).toBe('not_found');
    expect(
      (await rejection(service.resolve(other, mine.id, { resolution: 'denied', reason: 'x' }))).code,
    ).toBe('not_found');
    expect((await service.list(ORG_B, { limit: 200 })).items.map((c) => c.id)).not.toContain(mine.id);
    const untouched = await service.get(ORG_A, mine.id);
    expect(untouched).toMatchObject({ status: 'open', assignee: null });
    expect(untouched.history).toHaveLength(1);
  });

  it('the same case is found with its own organisation', async () => {
    const mine = await open(ORG_A, 'hold');
    await expect(service.get(ORG_A, mine.id)).resolves.toMatchObject({ id: mine.id });
    expect((await rejection(service.get(ORG_A, 'case_does_not_exist'))).code).toBe('not_found');
  });
});

describe('get', () => {
  it('returns the full history in order', async () => {
    const c = await open(ORG_A, 'review');
    await service.assign(actor('reviewer'), c.id, 'hq-tanaka');
    await service.comment(actor('agent'), c.id, '来店時に在籍確認済み');
    await service.resolve(actor('reviewer'), c.id, { resolution: 'approved', reason: '在籍確認済み' });
    const detail = await service.get(ORG_A, c.id);
    expect(detail.history.map((e) => `${e.type}:${e.actor}`)).toEqual([
      'opened:system',
      'assigned:key_reviewer',
      'status_changed:key_reviewer',
      'commented:key_agent',
      'status_changed:key_reviewer',
      'resolved:key_reviewer',
    ]);
    expect(detail.history.at(-1)?.data).toMatchObject({
      resolution: 'approved',
      effect: 'allow_once',
      reason: '在籍確認済み',
      label: 'legit',
      sharedIndicators: 0,
    });
  });
});

describe('list', () => {
  it('orders oldest due first by default; newest opened first on request', async () => {
    const org = await freshOrg();
    const stepUp = await open(org, 'step_up'); // due T0+1h
    const hold = await open(org, 'hold'); // due T0+72h
    const review = await open(org, 'review'); // due T0+24h
    expect((await service.list(org)).items.map((c) => c.id)).toEqual([stepUp.id, review.id, hold.id]);
    const newest = await service.list(org, { order: 'newest' });
    expect(newest.items.map((c) => c.id)).toEqual([review.id, hold.id, stepUp.id]);
  });

  it('filters by status, channel, action and assignee', async () => {
    const org = await freshOrg();
    const a = await open(org, 'hold', 0, 'transfer');
    const b = await open(org, 'review', 0, 'contract');
    const c = await open(org, 'review', 0, 'contract');
    await service.assign(actor('reviewer', org), b.id, 'hq-sato');
    await service.resolve(actor('reviewer', org), c.id, { resolution: 'denied', reason: 'x' });
    const ids = async (q: Parameters<CaseService['list']>[1]) =>
      (await service.list(org, q)).items.map((x) => x.id);
    expect(await ids({ status: 'open' })).toEqual([a.id]);
    expect(await ids({ status: ['open', 'in_review'] })).toEqual([b.id, a.id]);
    expect(await ids({ channel: 'contract' })).toEqual([b.id, c.id]);
    expect(await ids({ channel: 'mail' })).toEqual([]);
    expect(await ids({ action: 'hold' })).toEqual([a.id]);
    expect(await ids({ assignee: 'hq-sato' })).toEqual([b.id]);
    expect(await ids({ assignee: 'hq-tanaka' })).toEqual([]);
  });

  it('overdue: waiting cases whose due time has been reached, the boundary included', async () => {
    const org = await freshOrg();
    const due = await open(org, 'step_up', -1); // due exactly at T0
    const late = await open(org, 'step_up', -2); // due T0-1h
    const notYet = await open(org, 'step_up', -0.5); // due T0+30min
    const closed = await open(org, 'step_up', -3);
    await service.resolve(actor('reviewer', org), closed.id, { resolution: 'approved', reason: 'ok' });
    const saved = now;
    try {
      now = new Date(T0);
      expect((await service.list(org, { overdue: true })).items.map((c) => c.id)).toEqual([late.id, due.id]);
      expect((await service.list(org, { overdue: 'false' })).items.map((c) => c.id)).toEqual([
        closed.id,
        notYet.id,
      ]);
      now = new Date(T0.getTime() - 1);
      expect((await service.list(org, { overdue: true })).items.map((c) => c.id)).toEqual([late.id]);
    } finally {
      now = saved;
    }
  });

  it('pages with a cursor through every case exactly once', async () => {
    const org = await freshOrg();
    const opened: Case[] = [];
    // Several cases share a due time, so the id breaks ties.
    for (let i = 0; i < 7; i++) opened.push(await open(org, 'review', Math.floor(i / 3)));
    for (const order of ['due', 'newest'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await service.list(org, { order, limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(7);
      expect(seen.sort()).toEqual(opened.map((c) => c.id).sort());
    }
    const exact = await service.list(org, { limit: 7 });
    expect(exact.nextCursor).toBeNull();
  });

  it('a malformed cursor or one from another order is a validation error', async () => {
    const org = await freshOrg();
    await open(org, 'review');
    await open(org, 'review');
    const { nextCursor } = await service.list(org, { limit: 1 });
    expect(nextCursor).toBeTypeOf('string');
    expect((await rejection(service.list(org, { cursor: 'garbage' }))).code).toBe('validation_failed');
    expect((await rejection(service.list(org, { order: 'newest', cursor: nextCursor! }))).code).toBe(
      'validation_failed',
    );
  });
});
