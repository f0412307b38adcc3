import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actor,
  INDICATORS,
  ORG_A,
  ORG_B,
  openCaseDb,
  recordingSink,
  T0,
  verdictFixture,
} from '../../test/cases/fixtures.ts';
import type { CaseAction } from '../core/action.ts';
import { ACTIONS, type Action } from '../core/action.ts';
import type { IndicatorRef } from '../core/indicator.ts';
import type { Verdict } from '../core/verdict.ts';
import type { Database } from '../store/schema.ts';
import type { CaseEffect, Resolution } from './case-effect.ts';
import { CaseService, MAX_OUTCOME_ATTEMPTS } from './case-service.ts';
import type { IndicatorSink } from './indicator-sink.ts';
import { type CaseOutcome, OutcomeBus } from './outcome-bus.ts';
import { ROLES } from './roles.ts';

let db: Kysely<Database>;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await openCaseDb());
});
afterAll(async () => {
  await close();
});

const HOUR = 3_600_000;
const NOW = new Date(T0.getTime() + 5 * 60_000);

function setup(options: { sink?: IndicatorSink | null } = {}) {
  const outcomes: CaseOutcome[] = [];
  const errors: unknown[] = [];
  const bus = new OutcomeBus({ onError: (error) => errors.push(error) });
  bus.subscribe('*', (o) => void outcomes.push(o));
  const recorded = recordingSink();
  const sink = options.sink === null ? undefined : (options.sink ?? recorded.sink);
  const service = new CaseService({ db, outcomes: bus, indicatorSink: sink, now: () => NOW });
  return { service, bus, outcomes, errors, sinkCalls: recorded.calls };
}

async function openCase(service: CaseService, action: CaseAction = 'hold', orgId = ORG_A) {
  const opened = await service.openFromVerdict(verdictFixture({ action, orgId }));
  if (!opened) throw new Error('no case opened');
  return opened;
}

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string };
  }
  throw new Error('expected a rejection');
};

describe('openFromVerdict', () => {
  it.each(ACTIONS)('%s', async (action: Action) => {
    const { service } = setup();
    const verdict = verdictFixture({ action });
    const opened = await service.openFromVerdict(verdict);
    const rows = await db.selectFrom('cases').select('id').where('decision_id', '=', verdict.id).execute();
    if (action === 'step_up' || action === 'review' || action === 'hold') {
      expect(opened?.status).toBe('open');
      expect(rows).toHaveLength(1);
    } else {
      expect(opened).toBeUndefined();
      expect(rows).toHaveLength(0);
    }
  });

  it('copies every hit with its evidence, and the channel’s details, onto the case', async () => {
    const { service } = setup();
    const verdict: Verdict = {
      ...verdictFixture({ action: 'review', channel: 'contract' }),
      hits: [
        {
          signal: 'CONTRACT_LINE_CAP_EXCEEDED',
          group: 'line_cap',
          detector: 'contract.line_cap',
          factor: 1,
          weight: 6,
          score: 6,
          evidence: ['cap=5 existing=4 requested=2 total=6'],
          params: { cap: 5 },
        },
      ],
    };
    const details = { linesHeld: { voice: 4, data_sms: 0, data: 0 }, purposes: ['家族利用'] };
    const opened = (await service.openFromVerdict(verdict, { details }))!;
    const expected = {
      hits: [
        {
          signal: 'CONTRACT_LINE_CAP_EXCEEDED',
          detector: 'contract.line_cap',
          score: 6,
          evidence: ['cap=5 existing=4 requested=2 total=6'],
          params: { cap: 5 },
        },
      ],
      details,
    };
    expect(opened.summary).toMatchObject(expected);
    expect((await service.get(ORG_A, opened.id)).summary).toMatchObject(expected);
  });

  it('stores the summary and an opened history entry by the system', async () => {
    const { service } = setup();
    const verdict = verdictFixture({ action: 'review', channel: 'contract' });
    const opened = (await service.openFromVerdict(verdict))!;
    expect(opened).toMatchObject({
      orgId: ORG_A,
      decisionId: verdict.id,
      channel: 'contract',
      action: 'review',
      status: 'open',
      assignee: null,
      createdAt: NOW.toISOString(),
      resolution: null,
      effect: null,
    });
    expect(opened.summary).toMatchObject({
      action: 'review',
      score: 12.5,
      channel: 'contract',
      eventId: 'evt_fixture',
      summary: { ja: '判定: 保留', en: 'Verdict: hold' },
      indicators: INDICATORS,
      policy: { id: 'transfer-default', version: 3 },
    });
    expect(opened.summary.reasons.map((r) => r.signal)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `TRANSFER_RULE_${i}`),
    );
    expect(opened.summary.reasons[0]).toEqual({ signal: 'TRANSFER_RULE_0', ja: '理由 0', en: 'reason 0' });
    const detail = await service.get(ORG_A, opened.id);
    expect(detail.history.map((e) => [e.type, e.actor])).toEqual([['opened', 'system']]);
  });

  it.each([
    ['step_up', 1],
    ['review', 24],
    ['hold', 72],
  ] as const)('%s is due %i h after the verdict by default', async (action, hours) => {
    // The SLA runs from the verdict (T0), not from when the case row was written (NOW).
    const opened = await openCase(setup().service, action);
    expect(opened.dueAt).toBe(new Date(T0.getTime() + hours * HOUR).toISOString());
  });

  it("takes the policy's caseSlaHours for the action, and the default for the others", async () => {
    const { service } = setup();
    const sla = { slaHours: { review: 4 } };
    const review = await service.openFromVerdict(verdictFixture({ action: 'review' }), sla);
    const hold = await service.openFromVerdict(verdictFixture({ action: 'hold' }), sla);
    expect(review?.dueAt).toBe(new Date(T0.getTime() + 4 * HOUR).toISOString());
    expect(hold?.dueAt).toBe(new Date(T0.getTime() + 72 * HOUR).toISOString());
  });

  it('is idempotent per decision, also when two opens race', async () => {
    const { service } = setup();
    const verdict = verdictFixture({ action: 'hold' });
    const [a, b] = await Promise.all([service.openFromVerdict(verdict), service.openFromVerdict(verdict)]);
    const again = await service.openFromVerdict(verdict, { slaHours: { hold: 1 } });
    expect(b?.id).toBe(a?.id);
    expect(again?.id).toBe(a?.id);
    expect(again?.dueAt).toBe(a?.dueAt);
    const rows = await db.selectFrom('cases').select('id').where('decision_id', '=', verdict.id).execute();
    expect(rows).toHaveLength(1);
    expect((await service.get(ORG_A, a!.id)).history).toHaveLength(1);
  });
});

describe('assign and comment', () => {
  it('assigning an open case moves it to in_review; reassigning keeps it there', async () => {
    const { service } = setup();
    const opened = await openCase(service);
    const assigned = await service.assign(actor('reviewer'), opened.id, 'hq-tanaka');
    expect(assigned).toMatchObject({ status: 'in_review', assignee: 'hq-tanaka' });
    const reassigned = await service.assign(actor('analyst'), opened.id, 'hq-sato');
    expect(reassigned).toMatchObject({ status: 'in_review', assignee: 'hq-sato' });
    await service.assign(actor('analyst'), opened.id, 'hq-sato');
    const { history } = await service.get(ORG_A, opened.id);
    expect(history.map((e) => [e.type, e.data])).toEqual([
      ['opened', expect.anything()],
      ['assigned', { assignee: 'hq-tanaka', previous: null, role: 'reviewer' }],
      ['status_changed', { from: 'open', to: 'in_review' }],
      ['assigned', { assignee: 'hq-sato', previous: 'hq-tanaka', role: 'analyst' }],
    ]);
  });

  it('agents may not assign; the system role may', async () => {
    const { service } = setup();
    const opened = await openCase(service);
    expect((await rejection(service.assign(actor('agent'), opened.id, 'me'))).code).toBe('forbidden');
    await expect(service.assign(actor('system'), opened.id, 'hq-queue')).resolves.toMatchObject({
      status: 'in_review',
    });
  });

  it('agents may comment on a waiting case (they submit context)', async () => {
    const { service } = setup();
    const opened = await openCase(service, 'review');
    const event = await service.comment(actor('agent'), opened.id, '  本人確認書類を再提出済み  ');
    expect(event).toMatchObject({
      type: 'commented',
      actor: 'key_agent',
      data: { text: '本人確認書類を再提出済み' },
    });
    expect((await service.get(ORG_A, opened.id)).history.at(-1)?.id).toBe(event.id);
  });

  it('a blank comment is a validation error', async () => {
    const { service } = setup();
    const opened = await openCase(service);
    expect((await rejection(service.comment(actor('agent'), opened.id, '   '))).code).toBe(
      'validation_failed',
    );
  });

  it('a closed case takes no comment and no assignment (conflict)', async () => {
    const { service } = setup();
    const opened = await openCase(service);
    await service.resolve(actor('reviewer'), opened.id, { resolution: 'approved', reason: 'ok' });
    expect((await rejection(service.comment(actor('reviewer'), opened.id, 'late'))).code).toBe('conflict');
    expect((await rejection(service.assign(actor('reviewer'), opened.id, 'x'))).code).toBe('conflict');
  });
});

describe('resolve', () => {
  it.each(ROLES)('as %s', async (role) => {
    const { service, outcomes, bus } = setup();
    const opened = await openCase(service);
    const allowed = role === 'admin' || role === 'analyst' || role === 'reviewer';
    const attempt = service.resolve(actor(role), opened.id, { resolution: 'approved', reason: 'checked' });
    if (allowed) {
      await expect(attempt).resolves.toMatchObject({ status: 'resolved', resolvedBy: `key_${role}` });
    } else {
      expect((await rejection(attempt)).code).toBe('forbidden');
      expect((await service.get(ORG_A, opened.id)).status).toBe('open');
    }
    await bus.drain();
    expect(outcomes).toHaveLength(allowed ? 1 : 0);
  });

  it('resolves an open case directly, or one in review', async () => {
    const { service } = setup();
    const direct = await openCase(service);
    const reviewed = await openCase(service);
    await service.assign(actor('reviewer'), reviewed.id, 'hq-tanaka');
    for (const c of [direct, reviewed]) {
      await expect(
        service.resolve(actor('reviewer'), c.id, { resolution: 'denied', reason: 'mule' }),
      ).resolves.toMatchObject({ status: 'resolved' });
    }
    const { history } = await service.get(ORG_A, reviewed.id);
    expect(history.filter((e) => e.type === 'status_changed').map((e) => e.data)).toEqual([
      { from: 'open', to: 'in_review' },
      { from: 'in_review', to: 'resolved' },
    ]);
  });

  it('resolving a resolved case is a conflict and changes nothing', async () => {
    const { service, outcomes, bus } = setup();
    const opened = await openCase(service);
    const first = await service.resolve(actor('reviewer'), opened.id, {
      resolution: 'approved',
      reason: 'ok',
    });
    const error = await rejection(
      service.resolve(actor('admin'), opened.id, { resolution: 'denied', reason: 'no' }),
    );
    expect(error.code).toBe('conflict');
    const after = await service.get(ORG_A, opened.id);
    expect(after).toMatchObject({
      resolution: 'approved',
      resolvedBy: 'key_reviewer',
      updatedAt: first.updatedAt,
    });
    await bus.drain();
    expect(outcomes).toHaveLength(1);
  });

  it('of two resolves racing on one case, exactly one wins and the other is a conflict', async () => {
    const { service, outcomes, bus } = setup();
    const opened = await openCase(service);
    const results = await Promise.allSettled([
      service.resolve(actor('reviewer', ORG_A, 'user_1'), opened.id, { resolution: 'approved', reason: 'a' }),
      service.resolve(actor('analyst', ORG_A, 'user_2'), opened.id, { resolution: 'denied', reason: 'b' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: 'conflict' });
    const labels = await db.selectFrom('labels').selectAll().where('case_id', '=', opened.id).execute();
    expect(labels).toHaveLength(1);
    await bus.drain();
    expect(outcomes).toHaveLength(1);
  });

  it('needs a reason (1..2000 characters)', async () => {
    const { service } = setup();
    const opened = await openCase(service);
    const missing = await rejection(
      service.resolve(actor('reviewer'), opened.id, { resolution: 'approved' } as never),
    );
    expect(missing.code).toBe('validation_failed');
    const long = await rejection(
      service.resolve(actor('reviewer'), opened.id, { resolution: 'approved', reason: 'x'.repeat(2001) }),
    );
    expect(long.code).toBe('validation_failed');
    expect((await service.get(ORG_A, opened.id)).status).toBe('open');
  });

  const EFFECTS: [CaseAction, Resolution, CaseEffect, string][] = [
    ['hold', 'approved', 'release', 'legit'],
    ['hold', 'denied', 'refuse', 'fraud'],
    ['review', 'approved', 'allow_once', 'legit'],
    ['review', 'denied', 'refuse', 'fraud'],
    ['step_up', 'approved', 'allow_once', 'legit'],
    ['step_up', 'denied', 'refuse', 'fraud'],
  ];
  it.each(EFFECTS)(
    '%s + %s → effect %s, label %s, outcome published',
    async (action, resolution, effect, label) => {
      const { service, outcomes, bus } = setup();
      const opened = await openCase(service, action);
      const resolved = await service.resolve(actor('reviewer', ORG_A, 'user_hq_1'), opened.id, {
        resolution,
        reason: '本人確認済み',
      });
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolution,
        effect,
        resolutionReason: '本人確認済み',
        resolvedBy: 'user_hq_1',
        resolvedAt: NOW.toISOString(),
      });
      const labels = await db.selectFrom('labels').selectAll().where('case_id', '=', opened.id).execute();
      expect(labels).toHaveLength(1);
      expect(labels[0]).toMatchObject({
        org_id: ORG_A,
        decision_id: opened.decisionId,
        channel: 'transfer',
        label,
        source: 'case',
        created_by: 'user_hq_1',
      });
      await bus.drain();
      expect(outcomes).toEqual([
        {
          caseId: opened.id,
          orgId: ORG_A,
          decisionId: opened.decisionId,
          channel: 'transfer',
          action,
          resolution,
          effect,
          reason: '本人確認済み',
          resolvedBy: 'user_hq_1',
          at: NOW.toISOString(),
        },
      ]);
    },
  );

  it('writes no label with label: false', async () => {
    const { service } = setup();
    const opened = await openCase(service);
    await service.resolve(actor('reviewer'), opened.id, {
      resolution: 'denied',
      reason: 'test',
      label: false,
    });
    const labels = await db.selectFrom('labels').selectAll().where('case_id', '=', opened.id).execute();
    expect(labels).toHaveLength(0);
    const resolved = (await service.get(ORG_A, opened.id)).history.find((e) => e.type === 'resolved');
    expect(resolved?.data).toMatchObject({ label: null });
  });
});

describe('sharing indicators', () => {
  it('denied with shareIndicators hands the indicators to the sink in the same transaction', async () => {
    const { service, sinkCalls } = setup();
    const opened = await openCase(service);
    await service.resolve(actor('reviewer'), opened.id, {
      resolution: 'denied',
      reason: 'mule account',
      shareIndicators: 'partners',
    });
    expect(sinkCalls).toHaveLength(1);
    expect(sinkCalls[0]).toMatchObject({
      orgId: ORG_A,
      refs: INDICATORS,
      options: { verdict: 'malicious', source: `case:${opened.id}`, scope: 'partners' },
    });
    const rows = await db
      .selectFrom('indicators')
      .selectAll()
      .where('source', '=', `case:${opened.id}`)
      .execute();
    expect(rows.map((r) => r.type).sort()).toEqual(['bank_account', 'phone']);
  });

  it.each([
    ['denied', 'none'],
    ['approved', 'public'],
    ['approved', 'none'],
  ] as const)('%s with shareIndicators %s does not call the sink', async (resolution, shareIndicators) => {
    const { service, sinkCalls } = setup();
    const opened = await openCase(service);
    await service.resolve(actor('reviewer'), opened.id, { resolution, reason: 'r', shareIndicators });
    expect(sinkCalls).toHaveLength(0);
  });

  it('tells the sink once the resolution has committed, and not when it rolled back', async () => {
    const committed: { orgId: string; refs: readonly IndicatorRef[]; scope: string }[] = [];
    const withCommit = (inner: IndicatorSink): IndicatorSink => ({
      add: (orgId, refs, options) => inner.add(orgId, refs, options),
      committed: (orgId, refs, options) => {
        committed.push({ orgId, refs, scope: options.scope });
      },
    });
    const good = setup({ sink: withCommit(recordingSink().sink) });
    const opened = await openCase(good.service);
    await good.service.resolve(actor('reviewer'), opened.id, {
      resolution: 'denied',
      reason: 'mule account',
      shareIndicators: 'org',
    });
    expect(committed).toEqual([{ orgId: ORG_A, refs: INDICATORS, scope: 'org' }]);

    const bad = setup({ sink: withCommit(recordingSink({ fail: true }).sink) });
    const other = await openCase(bad.service);
    await expect(
      bad.service.resolve(actor('reviewer'), other.id, {
        resolution: 'denied',
        reason: 'r',
        shareIndicators: 'org',
      }),
    ).rejects.toThrow('intel unavailable');
    expect(committed).toHaveLength(1);
  });

  it('a failing sink rolls the whole resolution back', async () => {
    const { sink } = recordingSink({ fail: true });
    const { service, outcomes, bus } = setup({ sink });
    const opened = await openCase(service);
    await expect(
      service.resolve(actor('reviewer'), opened.id, {
        resolution: 'denied',
        reason: 'r',
        shareIndicators: 'org',
      }),
    ).rejects.toThrow('intel unavailable');
    expect((await service.get(ORG_A, opened.id)).status).toBe('open');
    expect(await db.selectFrom('labels').selectAll().where('case_id', '=', opened.id).execute()).toHaveLength(
      0,
    );
    expect(
      await db.selectFrom('indicators').selectAll().where('source', '=', `case:${opened.id}`).execute(),
    ).toHaveLength(0);
    await bus.drain();
    expect(outcomes).toHaveLength(0);
  });

  it('asking to share without a sink is a validation error on shareIndicators', async () => {
    const { service } = setup({ sink: null });
    const opened = await openCase(service);
    const error = await rejection(
      service.resolve(actor('reviewer'), opened.id, {
        resolution: 'denied',
        reason: 'r',
        shareIndicators: 'public',
      }),
    );
    expect(error).toMatchObject({ code: 'validation_failed', issues: [{ path: 'shareIndicators' }] });
    await expect(
      service.resolve(actor('reviewer'), opened.id, { resolution: 'denied', reason: 'r' }),
    ).resolves.toMatchObject({ status: 'resolved' });
  });
});

describe('outcomes', () => {
  it('are delivered after the commit: a subscriber reading the case sees it resolved', async () => {
    const { service, bus } = setup();
    const opened = await openCase(service);
    const seen: string[] = [];
    bus.subscribe('transfer', async (o) => {
      seen.push((await service.get(o.orgId, o.caseId)).status);
    });
    await service.resolve(actor('reviewer'), opened.id, { resolution: 'approved', reason: 'ok' });
    await bus.drain();
    expect(seen).toEqual(['resolved']);
  });

  it('a throwing subscriber never breaks the resolve', async () => {
    const { service, bus, outcomes, errors } = setup();
    bus.subscribe('transfer', () => {
      throw new Error('channel handler down');
    });
    const opened = await openCase(service);
    await expect(
      service.resolve(actor('reviewer'), opened.id, { resolution: 'approved', reason: 'ok' }),
    ).resolves.toMatchObject({ status: 'resolved' });
    await bus.drain();
    expect(outcomes).toHaveLength(1);
    expect(errors).toEqual([new Error('channel handler down')]);
  });

  it("only reach the case's own channel and the * subscribers", async () => {
    const { service, bus } = setup();
    const mail: CaseOutcome[] = [];
    bus.subscribe('mail', (o) => void mail.push(o));
    const opened = await openCase(service, 'hold', ORG_B);
    await service.resolve(actor('reviewer', ORG_B), opened.id, { resolution: 'approved', reason: 'ok' });
    await bus.drain();
    expect(mail).toEqual([]);
  });
});

describe('outcome delivery', () => {
  const deliveryOf = (id: string) =>
    db
      .selectFrom('cases')
      .select(['outcome_delivered_at', 'outcome_attempts'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const LATER = new Date(NOW.getTime() + 2 * 60_000);

  it('records on the case that the channel acted on its outcome; the sweep then leaves it alone', async () => {
    const { service, bus, outcomes } = setup();
    const opened = await openCase(service);
    await service.resolve(actor('reviewer'), opened.id, { resolution: 'approved', reason: 'ok' });
    await bus.drain();
    expect(await deliveryOf(opened.id)).toEqual({ outcome_delivered_at: NOW, outcome_attempts: 0 });
    await service.redeliverOutcomes(LATER);
    await bus.drain();
    expect(outcomes.filter((o) => o.caseId === opened.id)).toHaveLength(1);
  });

  it('delivers again an outcome the channel failed on, after the grace time, until it succeeds', async () => {
    const { service, bus } = setup();
    let failing = true;
    const acted: string[] = [];
    bus.subscribe('transfer', (o) => {
      if (failing) throw new Error('channel down');
      acted.push(o.caseId);
    });
    const opened = await openCase(service);
    await service.resolve(actor('reviewer'), opened.id, { resolution: 'denied', reason: 'fraud' });
    await bus.drain();
    expect(await deliveryOf(opened.id)).toEqual({ outcome_delivered_at: null, outcome_attempts: 1 });
    // Within the grace time it is left to the delivery under way.
    await service.redeliverOutcomes(NOW);
    await bus.drain();
    expect(await deliveryOf(opened.id)).toMatchObject({ outcome_attempts: 1 });
    failing = false;
    await service.redeliverOutcomes(LATER);
    await bus.drain();
    expect(acted).toContain(opened.id);
    expect(await deliveryOf(opened.id)).toEqual({ outcome_delivered_at: NOW, outcome_attempts: 1 });
  });

  it('delivers an outcome a stopped process never delivered, expiries included; stops after the last attempt', async () => {
    const { service, bus } = setup();
    const acted: string[] = [];
    bus.subscribe('*', (o) => {
      if (o.caseId.startsWith('case_poison')) throw new Error('never works');
      acted.push(`${o.caseId}:${o.effect}`);
    });
    const resolved = await openCase(service);
    await service.resolve(actor('reviewer'), resolved.id, { resolution: 'approved', reason: 'ok' });
    const expiring = await openCase(service, 'review');
    await service.expireDue(new Date(NOW.getTime() + 400 * 3_600_000));
    await bus.drain();
    // As if the process had stopped before delivering: nothing recorded.
    await db
      .updateTable('cases')
      .set({ outcome_delivered_at: null })
      .where('id', 'in', [resolved.id, expiring.id])
      .execute();
    acted.length = 0;
    await service.redeliverOutcomes(new Date(NOW.getTime() + 401 * 3_600_000));
    await bus.drain();
    expect(acted).toEqual(expect.arrayContaining([`${resolved.id}:release`, `${expiring.id}:expired`]));
    expect((await deliveryOf(resolved.id)).outcome_delivered_at).not.toBeNull();
    expect((await deliveryOf(expiring.id)).outcome_delivered_at).not.toBeNull();
  });

  it('does not queue again an outcome whose delivery is still under way here', async () => {
    const { service, bus } = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    let slowId = '';
    bus.subscribe('transfer', async (o) => {
      if (o.caseId !== slowId) return;
      calls++;
      await gate;
    });
    const slow = await openCase(service);
    slowId = slow.id;
    await service.resolve(actor('reviewer'), slow.id, { resolution: 'approved', reason: 'ok' });
    await service.redeliverOutcomes(LATER);
    await service.redeliverOutcomes(LATER);
    release();
    await bus.drain();
    expect(calls).toBe(1);
    expect((await deliveryOf(slow.id)).outcome_delivered_at).not.toBeNull();
  });

  it('stops after MAX_OUTCOME_ATTEMPTS failed deliveries', async () => {
    const { service, bus } = setup();
    let poisonId = '';
    let tries = 0;
    bus.subscribe('transfer', (o) => {
      if (o.caseId !== poisonId) return;
      tries++;
      throw new Error('never works');
    });
    const poison = await openCase(service);
    poisonId = poison.id;
    await service.resolve(actor('reviewer'), poison.id, { resolution: 'approved', reason: 'ok' });
    await bus.drain();
    for (let sweep = 0; sweep < MAX_OUTCOME_ATTEMPTS + 2; sweep++) {
      await service.redeliverOutcomes(LATER);
      await bus.drain();
    }
    expect(tries).toBe(MAX_OUTCOME_ATTEMPTS);
    // The case shows it, and the queue lists it among the undelivered for a person to look at.
    expect(await service.get(ORG_A, poison.id)).toMatchObject({
      outcomeDeliveredAt: null,
      outcomeAttempts: MAX_OUTCOME_ATTEMPTS,
    });
    const undelivered = await service.list(ORG_A, { undelivered: true, limit: 200 });
    expect(undelivered.items.map((c) => c.id)).toContain(poison.id);
    expect(undelivered.items.every((c) => c.outcomeDeliveredAt === null && c.status !== 'open')).toBe(true);
    const delivered = await service.list(ORG_A, { undelivered: false, limit: 200 });
    expect(delivered.items.map((c) => c.id)).not.toContain(poison.id);
    expect(await deliveryOf(poison.id)).toEqual({
      outcome_delivered_at: null,
      outcome_attempts: MAX_OUTCOME_ATTEMPTS,
    });
  });
});
