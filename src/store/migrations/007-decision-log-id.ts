import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/**
 * The decision log's own id (X1), kept in settings as `decision_log_id`: a
 * signed checkpoint names the log it was taken of, so that a checkpoint is
 * never checked against another installation's log by mistake, and a log
 * emptied and started again under a new id shows as another log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    insert into settings (key, value)
      values ('decision_log_id', to_jsonb('log_' || replace(gen_random_uuid()::text, '-', '')))
      on conflict (key) do nothing
  `,
  );
}
