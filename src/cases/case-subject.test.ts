import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actor, ORG_A, ORG_B, openCaseDb, T0, verdictFixture } from '../../test/cases/fixtures.ts';
import type { Action } from '../core/action.ts';
import type { Database } from '../store/schema.ts';
import { CaseService } from './case-service.ts';
import { OutcomeBus } from './outcome-bus.ts';

/**
 * One subject, one active case (rule 8 of issue 7): screening the same
 * application again while its case waits returns that case, on PGlite and
 * (with DATABASE_URL) PostgreSQL, with the rule held by the database.
 */
const NOW = new Date(T0.getTime() + 5 * 60_000);
let db: Kysely<Database>;
let close: () => Promise<void>;
let service: CaseService;
beforeAll(async () => {
  ({ db, close } = await openCaseDb());
  service = new CaseService({ db, outcomes: new OutcomeBus(), now: () => NOW });
});
afterAll(async () => {
  await close();
});

let n = 0;
/** A subject no other test uses. */
const fresh = () => `app:${++n}:holder:h${n}:shop:s1`;
const verdict = (action: Action = 'review', over: { orgId?: string; channel?: string } = {}) => ({
  ...verdictFixture({
    action,
    channel: over.channel ?? 'contract',
    ...(over.orgId ? { orgId: over.orgId } : {}),
  }),
  score: action === 'hold' ? 20 : 12.5,
});
const casesOf = (subject: string) =>
  db.selectFrom('cases').select(['id', 'status', 'decision_id']).where('subject', '=', subject).execute();
const historyOf = (caseId: string) =>
  db
    .selectFrom('case_events')
    .select(['type', 'data'])
    .where('case_id', '=', caseId)
    .orderBy('at')
    .orderBy('id')
    .execute();
const data = (d: unknown) => (typeof d === 'string' ? JSON.parse(d) : d) as Record<string, unknown>;

describe('one active case per channel and subject', () => {
  it('returns the waiting case for a re-screen, with a rescreened entry naming the new decision', async () => {
    const subject = fresh();
    const first = await service.open(verdict('review'), { subject, origin: 'shop:s1' });
    expect(first).toMatchObject({ reused: false, case: { status: 'open', subject, origin: 'shop:s1' } });
    const again = verdict('hold');
    const second = await service.open(again, { subject, origin: 'shop:s1' });
    expect(second?.reused).toBe(true);
    expect(second?.case.id).toBe(first?.case.id);
    // The case keeps the decision that opened it; the new one is in its history.
    expect(second?.case.decisionId).toBe(first?.case.decisionId);
    expect(await casesOf(subject)).toHaveLength(1);
    const history = await historyOf(first!.case.id);
    expect(history.map((h) => h.type)).toEqual(['opened', 'rescreened']);
    expect(data(history[1]?.data)).toEqual({
      decisionId: again.id,
      eventId: again.eventId,
      action: 'hold',
      score: 20,
    });
    expect((await service.get(ORG_A, first!.case.id)).history.map((h) => h.type)).toEqual([
      'opened',
      'rescreened',
    ]);
  });

  it('stays idempotent per decision: the same decision again is not a re-screen', async () => {
    const subject = fresh();
    const v = verdict();
    const first = await service.open(v, { subject });
    const again = await service.open(v, { subject });
    expect(again).toEqual({ case: first?.case, reused: false });
    expect((await historyOf(first!.case.id)).map((h) => h.type)).toEqual(['opened']);
  });

  it('opens separate cases for another subject, channel or organisation, and without a subject (near misses)', async () => {
    const subject = fresh();
    const base = await service.open(verdict(), { subject });
    const other = await service.open(verdict(), { subject: fresh() });
    const channel = await service.open(verdict('review', { channel: 'transfer' }), { subject });
    const org = await service.open(verdict('review', { orgId: ORG_B }), { subject });
    const ids = [base, other, channel, org].map((o) => o?.case.id);
    expect(new Set(ids).size).toBe(4);
    expect([other, channel, org].map((o) => o?.reused)).toEqual([false, false, false]);
    const a = await service.openFromVerdict(verdict());
    const b = await service.openFromVerdict(verdict());
    expect(a?.subject).toBeNull();
    expect(a?.id).not.toBe(b?.id);
    expect(await service.openFromVerdict(verdict('allow'), { subject })).toBeUndefined();
  });

  it('opens a new case once the subject’s case has closed', async () => {
    const subject = fresh();
    const first = await service.open(verdict(), { subject });
    await service.resolve(actor('reviewer'), first!.case.id, { resolution: 'denied', reason: 'checked' });
    const next = await service.open(verdict(), { subject });
    expect(next?.reused).toBe(false);
    expect(next?.case.id).not.toBe(first?.case.id);
    expect((await casesOf(subject)).map((c) => c.status).sort()).toEqual(['open', 'resolved']);
    expect((await historyOf(first!.case.id)).map((h) => h.type)).not.toContain('rescreened');
  });

  it('ends concurrent screenings of one subject with exactly one active case', async () => {
    const subject = fresh();
    const verdicts = Array.from({ length: 12 }, (_, i) => verdict(i % 2 === 0 ? 'review' : 'hold'));
    const results = await Promise.all(verdicts.map((v) => service.open(v, { subject })));
    const ids = new Set(results.map((r) => r?.case.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r?.reused === false)).toHaveLength(1);
    const rows = await casesOf(subject);
    expect(rows).toHaveLength(1);
    const history = await historyOf(rows[0]!.id);
    expect(history.filter((h) => h.type === 'opened')).toHaveLength(1);
    expect(history.filter((h) => h.type === 'rescreened')).toHaveLength(11);
    const named = new Set([rows[0]!.decision_id, ...history.map((h) => data(h.data).decisionId)]);
    expect(named).toEqual(new Set(verdicts.map((v) => v.id)));
  });

  it('is held by the database: a second active case of the subject cannot be inserted', async () => {
    const subject = fresh();
    const first = await service.open(verdict(), { subject });
    const row = await db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', first!.case.id)
      .executeTakeFirstOrThrow();
    const copy = {
      ...row,
      id: `${row.id}_2`,
      decision_id: `${row.decision_id}_2`,
      summary: JSON.stringify(row.summary),
    };
    await expect(db.insertInto('cases').values(copy).execute()).rejects.toThrow(/unique|duplicate/i);
    // A closed copy is allowed: only active cases are unique per subject.
    await db
      .insertInto('cases')
      .values({ ...copy, status: 'resolved' })
      .execute();
    expect(await casesOf(subject)).toHaveLength(2);
  });
});
