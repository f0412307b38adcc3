import type { Kysely } from 'kysely';
import { runStatements } from './001-initial.ts';

/**
 * Outlet-bound keys (P2: a shop or sales agency sees its own customers'
 * cases, never another outlet's): an API key may be bound to one outlet
 * (`shop:<id>`, `agency:<id>` or `online`), and a case records the outlet
 * its event came from; contract cases opened before are given theirs from
 * the decision log.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table api_keys add column outlet text;
    alter table cases add column outlet text;
    create index cases_org_outlet_status on cases (org_id, outlet, status, due_at) where outlet is not null;
    update cases c set outlet = case d.event->'salesChannel'->>'type'
        when 'online' then 'online'
        when 'shop' then 'shop:' || coalesce(d.event->'salesChannel'->>'shopId', 'unknown')
        when 'agency' then 'agency:' || coalesce(d.event->'salesChannel'->>'agencyId', 'unknown')
      end
      from decisions d
      where d.org_id = c.org_id and d.id = c.decision_id and c.channel = 'contract' and c.outlet is null
  `,
  );
}
