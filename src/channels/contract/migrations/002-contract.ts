import type { Kysely } from 'kysely';
import { runStatements } from '../../../store/run-statements.ts';

/**
 * The contract channel's tables (measures P2, P6): holders and their lines as
 * the carrier imports them, screened applications, and exceptions approved by
 * HQ. Holders, addresses, devices and registered users appear only as keyed
 * hashes (HMAC). Every query filters by `org_id` first, and every index leads
 * with it. `org_id` is not a foreign key on the large tables: a carrier loads
 * millions of lines, and a per-row check would slow that load for nothing
 * (rows are only ever written for the caller's own organisation).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table contract_holders (
      org_id text not null,
      holder_key text not null,
      holder_type text not null,
      corporate_number text,
      first_seen timestamptz not null,
      primary key (org_id, holder_key)
    );
    create table contract_lines (
      org_id text not null,
      line_id text not null,
      holder_key text not null,
      sim_type text not null,
      status text not null,
      contracted_at timestamptz,
      cancelled_at timestamptz,
      sales_channel text,
      outlet text,
      registered_user_key text,
      updated_at timestamptz not null,
      primary key (org_id, line_id)
    );
    create index contract_lines_holder on contract_lines (org_id, holder_key, sim_type, status) include (cancelled_at);
    create table contract_applications (
      org_id text not null,
      application_id text not null,
      holder_key text not null,
      holder_type text not null,
      address_key text not null,
      device_key text,
      sales_channel text not null,
      outlet text not null,
      voice_lines integer not null,
      data_sms_lines integer not null,
      data_lines integer not null,
      submitted_at timestamptz not null,
      decision_id text not null,
      action text not null,
      primary key (org_id, application_id)
    );
    create index contract_applications_holder on contract_applications (org_id, holder_key, submitted_at);
    create index contract_applications_address on contract_applications (org_id, address_key, submitted_at);
    create index contract_applications_device on contract_applications (org_id, device_key, submitted_at) where device_key is not null;
    create index contract_applications_decision on contract_applications (org_id, decision_id);
    create table contract_exceptions (
      org_id text not null,
      case_id text not null,
      application_id text not null,
      holder_key text not null,
      lines jsonb not null,
      approved_by text not null,
      approved_at timestamptz not null,
      reason text not null,
      primary key (org_id, case_id)
    );
    create index contract_exceptions_application on contract_exceptions (org_id, application_id, approved_at)
  `,
  );
}
