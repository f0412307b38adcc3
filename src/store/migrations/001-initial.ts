import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** The first schema: organisations, keys, policies, the decision log, cases, indicators, labels. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table organisations (
      id text primary key,
      name text not null,
      created_at timestamptz not null default now()
    );
    create table api_keys (
      id text primary key,
      org_id text not null references organisations(id),
      name text not null,
      role text not null,
      hash text not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    create index api_keys_org on api_keys (org_id);
    create table partnerships (
      org_id text not null references organisations(id),
      partner_org_id text not null references organisations(id),
      created_at timestamptz not null default now(),
      primary key (org_id, partner_org_id)
    );
    create table policy_versions (
      org_id text not null references organisations(id),
      channel text not null,
      version integer not null,
      document jsonb not null,
      created_by text not null,
      created_at timestamptz not null default now(),
      comment text,
      primary key (org_id, channel, version)
    );
    create table decisions (
      seq bigint primary key,
      id text not null unique,
      org_id text not null,
      channel text not null,
      event_id text not null,
      action text not null,
      score double precision not null,
      verdict jsonb not null,
      event jsonb not null,
      created_at timestamptz not null,
      prev_hash text not null,
      hash text not null
    );
    create index decisions_org_seq on decisions (org_id, seq desc);
    create index decisions_org_channel_seq on decisions (org_id, channel, seq desc);
    create table decision_chain (
      id integer primary key,
      last_seq bigint not null,
      last_hash text not null
    );
    create table cases (
      id text primary key,
      org_id text not null references organisations(id),
      decision_id text not null,
      channel text not null,
      action text not null,
      status text not null,
      assignee text,
      due_at timestamptz not null,
      summary jsonb not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      resolution text,
      resolution_reason text,
      effect text,
      resolved_by text,
      resolved_at timestamptz
    );
    create index cases_org_status on cases (org_id, status, due_at);
    create unique index cases_org_decision on cases (org_id, decision_id);
    create index cases_status_due on cases (status, due_at);
    create table case_events (
      id text primary key,
      case_id text not null references cases(id),
      org_id text not null,
      at timestamptz not null,
      actor text not null,
      type text not null,
      data jsonb not null
    );
    create index case_events_case on case_events (case_id, at);
    create table indicators (
      id text primary key,
      org_id text not null references organisations(id),
      type text not null,
      value text not null,
      verdict text not null,
      confidence integer not null,
      source text not null,
      scope text not null,
      first_seen timestamptz not null,
      last_seen timestamptz not null,
      expires_at timestamptz,
      tags jsonb not null default '[]',
      description text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      unique (org_id, type, value)
    );
    create index indicators_lookup on indicators (type, value);
    create index indicators_org_id on indicators (org_id, id desc);
    create table labels (
      id text primary key,
      org_id text not null references organisations(id),
      decision_id text not null,
      channel text not null,
      label text not null,
      source text not null,
      case_id text,
      created_by text not null,
      created_at timestamptz not null
    );
    create index labels_org on labels (org_id, channel, created_at);
    create table settings (
      key text primary key,
      value jsonb not null
    );
  `,
  );
}

/** Where the migrations written before `run-statements.ts` (and any copied from them) import it from. */
export { runStatements } from '../run-statements.ts';
