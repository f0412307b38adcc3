import type { Kysely } from 'kysely';
import { runStatements } from '../../../store/run-statements.ts';

/**
 * Contract rules of issue 7 (P2, P3, P6):
 * - online sign-ups keep their client IP as a keyed hash (`ip_key`), so that
 *   many holders signing up from one IP are seen (sign-ups by program);
 * - applications keep the user keys of their registered users
 *   (`user_keys`, HMAC of name and birth date), and the carrier's lines are
 *   indexed by registered user, so that one person registered as the user of
 *   lines under many holders is seen;
 * - an exception HQ approved is used once: the decision that used it is
 *   recorded (`used_decision_id`, `used_at`) and a used exception covers
 *   nothing more.
 *
 * Registered-user keys written before this migration were identity keys
 * (name, birth date and address); they are now user keys (name and birth
 * date): lines imported with registered users before it should be imported
 * again for the shared-user check to see them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table contract_applications add column ip_key text;
    alter table contract_applications add column user_keys text[] not null default '{}';
    create index contract_applications_ip on contract_applications (org_id, ip_key, submitted_at) where ip_key is not null;
    create index contract_applications_users on contract_applications using gin (user_keys);
    create index contract_lines_user on contract_lines (org_id, registered_user_key) where registered_user_key is not null;
    alter table contract_exceptions add column used_decision_id text;
    alter table contract_exceptions add column used_at timestamptz
  `,
  );
}
