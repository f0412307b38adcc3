import { type Kysely, sql } from 'kysely';
import { seqFloor } from './decision-log.ts';
import type { Database } from './schema.ts';

/** Rows of the top lists. */
const TOP = 10;

export interface DecisionStatsQuery {
  /** Window start (inclusive) and end (exclusive), on the decision time. */
  readonly from: Date;
  readonly to: Date;
  readonly channel?: string | undefined;
}

export interface DecisionStats {
  /** Decisions per hour (start of the hour, UTC, ISO 8601), channel and action; only non-zero rows, oldest first. */
  readonly perHour: { hour: string; channel: string; action: string; count: number }[];
  /** Signals by hits in the window, most first (at most 10). */
  readonly topSignals: { signal: string; count: number }[];
  /**
   * Indicator values that matched intel (the first evidence of INTEL_MATCH_*
   * hits: `<type>=<value>`, keyed hashes for sensitive types), most first (at most 10).
   */
  readonly topIndicators: { type: string; value: string; count: number }[];
}

/**
 * What the dashboard shows of an organisation's decisions in a window: three
 * grouped scans of the window's rows (`org_id`, `created_at`), no row read
 * back whole.
 */
export async function decisionStats(
  db: Kysely<Database>,
  orgId: string,
  query: DecisionStatsQuery,
): Promise<DecisionStats> {
  const channel = query.channel === undefined ? sql`` : sql`and d.channel = ${query.channel}`;
  // The window's rows from the (org_id, seq) index: no index on the decision time (appends stay cheap).
  const floor = await seqFloor(db, orgId, query.from);
  const window = sql`d.org_id = ${orgId} and d.seq >= ${floor} and d.created_at >= ${query.from} and d.created_at < ${query.to} ${channel}`;
  const perHour = await sql<{ hour: string; channel: string; action: string; count: number }>`
    select to_char(date_trunc('hour', d.created_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00:00.000"Z"') as hour,
      d.channel, d.action, count(*)::int as count
    from decisions d where ${window}
    group by 1, 2, 3 order by 1, 2, 3`.execute(db);
  const topSignals = await sql<{ signal: string; count: number }>`
    select h->>'signal' as signal, count(*)::int as count
    from decisions d cross join lateral jsonb_array_elements(d.verdict->'hits') as h
    where ${window}
    group by 1 order by 2 desc, 1 limit ${TOP}`.execute(db);
  const topIndicators = await sql<{ type: string; value: string; count: number }>`
    select split_part(e, '=', 1) as type, substr(e, strpos(e, '=') + 1) as value, count(*)::int as count
    from (
      select h->'evidence'->>0 as e
      from decisions d cross join lateral jsonb_array_elements(d.verdict->'hits') as h
      where ${window} and h->>'signal' like 'INTEL\\_MATCH\\_%'
    ) as m
    where strpos(e, '=') > 0
    group by 1, 2 order by 3 desc, 1, 2 limit ${TOP}`.execute(db);
  return { perHour: perHour.rows, topSignals: topSignals.rows, topIndicators: topIndicators.rows };
}

export interface CaseStats {
  readonly open: number;
  readonly inReview: number;
  /** Waiting (open or in review) past their due time. */
  readonly overdue: number;
  /** Closed, and the owning channel has not acted on the outcome yet (failed, or still to come). */
  readonly undelivered: number;
  /** Closed, and delivering the outcome to the channel failed at least once (not delivered since). */
  readonly deliveryFailed: number;
  readonly byChannel: { channel: string; waiting: number; overdue: number }[];
}

/** The case queue's state now, by counts: one grouped scan of the organisation's cases. */
export async function caseStats(
  db: Kysely<Database>,
  orgId: string,
  now: Date,
  channel?: string,
): Promise<CaseStats> {
  const only = channel === undefined ? sql`` : sql`and channel = ${channel}`;
  const { rows } = await sql<{
    channel: string;
    open: number;
    in_review: number;
    overdue: number;
    undelivered: number;
    failed: number;
  }>`
    select channel,
      count(*) filter (where status = 'open')::int as open,
      count(*) filter (where status = 'in_review')::int as in_review,
      count(*) filter (where status in ('open', 'in_review') and due_at <= ${now})::int as overdue,
      count(*) filter (where status in ('resolved', 'expired') and outcome_delivered_at is null)::int as undelivered,
      count(*) filter (where status in ('resolved', 'expired') and outcome_delivered_at is null
        and outcome_attempts > 0)::int as failed
    from cases where org_id = ${orgId} ${only}
    group by channel order by channel`.execute(db);
  const total = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + pick(r), 0);
  return {
    open: total((r) => r.open),
    inReview: total((r) => r.in_review),
    overdue: total((r) => r.overdue),
    undelivered: total((r) => r.undelivered),
    deliveryFailed: total((r) => r.failed),
    byChannel: rows
      .map((r) => ({ channel: r.channel, waiting: r.open + r.in_review, overdue: r.overdue }))
      .filter((r) => r.waiting > 0 || r.overdue > 0),
  };
}
