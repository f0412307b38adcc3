import { z } from 'zod';
import { ACTIONS } from '../../core/index.ts';
import type { Mamoru } from '../../mamoru.ts';
import { caseStats, decisionStats } from '../../store/decision-stats.ts';
import { type App, actorOf } from '../route-kit.ts';
import { errorResponses } from '../schemas.ts';

const count = z.number().int();
const overviewSchema = z
  .object({
    from: z.string().describe('window start (ISO 8601, inclusive)'),
    to: z.string().describe('window end: now (ISO 8601, exclusive)'),
    hours: z.number().int(),
    perHour: z
      .array(
        z.object({
          hour: z.string().describe('start of the hour, UTC (ISO 8601)'),
          channel: z.string(),
          action: z.enum(ACTIONS),
          count,
        }),
      )
      .readonly()
      .describe('decisions per hour, channel and action; only non-zero rows, oldest first'),
    totals: z.object({
      decisions: count,
      byAction: z.record(z.string(), count).describe('every action, 0 included'),
      byChannel: z.record(z.string(), count),
    }),
    topSignals: z
      .array(z.object({ signal: z.string(), count }))
      .readonly()
      .describe('the 10 signals hit most in the window (hits counted)'),
    topIndicators: z
      .array(z.object({ type: z.string(), value: z.string(), count }))
      .readonly()
      .describe(
        'the 10 indicator values that matched intel most (keyed hashes for bank_account, card and identity, as stored)',
      ),
    cases: z.object({
      open: count,
      inReview: count,
      overdue: count.describe('waiting past their due time'),
      undelivered: count.describe('closed, outcome not yet acted on by the channel'),
      deliveryFailed: count.describe('closed, delivering the outcome to the channel failed'),
      byChannel: z.array(z.object({ channel: z.string(), waiting: count, overdue: count })).readonly(),
    }),
  })
  .meta({ id: 'StatsOverview' });

/** Aggregates for the console's dashboard. */
export async function statsRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  app.get(
    '/v1/stats/overview',
    {
      schema: {
        tags: ['decisions'],
        summary: 'ダッシュボードの集計 / Dashboard aggregates',
        description:
          '直近 hours 時間の判定（時間・チャネル・判定ごとの件数、上位シグナル、脅威情報に一致した上位インジケーター）と、現在のケースの状況。 / ' +
          'The decisions of the last `hours` hours (counts per hour, channel and action; the signals hit most; the indicator values that matched intel most) and the case queue now. Needs decisions:read.',
        querystring: z.object({
          hours: z.coerce.number().int().min(1).max(720).default(24),
          channel: z.string().min(1).max(50).optional(),
        }),
        response: { 200: overviewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'decisions:read');
      const { hours, channel } = request.query;
      const to = new Date();
      const from = new Date(to.getTime() - hours * 3_600_000);
      const db = mamoru.store.db;
      const [decisions, cases] = await Promise.all([
        decisionStats(db, actor.orgId, { from, to, channel }),
        caseStats(db, actor.orgId, to, channel),
      ]);
      const byAction: Record<string, number> = Object.fromEntries(ACTIONS.map((a) => [a, 0]));
      const byChannel: Record<string, number> = {};
      let total = 0;
      for (const row of decisions.perHour) {
        total += row.count;
        byAction[row.action] = (byAction[row.action] ?? 0) + row.count;
        byChannel[row.channel] = (byChannel[row.channel] ?? 0) + row.count;
      }
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        hours,
        perHour: decisions.perHour as {
          hour: string;
          channel: string;
          action: (typeof ACTIONS)[number];
          count: number;
        }[],
        totals: { decisions: total, byAction, byChannel },
        topSignals: decisions.topSignals,
        topIndicators: decisions.topIndicators,
        cases,
      };
    },
  );
}
