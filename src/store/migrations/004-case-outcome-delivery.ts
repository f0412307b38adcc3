import type { Kysely } from 'kysely';
import { runStatements } from './001-initial.ts';

/**
 * Outcome delivery of closed cases is recorded on the case (an outbox on
 * the row): when the owning channel has acted on a resolution or expiry
 * (`outcome_delivered_at`), and how many deliveries failed
 * (`outcome_attempts`). A case closed but never delivered — the process
 * stopped between the commit and the channel's action, or the action
 * failed — is delivered again by the sweep. Cases closed before this
 * migration count as delivered, except contract approvals whose exception
 * was never written (lost in a stop before the upgrade): the sweep writes it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table cases add column outcome_delivered_at timestamptz;
    alter table cases add column outcome_attempts integer not null default 0;
    update cases set outcome_delivered_at = coalesce(resolved_at, updated_at)
      where status in ('resolved', 'expired')
        and not (channel = 'contract' and action = 'review' and resolution = 'approved'
          and not exists (select 1 from contract_exceptions e where e.org_id = cases.org_id and e.case_id = cases.id));
    create index cases_outcome_undelivered on cases (updated_at)
      where outcome_delivered_at is null and status in ('resolved', 'expired')
  `,
  );
}
