import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/**
 * One subject, one open case: a case may record what its event is about
 * (`subject`, a key the channel gives: an application and its holder at an
 * outlet), and an organisation has at most one active case (`open` or
 * `in_review`) per channel and subject. Screening the same thing again while
 * its case waits adds to that case's history instead of opening another; a
 * closed case frees the subject. Cases opened before have no subject.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table cases add column subject text;
    create unique index cases_org_channel_subject_active on cases (org_id, channel, subject)
      where subject is not null and status in ('open', 'in_review')
  `,
  );
}
