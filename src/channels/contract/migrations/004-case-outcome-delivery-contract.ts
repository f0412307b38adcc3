import type { Kysely } from 'kysely';
import { runStatements } from '../../../store/run-statements.ts';

/**
 * The contract part of the core's `004-case-outcome-delivery` (split from it
 * when the channel took its tables, issue 8 item 1). That migration counts
 * every case closed before it as delivered; a contract approval whose
 * exception was never written (lost in a stop before the upgrade) was not,
 * and goes back to undelivered here, so that the sweep writes it. Runs right
 * after the core's on a database that had neither. On one that ran the
 * original (both parts in one) it finds nothing to do: a delivered approval
 * with no failed attempt has its exception (delivery writes it, or fails
 * and counts an attempt), so it is safe to run again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    update cases set outcome_delivered_at = null
      where channel = 'contract' and action = 'review' and resolution = 'approved'
        and status in ('resolved', 'expired')
        and outcome_delivered_at is not null and outcome_attempts = 0
        and not exists (select 1 from contract_exceptions e where e.org_id = cases.org_id and e.case_id = cases.id)
  `,
  );
}
