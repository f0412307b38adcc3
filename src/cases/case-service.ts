import { type Kysely, sql, type Transaction } from 'kysely';
import { opensCase } from '../core/action.ts';
import { invalidField, MamoruError, notFound } from '../core/errors.ts';
import { newId } from '../core/id.ts';
import type { Verdict } from '../core/verdict.ts';
import { instanceName } from '../store/cluster-events.ts';
import type { CaseRow, Database } from '../store/schema.ts';
import {
  type Case,
  type CaseDetail,
  type CaseEvent,
  type CaseSummary,
  caseEventFromRow,
  caseFromRow,
  SYSTEM_ACTOR,
} from './case.ts';
import { caseEffect, LABEL_OF_RESOLUTION } from './case-effect.ts';
import { expireBatch } from './case-expiry.ts';
import { addCaseEvent, caseEventRow } from './case-history.ts';
import { type CaseOutcome, caseOutcome } from './case-outcome.ts';
import { type CasePage, casesOf, queryCases } from './case-query.ts';
import {
  assignCaseSchema,
  commentCaseSchema,
  type ListCasesQuery,
  listCasesQuerySchema,
  parseInput,
  type ResolveCaseInput,
  resolveCaseSchema,
} from './case-schemas.ts';
import {
  ACTIVE_STATUSES,
  assertActive,
  assertTransition,
  type CaseStatus,
  CLOSED_STATUSES,
} from './case-status.ts';
import type { IndicatorSink } from './indicator-sink.ts';
import type { OutcomeBus } from './outcome-bus.ts';
import { type Actor, requirePermission } from './roles.ts';
import { dueAt, type SlaHours } from './sla.ts';

export interface CaseServiceOptions {
  readonly db: Kysely<Database>;
  /** Where resolutions and expiries are published for the owning channel. */
  readonly outcomes: OutcomeBus;
  /** Receives a denied case's indicators when the resolver shares them (the intel module). */
  readonly indicatorSink?: IndicatorSink | undefined;
  /** The clock; tests pass a fixed one. */
  readonly now?: (() => Date) | undefined;
  /** Cases expired per transaction by `expireDue` (default 500). */
  readonly expiryBatch?: number | undefined;
  /**
   * This process's name among those sharing the database: it claims the outcomes it delivers
   * (`outcome_claimed_by`). Default `<host>:<pid>:<random>`.
   */
  readonly instance?: string | undefined;
  /** Told after each delivery this process made: whether every handler acted on the outcome. */
  readonly onDelivery?: ((outcome: CaseOutcome, delivered: boolean) => void) | undefined;
}

/** Failed deliveries of a closed case's outcome after which the sweep stops trying. */
export const MAX_OUTCOME_ATTEMPTS = 5;
/**
 * How long a process's claim on an outcome lasts (issue 8 item 8): no other process delivers it
 * meanwhile; one that stopped mid-delivery loses it then. Also the wait after a failed delivery
 * before the sweep tries again.
 */
export const OUTCOME_LEASE_MS = 60_000;

/** What {@link CaseService.openFromVerdict} takes besides the verdict. */
export interface OpenCaseOptions {
  readonly slaHours?: SlaHours | undefined;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
  /** The origin the event came from: its origin-bound keys see the case. */
  readonly origin?: string | undefined;
  /**
   * What the event is about, as the channel keys it (`ChannelModule.subject`): at most one case per
   * channel and subject is active; screening the subject again returns that case.
   */
  readonly subject?: string | undefined;
}

/** A case for a verdict: opened for it, or (`reused`) the subject's case that already waited. */
export interface OpenedCase {
  readonly case: Case;
  readonly reused: boolean;
}

const HISTORY_COLUMNS = ['id', 'case_id', 'org_id', 'at', 'actor', 'type', 'data'] as const;

/** A history entry for the case a CTE (`from`) returns: the case id and org come from that row. */
function historyOf(from: 'inserted' | 'touched', entry: ReturnType<typeof caseEventRow>) {
  return sql`select ${entry.id}::text, ${sql.ref(`${from}.id`)}, ${sql.ref(`${from}.org_id`)},
    ${entry.at}::timestamptz, ${entry.actor}::text, ${entry.type}::text, ${entry.data}::jsonb
    from ${sql.table(from)}`;
}

/** How many strongest reasons a case keeps from its verdict. */
const SUMMARY_REASONS = 5;

type Db = Kysely<Database>;

/**
 * The case queue (cases module): opens a case for every verdict that needs a
 * person, moves it through its life (`case-status.ts`), records every step in
 * its history, and publishes the outcome for the channel that owns the held
 * thing. Every query is filtered by organisation; another organisation's case
 * is `not_found`, never `forbidden`, so case ids leak nothing.
 *
 * Each transition is one transaction: the case row is locked, the transition
 * checked against the table, and the row, history, label and shared
 * indicators written together. Outcomes are published after the commit.
 *
 * Several processes may share the database (issue 8 item 8): a closed case's
 * outcome is delivered by the one process that claims it — the one that
 * closed it, in the closing transaction, or a sweep, with `for update skip
 * locked` — for {@link OUTCOME_LEASE_MS}; see {@link redeliverOutcomes}.
 */
export class CaseService {
  readonly #db: Db;
  readonly #outcomes: OutcomeBus;
  readonly #sink: IndicatorSink | undefined;
  readonly #now: () => Date;
  readonly #expiryBatch: number;
  readonly #instance: string;
  readonly #onDelivery: ((outcome: CaseOutcome, delivered: boolean) => void) | undefined;
  /** Cases whose outcome is queued for delivery in this process. */
  readonly #delivering = new Set<string>();

  constructor(options: CaseServiceOptions) {
    this.#db = options.db;
    this.#outcomes = options.outcomes;
    this.#sink = options.indicatorSink;
    this.#now = options.now ?? (() => new Date());
    this.#expiryBatch = Math.max(1, Math.floor(options.expiryBatch ?? 500));
    this.#instance = options.instance ?? instanceName();
    this.#onDelivery = options.onDelivery;
  }

  /** This process's name on the outcomes it claims. */
  get instance(): string {
    return this.#instance;
  }

  /**
   * Open a case for a verdict whose action is `review`, `hold` or `step_up`;
   * returns `undefined` for any other action. The due time is the verdict's
   * time plus the policy's `caseSlaHours` for the action (defaults in
   * `sla.ts`). Idempotent: a second call for the same decision returns the
   * case already opened. With a `subject`, at most one case of the channel
   * and subject is active at a time: see {@link open}.
   */
  async openFromVerdict(verdict: Verdict, options: OpenCaseOptions = {}): Promise<Case | undefined> {
    return (await this.open(verdict, options))?.case;
  }

  /**
   * {@link openFromVerdict}, saying whether the case was opened for this
   * verdict or already waited. When the organisation has an active case
   * (open or in review) for the verdict's channel and `subject`, no second
   * case is opened: that case gets a `rescreened` history entry naming the
   * new decision, its action and score, and is returned with `reused: true`.
   *
   * The database holds the rule (a partial unique key on org, channel and
   * subject of active cases, migration 008): the insert does nothing on
   * either unique key, then the decision's own case or the subject's active
   * case is read. Concurrent screenings of one subject end with one case.
   */
  async open(verdict: Verdict, options: OpenCaseOptions = {}): Promise<OpenedCase | undefined> {
    const action = verdict.action;
    if (!opensCase(action)) return undefined;
    const now = this.#now();
    const decidedAt = Number.isNaN(Date.parse(verdict.createdAt)) ? now : new Date(verdict.createdAt);
    const summary: CaseSummary = {
      action,
      score: verdict.score,
      channel: verdict.channel,
      eventId: verdict.eventId,
      summary: verdict.summary,
      reasons: verdict.reasons.slice(0, SUMMARY_REASONS),
      hits: verdict.hits.map((h) => ({
        signal: h.signal,
        detector: h.detector,
        score: h.score,
        evidence: h.evidence,
        ...(h.params ? { params: h.params } : {}),
      })),
      ...(options.details ? { details: options.details } : {}),
      indicators: verdict.indicators,
      policy: verdict.policy,
      decidedAt: decidedAt.toISOString(),
    };
    const due = dueAt(action, decidedAt, options.slaHours);
    const subject = options.subject === undefined || options.subject === '' ? null : options.subject;
    // A subject's active case can close between the insert that met it and the update that would add to
    // it: then the next insert opens the new case. Twice in a row would need a case closed twice.
    for (let attempt = 0; attempt < 3; attempt++) {
      const inserted = await this.#insert(verdict, summary, due, now, options.origin ?? null, subject);
      if (inserted) return { case: caseFromRow(inserted), reused: false };
      const own = await this.#db
        .selectFrom('cases')
        .selectAll()
        .where('org_id', '=', verdict.orgId)
        .where('decision_id', '=', verdict.id)
        .executeTakeFirst();
      if (own) return { case: caseFromRow(own), reused: false };
      if (subject === null) break;
      const active = await this.#rescreen(verdict, subject, now);
      if (active) return { case: caseFromRow(active), reused: true };
    }
    throw new MamoruError('conflict', `no case could be opened or found for decision ${verdict.id}`);
  }

  /**
   * One statement (one round trip, no transaction held open): the case and its first history entry, or
   * nothing when the decision has its case already or the subject has an active one (either unique key:
   * a concurrent open waits for the first and then inserts nothing).
   */
  async #insert(
    verdict: Verdict,
    summary: CaseSummary,
    due: Date,
    now: Date,
    origin: string | null,
    subject: string | null,
  ): Promise<CaseRow | undefined> {
    const id = newId('case');
    const opened = caseEventRow({ id, org_id: verdict.orgId }, now, SYSTEM_ACTOR, 'opened', {
      decisionId: verdict.id,
      action: summary.action,
      score: verdict.score,
      dueAt: due.toISOString(),
    });
    return this.#db
      .with('inserted', (db) =>
        db
          .insertInto('cases')
          .values({
            id,
            org_id: verdict.orgId,
            decision_id: verdict.id,
            channel: verdict.channel,
            action: summary.action,
            status: 'open',
            assignee: null,
            due_at: due,
            origin,
            subject,
            summary: JSON.stringify(summary),
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.doNothing())
          .returningAll(),
      )
      .with('history', (db) =>
        db.insertInto('case_events').columns(HISTORY_COLUMNS).expression(historyOf('inserted', opened)),
      )
      .selectFrom('inserted')
      .selectAll()
      .executeTakeFirst();
  }

  /**
   * Add a `rescreened` entry to the subject's active case, in one statement: the update locks the row and
   * checks it is still active, so an entry never lands on a case that closed meanwhile.
   */
  async #rescreen(verdict: Verdict, subject: string, now: Date): Promise<CaseRow | undefined> {
    const entry = caseEventRow({ id: '', org_id: verdict.orgId }, now, SYSTEM_ACTOR, 'rescreened', {
      decisionId: verdict.id,
      eventId: verdict.eventId,
      action: verdict.action,
      score: verdict.score,
    });
    return this.#db
      .with('touched', (db) =>
        db
          .updateTable('cases')
          .set({ updated_at: now })
          .where('org_id', '=', verdict.orgId)
          .where('channel', '=', verdict.channel)
          .where('subject', '=', subject)
          .where('status', 'in', ACTIVE_STATUSES)
          .returningAll(),
      )
      .with('history', (db) =>
        db.insertInto('case_events').columns(HISTORY_COLUMNS).expression(historyOf('touched', entry)),
      )
      .selectFrom('touched')
      .selectAll()
      .executeTakeFirst();
  }

  /** A case of the organisation with its full history; `not_found` for any other organisation's. */
  async get(orgId: string, id: string, origin?: string): Promise<CaseDetail> {
    const row = await casesOf(this.#db, orgId, origin).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('case');
    const events = await this.#db
      .selectFrom('case_events')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('case_id', '=', id)
      .orderBy('at')
      .orderBy('id')
      .execute();
    return { ...caseFromRow(row), history: events.map(caseEventFromRow) };
  }

  /** The organisation's cases matching a filter (`listCasesQuerySchema`), oldest due first by default. */
  async list(orgId: string, query: ListCasesQuery = {}, origin?: string): Promise<CasePage> {
    return queryCases(this.#db, orgId, parseInput(listCasesQuerySchema, query), this.#now(), origin);
  }

  /**
   * Give a case to a person; an open case moves to `in_review`. Reassigning a
   * case in review keeps it there. Needs `cases:assign`.
   */
  async assign(actor: Actor, id: string, assignee: string): Promise<Case> {
    requirePermission(actor, 'cases:assign');
    const input = parseInput(assignCaseSchema, { assignee });
    return this.#change(actor, id, async (trx, row, now) => {
      const from = row.status as CaseStatus;
      assertActive(from, 'assign');
      const to: CaseStatus = 'in_review';
      if (from !== to) assertTransition(from, to);
      else if (row.assignee === input.assignee) return caseFromRow(row);
      const updated = await trx
        .updateTable('cases')
        .set({ assignee: input.assignee, status: to, updated_at: now })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await addCaseEvent(trx, row, now, actor.id, 'assigned', {
        assignee: input.assignee,
        previous: row.assignee,
        role: actor.role,
      });
      if (from !== to) await addCaseEvent(trx, row, now, actor.id, 'status_changed', { from, to });
      return caseFromRow(updated);
    });
  }

  /**
   * Add a comment to a case that is still waiting. Agents may comment: they
   * submit the context HQ decides on. Needs `cases:comment`.
   */
  async comment(actor: Actor, id: string, text: string): Promise<CaseEvent> {
    requirePermission(actor, 'cases:comment');
    const input = parseInput(commentCaseSchema, { text });
    return this.#change(actor, id, async (trx, row, now) => {
      assertActive(row.status as CaseStatus, 'comment');
      await trx.updateTable('cases').set({ updated_at: now }).where('id', '=', row.id).execute();
      return addCaseEvent(trx, row, now, actor.id, 'commented', { text: input.text, role: actor.role });
    });
  }

  /**
   * Decide a case. Needs `cases:resolve` (reviewers, analysts, admins; never
   * agents or the system role). Records the resolution and its effect
   * (`case-effect.ts`), writes a label unless `label: false`, shares the
   * decision's indicators as malicious when denied with `shareIndicators` set,
   * then publishes the outcome. A case already closed is a `conflict`.
   */
  async resolve(actor: Actor, id: string, input: ResolveCaseInput): Promise<Case> {
    requirePermission(actor, 'cases:resolve');
    const decision = parseInput(resolveCaseSchema, input);
    let shared: (() => void) | undefined;
    const resolved = await this.#change(actor, id, async (trx, row, now) => {
      const from = row.status as CaseStatus;
      assertTransition(from, 'resolved');
      const current = caseFromRow(row);
      const effect = caseEffect(current.action, decision.resolution);
      const share = decision.resolution === 'denied' ? decision.shareIndicators : 'none';
      const refs = current.summary.indicators ?? [];
      if (share !== 'none' && refs.length > 0) {
        const sink = this.#sink;
        if (!sink) throw invalidField('shareIndicators', 'indicator sharing is not available here');
        const options = { verdict: 'malicious', source: `case:${row.id}`, scope: share, db: trx } as const;
        await sink.add(row.org_id, refs, options);
        shared = () => sink.committed?.(row.org_id, refs, options);
      }
      const updated = await trx
        .updateTable('cases')
        .set({
          status: 'resolved',
          resolution: decision.resolution,
          resolution_reason: decision.reason,
          effect,
          resolved_by: actor.id,
          resolved_at: now,
          updated_at: now,
          // The resolving process delivers the outcome: claimed with the resolution, so no sweep takes it meanwhile.
          ...this.#claim(now),
        })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await addCaseEvent(trx, row, now, actor.id, 'status_changed', { from, to: 'resolved' });
      await addCaseEvent(trx, row, now, actor.id, 'resolved', {
        resolution: decision.resolution,
        effect,
        reason: decision.reason,
        label: decision.label ? LABEL_OF_RESOLUTION[decision.resolution] : null,
        sharedIndicators: share === 'none' ? 0 : refs.length,
        scope: share,
        role: actor.role,
      });
      if (decision.label) {
        await trx
          .insertInto('labels')
          .values({
            id: newId('lbl'),
            org_id: row.org_id,
            decision_id: row.decision_id,
            channel: row.channel,
            label: LABEL_OF_RESOLUTION[decision.resolution],
            source: 'case',
            case_id: row.id,
            created_by: actor.id,
            created_at: now,
          })
          .execute();
      }
      return updated;
    });
    shared?.();
    this.#publish(resolved);
    return caseFromRow(resolved);
  }

  /**
   * Expire every case still waiting whose due time has been reached
   * (`due_at <= now`, so a case expires exactly at its due time). Each gets
   * `status_changed` and `expired` history entries and an outcome with effect
   * `expired` and no resolution, so the owning channel learns that nobody
   * decided and applies its fail-safe default (never a release). No label is
   * written: nobody judged the decision. Returns how many cases expired.
   */
  async expireDue(now: Date = this.#now()): Promise<number> {
    let total = 0;
    for (;;) {
      const rows = await this.#db.transaction().execute(async (trx) => {
        const expired = await expireBatch(trx, now, this.#expiryBatch);
        // Claimed in the expiring transaction, as a resolution is: this process delivers them.
        if (expired.length > 0)
          await trx
            .updateTable('cases')
            .set(this.#claim(now))
            .where(
              'id',
              'in',
              expired.map((r) => r.id),
            )
            .execute();
        return expired;
      });
      for (const row of rows) this.#publish(row);
      total += rows.length;
      if (rows.length < this.#expiryBatch) return total;
    }
  }

  /**
   * Deliver again the outcomes of closed cases that the owning channel has
   * not acted on: the process stopped between the commit and the delivery,
   * or the channel's handler failed (at most {@link MAX_OUTCOME_ATTEMPTS}
   * failures, then it is left to a person, with the failures logged).
   *
   * Only outcomes nobody holds: each is claimed first (issue 8 item 8), in
   * one statement that locks the rows it takes and skips those another
   * process is claiming (`for update skip locked`) or holds a live lease on
   * (a delivery under way, or a failure waiting {@link OUTCOME_LEASE_MS} for
   * its next try). So however many processes sweep at once, each outcome
   * goes to one of them; only one that stops or stalls mid-delivery past
   * its lease sees it delivered again, which channels' idempotent handlers
   * make harmless. Runs with the expiry sweep and at start. Returns how many
   * were published.
   */
  async redeliverOutcomes(now: Date = this.#now()): Promise<number> {
    const rows = await this.#db
      .updateTable('cases')
      .set(this.#claim(now))
      .from(
        this.#db
          .selectFrom('cases')
          .select('id')
          .where('outcome_delivered_at', 'is', null)
          .where('status', 'in', CLOSED_STATUSES)
          .where('outcome_attempts', '<', MAX_OUTCOME_ATTEMPTS)
          .where((eb) => eb.or([eb('outcome_lease_until', 'is', null), eb('outcome_lease_until', '<=', now)]))
          .orderBy('updated_at')
          .limit(this.#expiryBatch)
          .forUpdate()
          .skipLocked()
          .as('due'),
      )
      .whereRef('cases.id', '=', 'due.id')
      .returningAll('cases')
      .execute();
    // A case whose delivery is still queued here (a slow channel) is not queued again; its lease is renewed.
    const fresh = rows.filter((row) => !this.#delivering.has(row.id));
    for (const row of fresh) this.#publish(row);
    return fresh.length;
  }

  /** The columns that make this process the outcome's deliverer until the lease ends. */
  #claim(now: Date) {
    return {
      outcome_claimed_by: this.#instance,
      outcome_lease_until: new Date(now.getTime() + OUTCOME_LEASE_MS),
    };
  }

  /**
   * Publish a closed case's outcome this process has claimed, and record on the case whether the
   * channel acted on it: delivered (the lease ends), or one more failure (the lease is kept as the
   * wait before the sweep's next try).
   */
  #publish(row: CaseRow): void {
    this.#delivering.add(row.id);
    const outcome = caseOutcome(caseFromRow(row));
    this.#outcomes.publish(outcome, async (delivered) => {
      this.#delivering.delete(row.id);
      const now = this.#now();
      await this.#db
        .updateTable('cases')
        .set((eb) =>
          delivered
            ? { outcome_delivered_at: now, outcome_lease_until: null }
            : {
                outcome_attempts: eb('outcome_attempts', '+', 1),
                outcome_lease_until: new Date(now.getTime() + OUTCOME_LEASE_MS),
              },
        )
        .where('id', '=', row.id)
        .execute();
      this.#onDelivery?.(outcome, delivered);
    });
  }

  /** Run one change to a locked case of the organisation in a transaction. */
  async #change<T>(
    actor: Actor,
    id: string,
    work: (trx: Transaction<Database>, row: CaseRow, now: Date) => Promise<T>,
  ): Promise<T> {
    return this.#db.transaction().execute(async (trx) => {
      const locked = await casesOf(trx, actor.orgId, actor.origin)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (!locked) throw notFound('case');
      return work(trx, locked, this.#now());
    });
  }
}
