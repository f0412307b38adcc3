import { ACTIONS, type Localized } from '../../types.ts';

/** The windows the dashboard offers (hours), as `GET /v1/stats/overview?hours=` takes them. */
export const WINDOWS = [24, 168, 720] as const;
export type WindowHours = (typeof WINDOWS)[number];

export interface DashboardSearch {
  readonly hours?: WindowHours;
  readonly channel?: string;
}

/** `?hours=168&channel=message`: unknown values are dropped (24 h and every channel). */
export function validateDashboardSearch(search: Record<string, unknown>): DashboardSearch {
  const out: { hours?: WindowHours; channel?: string } = {};
  const hours = Number(search.hours);
  if ((WINDOWS as readonly number[]).includes(hours) && hours !== 24) out.hours = hours as WindowHours;
  if (typeof search.channel === 'string' && /^[a-z][a-z0-9_-]{0,40}$/.test(search.channel)) {
    out.channel = search.channel;
  }
  return out;
}

/** `GET /v1/stats/overview`. */
export interface Overview {
  readonly from: string;
  readonly to: string;
  readonly hours: number;
  readonly perHour: readonly { hour: string; channel: string; action: string; count: number }[];
  readonly totals: {
    readonly decisions: number;
    readonly byAction: Readonly<Record<string, number>>;
    readonly byChannel: Readonly<Record<string, number>>;
  };
  readonly topSignals: readonly { signal: string; count: number }[];
  readonly topIndicators: readonly { type: string; value: string; count: number }[];
  readonly cases: {
    readonly open: number;
    readonly inReview: number;
    readonly overdue: number;
    readonly undelivered: number;
    readonly deliveryFailed: number;
    readonly byChannel: readonly { channel: string; waiting: number; overdue: number }[];
  };
}

/** `GET /v1/channels` (only what the dashboard reads). */
export interface ChannelCatalogue {
  readonly items: readonly {
    readonly name: string;
    readonly title: Localized;
    readonly signals: readonly { name: string; description: Localized }[];
  }[];
}

/** `GET /v1/decisions/checkpoint?check=head`. */
export interface Checkpoint {
  readonly log: string;
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  readonly key: string;
}

/** `POST /v1/decisions/verify`. */
export interface AuditReport {
  readonly ok: boolean;
  readonly checked: number;
  readonly head: { readonly seq: number; readonly hash: string };
  readonly findings: readonly {
    kind: string;
    seq?: number;
    id?: string;
    caseId?: string;
    message: string;
  }[];
}

/** Verdicts that stop or hold the event: the "blocked / held" share. */
export const STOPPING_ACTIONS = ['hold', 'block', 'freeze'] as const;

const HOUR = 3_600_000;

/**
 * The hourly rows as chart columns: one bucket per hour (per local day for
 * the 30-day window), empty buckets as zeros, one series per action that
 * occurs, in the actions' order.
 */
export function bucketise(overview: Overview): {
  x: number[];
  byAction: { action: string; values: number[] }[];
  daily: boolean;
} {
  const daily = overview.hours > 168;
  const floor = (ms: number) => {
    if (!daily) return Math.floor(ms / HOUR) * HOUR;
    const d = new Date(ms);
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  };
  const next = (ms: number) => {
    if (!daily) return ms + HOUR;
    const d = new Date(ms);
    d.setDate(d.getDate() + 1);
    d.setHours(0, 0, 0, 0);
    return d.getTime();
  };
  const to = Date.parse(overview.to);
  let start = floor(Date.parse(overview.from));
  if (!Number.isFinite(start) || !Number.isFinite(to)) return { x: [], byAction: [], daily };
  const index = new Map<number, number>();
  const x: number[] = [];
  // At most 800 buckets, whatever the server sent.
  for (let at = start; at < to && x.length < 800; at = next(at)) {
    index.set(at, x.length);
    x.push(at / 1000);
  }
  if (x.length === 0) {
    start = floor(to);
    index.set(start, 0);
    x.push(start / 1000);
  }
  const counts = new Map<string, number[]>();
  for (const row of overview.perHour) {
    const slot = index.get(floor(Date.parse(row.hour)));
    if (slot === undefined) continue;
    let values = counts.get(row.action);
    if (!values) {
      values = new Array<number>(x.length).fill(0);
      counts.set(row.action, values);
    }
    values[slot] = (values[slot] ?? 0) + row.count;
  }
  const order = [
    ...ACTIONS,
    ...[...counts.keys()].filter((a) => !(ACTIONS as readonly string[]).includes(a)),
  ];
  const byAction = order.flatMap((action) => {
    const values = counts.get(action);
    return values?.some((v) => v > 0) ? [{ action, values }] : [];
  });
  return { x, byAction, daily };
}

/** `3f9a…c21b`: a hash short enough to read (the whole one goes in a title). */
export function shortHash(hash: string): string {
  return hash.length > 16 ? `${hash.slice(0, 8)}…${hash.slice(-8)}` : hash;
}
