import type { Kysely } from 'kysely';
import { runStatements } from '../run-statements.ts';

/**
 * Import reports: what a bulk import (indicators, a channel's records) did, and
 * every line it rejected, so that an import answers with counts and its
 * first rejections only and the full list is read page by page
 * (`GET /v1/imports/{id}/rejections`). Rejections are numbered in input
 * order (`seq`), the paging cursor.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    create table import_reports (
      org_id text not null,
      id text not null,
      kind text not null,
      status text not null,
      actor text not null,
      processed integer not null default 0,
      imported integer not null default 0,
      updated integer not null default 0,
      rejected integer not null default 0,
      error text,
      started_at timestamptz not null,
      finished_at timestamptz,
      primary key (org_id, id)
    );
    create index import_reports_started on import_reports (org_id, started_at);
    create table import_rejections (
      org_id text not null,
      import_id text not null,
      seq integer not null,
      line integer not null,
      field text not null,
      message text not null,
      primary key (org_id, import_id, seq)
    )
  `,
  );
}
