import { CASE_ACTIONS, CASE_STATUSES, type CaseAction } from './model.ts';

/** The queue's status filter: `waiting` (open + in review, the default), one status, or all. */
export const STATUS_FILTERS = ['waiting', ...CASE_STATUSES, 'all'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface QueueSearch {
  readonly status?: StatusFilter;
  readonly channel?: string;
  readonly action?: CaseAction;
  readonly origin?: string;
  readonly assignee?: string;
  readonly overdue?: boolean;
  readonly order?: 'due' | 'newest';
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : undefined;

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (values as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

/** Filters live in the URL: a queue view can be bookmarked and shared. Unknown values are dropped. */
export function validateQueueSearch(search: Record<string, unknown>): QueueSearch {
  const out: {
    -readonly [K in keyof QueueSearch]: QueueSearch[K];
  } = {};
  const status = oneOf(STATUS_FILTERS, search.status);
  if (status && status !== 'waiting') out.status = status;
  const channel = text(search.channel);
  if (channel) out.channel = channel;
  const action = oneOf(CASE_ACTIONS, search.action);
  if (action) out.action = action;
  const origin = text(search.origin);
  if (origin) out.origin = origin;
  const assignee = text(search.assignee);
  if (assignee) out.assignee = assignee;
  if (search.overdue === true || search.overdue === 'true') out.overdue = true;
  if (search.order === 'newest') out.order = 'newest';
  return out;
}

export interface CaseSearch {
  /** Open with the resolve form focused (the queue's `r` shortcut). */
  readonly resolve?: boolean;
}

export function validateCaseSearch(search: Record<string, unknown>): CaseSearch {
  return search.resolve === true || search.resolve === 'true' ? { resolve: true } : {};
}
