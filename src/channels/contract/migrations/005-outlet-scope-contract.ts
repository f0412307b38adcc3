import type { Kysely } from 'kysely';
import { runStatements } from '../../../store/run-statements.ts';

/**
 * The contract part of the core's `005-outlet-scope` (split from it when the
 * channel took its tables, issue 8 item 1): contract cases opened before
 * cases recorded their outlet are given theirs from the logged application's
 * sales channel. Only cases without one are touched, so running it again (on
 * a database that ran the original, both parts in one) changes nothing.
 *
 * A one-time data migration reads the log's rows in SQL; the channel's code
 * reads decisions only through the decision log's interface.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
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
