import type { Kysely } from 'kysely';
import { runStatements } from '../../../store/run-statements.ts';

/**
 * The mail channel's tables (issue 11, E3/E4): the quarantine (the message's
 * bytes as bytea, its recipients' keyed hashes with a GIN index for the
 * per-recipient list), training labels from releases and appeals, the
 * senders' reputation and the recipients' filter strength. See `tables.ts`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table mail_quarantine (
      org_id text not null,
      id text not null,
      decision_id text not null,
      recipient_keys text[] not null,
      recipients text[] not null,
      mail_from text not null,
      from_address text,
      subject text not null,
      score double precision not null,
      action text not null,
      summary jsonb not null,
      verdict jsonb not null,
      origin text not null,
      sender_refs text[] not null default '{}',
      size integer not null,
      message bytea,
      received_at timestamptz not null,
      expires_at timestamptz not null,
      status text not null,
      released_at timestamptz,
      released_by text,
      released_to text[] not null default '{}',
      appeal_case_id text,
      appeal_status text,
      appeal_reason text,
      appeal_at timestamptz,
      primary key (org_id, id)
    );
    create unique index mail_quarantine_decision on mail_quarantine (org_id, decision_id);
    create index mail_quarantine_list on mail_quarantine (org_id, status, received_at, id);
    create index mail_quarantine_recipients on mail_quarantine using gin (recipient_keys);
    create index mail_quarantine_expiry on mail_quarantine (expires_at) where message is not null;
    create table mail_labels (
      org_id text not null,
      decision_id text not null,
      label text not null,
      source text not null,
      at timestamptz not null default now(),
      by text not null,
      primary key (org_id, decision_id, source)
    );
    create index mail_labels_at on mail_labels (org_id, at, decision_id, source);
    create table mail_reputation (
      org_id text not null,
      kind text not null,
      key text not null,
      first_seen timestamptz not null,
      last_seen timestamptz not null,
      messages integer not null default 0,
      bad integer not null default 0,
      released integer not null default 0,
      upheld integer not null default 0,
      primary key (org_id, kind, key)
    );
    create index mail_reputation_first_seen on mail_reputation (org_id, first_seen);
    create table mail_recipient_strength (
      org_id text not null,
      recipient_key text not null,
      strength text not null,
      updated_at timestamptz not null default now(),
      updated_by text not null,
      primary key (org_id, recipient_key)
    )
  `,
  );
}
