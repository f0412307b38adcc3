import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/**
 * Origin, not outlet (issue 8, item 6): where an event comes from is a
 * neutral concept (`src/core/origin.ts`: a shop, an agency, a web form, an
 * MTA, a trunk, a bank branch), so the columns that bound a key to an outlet
 * and recorded a case's outlet are renamed. A rename keeps every value and
 * index (no rewrite of the table); a key bound to `shop:<id>` before is
 * bound to that origin now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table api_keys rename column outlet to origin;
    alter table cases rename column outlet to origin;
    alter index cases_org_outlet_status rename to cases_org_origin_status
  `,
  );
}
