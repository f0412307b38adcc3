import type { Kysely } from 'kysely';
import { runStatements } from '../../../store/run-statements.ts';

/**
 * Contract applications and exceptions, tightened (issue 3 review):
 *
 * - An application row is one application id of one holder at one outlet:
 *   a carrier (or an agency) reusing an id for another person, or at another
 *   shop, makes a new row, so reuse never erases the history that velocity
 *   and resale-ring checks read. The same holder re-screened at the same
 *   outlet is still one application.
 * - Each row keeps the screened person's identity key (for a corporation,
 *   the representative's) and the lines the holder held when screened.
 * - An exception keeps both: it covers the representative HQ approved and
 *   no other, and the lines held plus approved, so it is used up once the
 *   approved lines are active.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table contract_applications add column identity_key text;
    alter table contract_applications add column held_voice integer not null default 0;
    alter table contract_applications add column held_data_sms integer not null default 0;
    alter table contract_applications add column held_data integer not null default 0;
    alter table contract_applications drop constraint contract_applications_pkey;
    alter table contract_applications add primary key (org_id, application_id, holder_key, outlet);
    alter table contract_exceptions add column identity_key text;
    alter table contract_exceptions add column held jsonb not null default '{}'::jsonb
  `,
  );
}
