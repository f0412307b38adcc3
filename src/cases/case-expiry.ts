import type { Kysely } from 'kysely';
import type { CaseRow, Database } from '../store/schema.ts';
import { caseFromRow, SYSTEM_ACTOR } from './case.ts';
import { caseEventRow } from './case-history.ts';
import { ACTIVE_STATUSES, assertTransition, type CaseStatus } from './case-status.ts';

/**
 * Expire up to `limit` waiting cases (any organisation) whose due time has
 * been reached at `now` (`due_at <= now`: a case expires exactly at its due
 * time), oldest due first, and record `status_changed` and `expired` in each
 * history. Run it in a transaction; rows another transaction holds are
 * skipped (`skip locked`), so several processes may expire side by side.
 * Returns the expired rows.
 */
export async function expireBatch(trx: Kysely<Database>, now: Date, limit: number): Promise<CaseRow[]> {
  const due = await trx
    .selectFrom('cases')
    .select(['id', 'status'])
    .where('status', 'in', ACTIVE_STATUSES)
    .where('due_at', '<=', now)
    .orderBy('due_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  if (due.length === 0) return [];
  for (const d of due) assertTransition(d.status as CaseStatus, 'expired');
  const expired = await trx
    .updateTable('cases')
    .set({
      status: 'expired',
      effect: 'expired',
      resolved_by: SYSTEM_ACTOR,
      resolved_at: now,
      updated_at: now,
    })
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .returningAll()
    .execute();
  const from = new Map(due.map((d) => [d.id, d.status]));
  await trx
    .insertInto('case_events')
    .values(
      expired.flatMap((row) => [
        caseEventRow(row, now, SYSTEM_ACTOR, 'status_changed', { from: from.get(row.id), to: 'expired' }),
        caseEventRow(row, now, SYSTEM_ACTOR, 'expired', { dueAt: caseFromRow(row).dueAt, effect: 'expired' }),
      ]),
    )
    .execute();
  return expired;
}
