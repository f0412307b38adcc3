import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { ChannelDeps } from '../../../src/channels/registry.ts';
import {
  type ChannelModule,
  type ChannelPlugin,
  defineOperation,
  defineSignals,
  type Enrichment,
  type EnrichmentRef,
} from '../../../src/core/index.ts';

/**
 * A test channel that exercises every hook a channel plugs in (issue 8,
 * "a new channel is one folder plus one line in the registry"): it is this
 * folder, and the tests add `probePlugin` to the registry's list. It screens
 * bank transfers to payees (measure M-style): its own table and migration,
 * per-screening state, an enrichment with a budget that reads the table, a
 * detector that needs it and one that needs nothing, the record of each
 * screened transfer, an operation (list the transfers, `GET
 * /v1/probe/transfers`), the case outcome (a held transfer released or
 * refused), a subject, an origin (a bank branch) and a waiver.
 */

/** The channel's own table, added to the core's database type. */
export type ProbeTables = {
  probe_transfers: {
    org_id: string;
    transfer_id: string;
    payee: string;
    amount: number;
    decision_id: string;
    action: string;
    status: string;
    created_at: string;
  };
};

/** Its migration: a name of its own, run with the core's in name order. */
export const PROBE_MIGRATIONS = {
  '900-probe-transfers': {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`
        create table probe_transfers (
          org_id text not null,
          transfer_id text not null,
          payee text not null,
          amount bigint not null,
          decision_id text not null,
          action text not null,
          status text not null,
          created_at text not null,
          primary key (org_id, transfer_id)
        )`.execute(db);
      await sql`create index probe_transfers_payee on probe_transfers (org_id, payee)`.execute(db);
    },
  },
};

export const transferSchema = z
  .object({
    transferId: z.string().min(1).max(64),
    branch: z.string().min(1).max(32),
    payee: z.string().min(1).max(64),
    amount: z.number().int().positive(),
  })
  .strict();
export type Transfer = z.infer<typeof transferSchema>;

/** Per-screening state: made once by `begin`, read by the hooks and detectors. */
export interface ProbeState {
  readonly payeeKey: string;
}

/** The enrichment's typed answer. */
export interface PayeeHistory {
  readonly transfers: number;
}
export const PAYEE_HISTORY: EnrichmentRef<PayeeHistory> = { name: 'probe.payee_history' };

const SIGNALS = defineSignals([
  {
    name: 'PROBE_NEW_PAYEE',
    group: 'probe',
    weight: 4,
    forceAction: 'hold',
    description: { ja: '初めての振込先', en: 'A payee never paid before' },
    reason: { ja: '振込先 {payee} への振込は初めてです', en: 'First transfer to payee {payee}' },
  },
  {
    name: 'PROBE_LARGE_AMOUNT',
    group: 'probe',
    weight: 2,
    description: { ja: '高額の振込', en: 'A large transfer' },
    reason: { ja: '{amount} 円の振込です', en: 'A transfer of ¥{amount}' },
  },
  {
    name: 'PROBE_PAYEE_APPROVED',
    group: 'approval',
    weight: 0,
    explainAlways: true,
    description: { ja: '承認済みの振込先', en: 'A payee approved by a reviewer' },
    reason: { ja: '振込先 {payee} は承認済みです', en: 'Payee {payee} was approved' },
  },
]);

/** What the test can change while the channel runs: how slow the history is. */
export interface ProbeKnobs {
  historyDelayMs: number;
  /** Payees a reviewer approved: the waiver covers PROBE_NEW_PAYEE for them. */
  readonly approved: Set<string>;
  readonly outcomes: string[];
}

export function createProbeChannel(
  deps: ChannelDeps,
  knobs: ProbeKnobs,
): ChannelModule<Transfer, ProbeState> {
  const db = deps.db.$extendTables<ProbeTables>();
  const history: Enrichment<Transfer, ProbeState, PayeeHistory> = {
    name: PAYEE_HISTORY.name,
    budgetMs: 200,
    output: z.object({ transfers: z.number().int().min(0) }),
    async run(screening) {
      if (knobs.historyDelayMs > 0) await new Promise((r) => setTimeout(r, knobs.historyDelayMs));
      const row = await db
        .selectFrom('probe_transfers')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('org_id', '=', screening.event.orgId)
        .where('payee', '=', screening.state.payeeKey)
        .executeTakeFirstOrThrow();
      return { transfers: Number(row.n) };
    },
  };
  return {
    name: 'probe',
    title: { ja: '振込（テスト用チャネル）', en: 'Transfers (test channel)' },
    schema: transferSchema,
    signals: SIGNALS,
    begin: (event) => ({ payeeKey: event.payload.payee.toLowerCase() }),
    extract: () => [],
    enrichments: [history],
    detectors: [
      {
        name: 'probe.new_payee',
        signals: ['PROBE_NEW_PAYEE'],
        needs: [PAYEE_HISTORY.name],
        run: (event, ctx) =>
          ctx.enriched(PAYEE_HISTORY).transfers === 0
            ? [
                {
                  signal: 'PROBE_NEW_PAYEE',
                  evidence: [`payee=${ctx.state.payeeKey} transfers=0`],
                  params: { payee: event.payload.payee },
                },
              ]
            : [],
      },
      {
        name: 'probe.large_amount',
        signals: ['PROBE_LARGE_AMOUNT'],
        run: (event, ctx) =>
          event.payload.amount >= Number(ctx.settings.largeAmount)
            ? [
                {
                  signal: 'PROBE_LARGE_AMOUNT',
                  evidence: [`amount=${event.payload.amount}`],
                  params: { amount: event.payload.amount },
                },
              ]
            : [],
      },
    ],
    waiver: (screening) =>
      knobs.approved.has(screening.state.payeeKey)
        ? {
            signal: 'PROBE_PAYEE_APPROVED',
            covers: (hit) => hit.signal === 'PROBE_NEW_PAYEE',
            evidence: [`approved_payee=${screening.state.payeeKey}`],
            params: { payee: screening.event.payload.payee },
          }
        : undefined,
    defaultPolicy: {
      id: 'probe.default',
      channel: 'probe',
      thresholds: { review: 5 },
      caseSlaHours: { hold: 4 },
    },
    defaultSettings: { largeAmount: 1_000_000 },
    async record(verdict, screening) {
      const t = screening.event.payload;
      await db
        .insertInto('probe_transfers')
        .values({
          org_id: verdict.orgId,
          transfer_id: t.transferId,
          payee: screening.state.payeeKey,
          amount: t.amount,
          decision_id: verdict.id,
          action: verdict.action,
          status: verdict.action === 'allow' ? 'sent' : 'held',
          created_at: verdict.createdAt,
        })
        // Re-screening a transfer replaces its row with the latest verdict.
        .onConflict((oc) =>
          oc.columns(['org_id', 'transfer_id']).doUpdateSet((eb) => ({
            decision_id: eb.ref('excluded.decision_id'),
            action: eb.ref('excluded.action'),
            status: eb.ref('excluded.status'),
          })),
        )
        .execute();
    },
    caseDetails: (_verdict, screening) => ({
      payeeTransfers: screening.enriched(PAYEE_HISTORY)?.transfers ?? null,
    }),
    subject: (payload) => `transfer:${payload.transferId}`,
    origin: (payload) => `branch:${payload.branch}`,
    originKinds: [{ kind: 'branch', id: 'required' }],
    async onOutcome(outcome) {
      const status = outcome.effect === 'release' || outcome.effect === 'allow_once' ? 'released' : 'refused';
      const decision = await deps.decisions.loggedEvent(outcome.orgId, outcome.decisionId, 'probe');
      await db
        .updateTable('probe_transfers')
        .set({ status })
        .where('org_id', '=', outcome.orgId)
        .where('decision_id', '=', outcome.decisionId)
        .execute();
      knobs.outcomes.push(`${outcome.caseId}:${status}:${decision === undefined ? 'no-event' : 'event'}`);
    },
    operations: [
      defineOperation({
        name: 'list-transfers',
        method: 'GET',
        path: 'transfers',
        permission: 'cases:read',
        summary: { ja: '振込の一覧', en: 'List the screened transfers' },
        input: {
          kind: 'query',
          schema: z.object({ payee: z.string().min(1).max(64).optional() }).strict(),
        },
        output: z.object({
          items: z.array(
            z.object({ transferId: z.string(), payee: z.string(), action: z.string(), status: z.string() }),
          ),
        }),
        async run(query, ctx) {
          let q = db
            .selectFrom('probe_transfers')
            .select(['transfer_id', 'payee', 'action', 'status'])
            .where('org_id', '=', ctx.actor.orgId);
          if (query.payee) q = q.where('payee', '=', query.payee.toLowerCase());
          const rows = await q.orderBy('created_at').orderBy('transfer_id').execute();
          return {
            items: rows.map((r) => ({
              transferId: r.transfer_id,
              payee: r.payee,
              action: r.action,
              status: r.status,
            })),
          };
        },
      }),
    ],
    example: { transferId: 'T-1', branch: 'shinjuku', payee: 'ACME', amount: 50_000 },
  };
}

/** The plug-in: its migrations, and the factory the registry calls on the migrated database. */
export function probePlugin(knobs: ProbeKnobs): ChannelPlugin<ChannelDeps> {
  return { name: 'probe', migrations: PROBE_MIGRATIONS, create: (deps) => createProbeChannel(deps, knobs) };
}
