import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/**
 * Outlet-bound keys (P2: a shop or sales agency sees its own customers'
 * cases, never another outlet's): an API key may be bound to one outlet
 * (`shop:<id>`, `agency:<id>` or `online`), and a case records the outlet
 * its event came from. A channel whose cases opened before know their
 * outlet from the logged event fills it in a migration of its own, named
 * after this one (`005-outlet-scope-<channel>`; issue 8, item 1).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table api_keys add column outlet text;
    alter table cases add column outlet text;
    create index cases_org_outlet_status on cases (org_id, outlet, status, due_at) where outlet is not null
  `,
  );
}
