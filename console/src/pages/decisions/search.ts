import type { Action } from '../../types.ts';
import { ACTIONS, INDICATOR_TYPES, type IndicatorType } from '../../types.ts';

export { INDICATOR_TYPES, type IndicatorType };

/** The explorer's filters, as kept in the URL (times as ISO 8601 instants). */
export interface DecisionSearch {
  readonly from?: string;
  readonly to?: string;
  readonly channel?: string;
  readonly action?: Action;
  readonly signal?: string;
  readonly indicator?: string;
  readonly indicatorType?: IndicatorType;
}

const text = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, max) : undefined;

const instant = (value: unknown): string | undefined => {
  const raw = text(value, 40);
  if (!raw) return undefined;
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};

/** What the URL says, kept only where it makes sense (a hand-edited URL never breaks the page). */
export function parseDecisionSearch(search: Record<string, unknown>): DecisionSearch {
  const out: { -readonly [K in keyof DecisionSearch]: DecisionSearch[K] } = {};
  const from = instant(search.from);
  if (from) out.from = from;
  const to = instant(search.to);
  if (to) out.to = to;
  const channel = text(search.channel, 50);
  if (channel) out.channel = channel;
  if (typeof search.action === 'string' && (ACTIONS as readonly string[]).includes(search.action))
    out.action = search.action as Action;
  const signal = text(search.signal, 100);
  if (signal) out.signal = signal;
  const indicator = text(search.indicator, 2048);
  if (indicator) out.indicator = indicator;
  if (
    typeof search.indicatorType === 'string' &&
    (INDICATOR_TYPES as readonly string[]).includes(search.indicatorType)
  )
    out.indicatorType = search.indicatorType as IndicatorType;
  return out;
}

/** An ISO instant → the value of a `datetime-local` input, in the browser's time zone. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (browser's time zone) → an ISO instant; empty → undefined. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
