import type { Kysely } from 'kysely';
import { runStatements } from '../../../store/run-statements.ts';

/**
 * The message channel's tables (issue 9): screened messages for the campaign
 * check (SimHash bands, indexed per band and time), subscribers' settings and
 * allow lists (I3), reports from subscribers (labels, and indicators once
 * confirmed), and the verified-sender registry. See `tables.ts`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table message_messages (
      org_id text not null,
      decision_id text not null,
      received_at timestamptz not null,
      kind text not null,
      sender text not null,
      recipient_key text,
      simhash text not null,
      band0 integer not null,
      band1 integer not null,
      band2 integer not null,
      band3 integer not null,
      urls text[] not null default '{}',
      phones text[] not null default '{}',
      action text not null,
      score double precision not null,
      primary key (org_id, decision_id)
    );
    create index message_messages_band0 on message_messages (org_id, band0, received_at);
    create index message_messages_band1 on message_messages (org_id, band1, received_at);
    create index message_messages_band2 on message_messages (org_id, band2, received_at);
    create index message_messages_band3 on message_messages (org_id, band3, received_at);
    create index message_messages_received on message_messages (org_id, received_at);
    create table message_subscribers (
      org_id text not null,
      subscriber_key text not null,
      filtering boolean not null default true,
      strength text not null default 'standard',
      updated_at timestamptz not null default now(),
      updated_by text not null,
      primary key (org_id, subscriber_key)
    );
    create table message_allowed_senders (
      org_id text not null,
      subscriber_key text not null,
      sender text not null,
      added_at timestamptz not null default now(),
      primary key (org_id, subscriber_key, sender)
    );
    create table message_reports (
      org_id text not null,
      report_id text not null,
      subscriber_key text,
      decision_id text,
      label text not null,
      kind text,
      sender text,
      text text,
      status text not null default 'pending',
      reported_by text not null,
      created_at timestamptz not null default now(),
      reviewed_by text,
      reviewed_at timestamptz,
      indicators integer not null default 0,
      primary key (org_id, report_id)
    );
    create index message_reports_status on message_reports (org_id, status, created_at);
    create table message_verified_senders (
      org_id text not null,
      sender text not null,
      brand text not null,
      note text,
      added_at timestamptz not null default now(),
      added_by text not null,
      primary key (org_id, sender)
    )
  `,
  );
}
