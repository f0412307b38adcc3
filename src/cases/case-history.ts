import type { Kysely } from 'kysely';
import { newId } from '../core/id.ts';
import type { CaseRow, Database } from '../store/schema.ts';
import { type CaseEvent, type CaseEventType, caseEventFromRow } from './case.ts';

/** A `case_events` row for one history entry of a case. */
export function caseEventRow(
  row: Pick<CaseRow, 'id' | 'org_id'>,
  at: Date,
  actor: string,
  type: CaseEventType,
  data: Record<string, unknown>,
) {
  return {
    id: newId('cev'),
    case_id: row.id,
    org_id: row.org_id,
    at,
    actor,
    type,
    data: JSON.stringify(data),
  };
}

/**
 * Append one entry to a case's history. Pass the transaction of the change it
 * records, so the entry commits or rolls back with it.
 */
export async function addCaseEvent(
  db: Kysely<Database>,
  row: Pick<CaseRow, 'id' | 'org_id'>,
  at: Date,
  actor: string,
  type: CaseEventType,
  data: Record<string, unknown>,
): Promise<CaseEvent> {
  const inserted = await db
    .insertInto('case_events')
    .values(caseEventRow(row, at, actor, type, data))
    .returningAll()
    .executeTakeFirstOrThrow();
  return caseEventFromRow(inserted);
}
