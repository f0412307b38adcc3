import type { Kysely } from 'kysely';
import { invalidField } from '../core/errors.ts';
import type { Database } from '../store/schema.ts';
import { type Case, caseFromRow } from './case.ts';
import type { CaseOrder, ListCasesFilter } from './case-schemas.ts';
import { ACTIVE_STATUSES, CLOSED_STATUSES } from './case-status.ts';

/** One page of the case queue; pass `nextCursor` back for the next page (`null` on the last). */
/**
 * The organisation's cases, or for an origin-bound key (`origin` set) only
 * its origin's: every read of cases on behalf of a key starts here, so
 * another origin's case is not found, as another organisation's is.
 */
export function casesOf(db: Kysely<Database>, orgId: string, origin: string | undefined) {
  const query = db.selectFrom('cases').selectAll().where('org_id', '=', orgId);
  return origin === undefined ? query : query.where('origin', '=', origin);
}

export interface CasePage {
  readonly items: readonly Case[];
  readonly nextCursor: string | null;
}

interface Cursor {
  readonly order: CaseOrder;
  /** The sort key (due or created time, ISO) of the last case on the page. */
  readonly at: string;
  readonly id: string;
}

/** An opaque keyset cursor: stable under inserts, no offsets. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.order, cursor.at, cursor.id])).toString('base64url');
}

/** Read a cursor back; one that is malformed or from another order is a validation error. */
export function decodeCursor(text: string, order: CaseOrder): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 3 &&
    parsed[0] === order &&
    typeof parsed[1] === 'string' &&
    !Number.isNaN(Date.parse(parsed[1])) &&
    typeof parsed[2] === 'string'
  ) {
    return { order, at: parsed[1], id: parsed[2] };
  }
  throw invalidField('query.cursor', 'not a cursor of this list (use nextCursor as given)');
}

/**
 * The cases of one organisation matching a filter, one page at a time.
 * Always filtered by `org_id`. `overdue` means still waiting (open or in
 * review) with the due time reached at `now`.
 */
export async function queryCases(
  db: Kysely<Database>,
  orgId: string,
  filter: ListCasesFilter,
  now: Date,
  origin?: string,
): Promise<CasePage> {
  const column = filter.order === 'due' ? 'due_at' : 'created_at';
  const direction = filter.order === 'due' ? 'asc' : 'desc';
  let query = casesOf(db, orgId, origin);
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    query = query.where('status', 'in', statuses);
  }
  if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.assignee !== undefined) query = query.where('assignee', '=', filter.assignee);
  // For an origin-bound key `casesOf` already keeps its own origin: asking for another finds nothing.
  if (filter.origin !== undefined) query = query.where('origin', '=', filter.origin);
  if (filter.decisionId !== undefined) query = query.where('decision_id', '=', filter.decisionId);
  if (filter.overdue === true) {
    query = query.where('status', 'in', ACTIVE_STATUSES).where('due_at', '<=', now);
  } else if (filter.overdue === false) {
    query = query.where((eb) => eb.or([eb('status', 'not in', ACTIVE_STATUSES), eb('due_at', '>', now)]));
  }
  if (filter.undelivered === true) {
    query = query.where('status', 'in', CLOSED_STATUSES).where('outcome_delivered_at', 'is', null);
  } else if (filter.undelivered === false) {
    query = query.where((eb) =>
      eb.or([eb('status', 'in', ACTIVE_STATUSES), eb('outcome_delivered_at', 'is not', null)]),
    );
  }
  if (filter.cursor !== undefined) {
    const cursor = decodeCursor(filter.cursor, filter.order);
    query = query.where((eb) =>
      eb(
        eb.refTuple(column, 'id'),
        direction === 'asc' ? '>' : '<',
        eb.tuple(new Date(cursor.at), cursor.id),
      ),
    );
  }
  const rows = await query
    .orderBy(column, direction)
    .orderBy('id', direction)
    .limit(filter.limit + 1)
    .execute();
  const items = rows.slice(0, filter.limit).map(caseFromRow);
  const last = items.at(-1);
  const nextCursor =
    rows.length > filter.limit && last
      ? encodeCursor({
          order: filter.order,
          at: filter.order === 'due' ? last.dueAt : last.createdAt,
          id: last.id,
        })
      : null;
  return { items, nextCursor };
}
