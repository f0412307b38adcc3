import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/**
 * Outcome delivery of closed cases is recorded on the case (an outbox on
 * the row): when the owning channel has acted on a resolution or expiry
 * (`outcome_delivered_at`), and how many deliveries failed
 * (`outcome_attempts`). A case closed but never delivered — the process
 * stopped between the commit and the channel's action, or the action
 * failed — is delivered again by the sweep. Cases closed before this
 * migration count as delivered; a channel that can tell which of its
 * closed cases it never acted on clears theirs in a migration of its own,
 * named after this one (`004-case-outcome-delivery-<channel>`), which runs
 * right after it (issue 8, item 1: the core names no channel).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table cases add column outcome_delivered_at timestamptz;
    alter table cases add column outcome_attempts integer not null default 0;
    update cases set outcome_delivered_at = coalesce(resolved_at, updated_at)
      where status in ('resolved', 'expired');
    create index cases_outcome_undelivered on cases (updated_at)
      where outcome_delivered_at is null and status in ('resolved', 'expired')
  `,
  );
}
