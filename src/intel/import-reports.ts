import { type Kysely, type Selectable, sql } from 'kysely';
import { isMamoruError, newId } from '../core/index.ts';
import type { Database, ImportReportsTable } from '../store/schema.ts';
import { toIso } from '../store/to-iso.ts';
import type { ImportProgress, ImportRejection, ImportResult, RejectionSink } from './bulk-import.ts';

/** The kind of an indicator import (`POST /v1/indicators/import`). */
export const INDICATOR_IMPORT = 'indicators';

/**
 * What was imported: indicators ({@link INDICATOR_IMPORT}), or what a
 * channel's records operation loads (its `importKind`: a carrier's lines…).
 */
export type ImportKind = string;

export const IMPORT_STATUSES = ['running', 'complete', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** Reports (and their rejections) older than this are deleted when the organisation's next import ends. */
export const REPORT_DAYS = 30;

/** What one import did, as `GET /v1/imports/{id}` answers. */
export interface ImportReport extends ImportProgress {
  readonly id: string;
  readonly kind: ImportKind;
  readonly status: ImportStatus;
  /** Who ran it: the API key id, or `cli:<user>`. */
  readonly actor: string;
  /** Why a failed import stopped. */
  readonly error: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

/** An import's result with the id of its report. */
export interface ReportedImport extends ImportResult {
  readonly importId: string;
}

/**
 * The rejection sink of one import (its report) and where its progress goes:
 * pass both to the import (`rejections: report, onProgress: report.onProgress`).
 */
export interface ReportSink extends RejectionSink {
  readonly id: string;
  readonly onProgress: (progress: ImportProgress) => void;
}

/**
 * Import reports (migration 006): every import's counts and every line it
 * rejected, read page by page, so an import's answer holds counts and its
 * first rejections only, whatever the file held. Rows are keyed by
 * organisation: another organisation's report is not found.
 *
 * @example
 * const reports = new ImportReports(db);
 * const result = await reports.run({ orgId, kind: 'indicators', actor: 'key_1' }, (report) =>
 *   importIndicators(target, orgId, input, { format: 'csv', rejections: report, onProgress: report.onProgress }),
 * );
 * const page = await reports.rejections(orgId, result.importId, { limit: 1000 });
 */
export class ImportReports {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Run an import with its report. The report row is written with the first
   * rejections (status `running`) or at the end; a file refused before its
   * first line (a bad CSV header) leaves no report. Any other failure is
   * recorded as `failed` with its error and the counts of the batches
   * written, then thrown again.
   */
  async run(
    meta: { readonly orgId: string; readonly kind: ImportKind; readonly actor: string },
    importFn: (report: ReportSink) => Promise<ImportResult>,
    options: { readonly onProgress?: ((progress: ImportProgress) => void) | undefined } = {},
  ): Promise<ReportedImport> {
    const id = newId('imp');
    const startedAt = new Date();
    let seq = 0;
    let created = false;
    let last: ImportProgress = { processed: 0, imported: 0, updated: 0, rejected: 0 };
    const row = (status: ImportStatus, p: ImportProgress, error: string | null) => ({
      org_id: meta.orgId,
      id,
      kind: meta.kind,
      status,
      actor: meta.actor,
      processed: p.processed,
      imported: p.imported,
      updated: p.updated,
      rejected: p.rejected,
      error,
      started_at: startedAt,
      finished_at: status === 'running' ? null : new Date(),
    });
    const save = (status: ImportStatus, p: ImportProgress, error: string | null) =>
      this.#db
        .insertInto('import_reports')
        .values(row(status, p, error))
        .onConflict((oc) =>
          oc.columns(['org_id', 'id']).doUpdateSet((eb) => ({
            status: eb.ref('excluded.status'),
            processed: eb.ref('excluded.processed'),
            imported: eb.ref('excluded.imported'),
            updated: eb.ref('excluded.updated'),
            rejected: eb.ref('excluded.rejected'),
            error: eb.ref('excluded.error'),
            finished_at: eb.ref('excluded.finished_at'),
          })),
        )
        .execute();
    const sink: ReportSink = {
      id,
      onProgress: (progress) => {
        last = progress;
        options.onProgress?.(progress);
      },
      write: async (rejections) => {
        if (!created) {
          created = true;
          await save('running', last, null);
        }
        const from = seq;
        seq += rejections.length;
        await this.#writeRejections(meta.orgId, id, from, rejections);
      },
    };
    let result: ImportResult;
    try {
      result = await importFn(sink);
    } catch (error) {
      // A file refused before its first line (a bad CSV header) did nothing worth a report.
      const refused = isMamoruError(error) && error.code === 'validation_failed' && last.processed === 0;
      if (created || !refused) {
        const message = error instanceof Error ? error.message : String(error);
        await save('failed', last, message.slice(0, 1000)).catch(() => undefined);
      }
      throw error;
    }
    await save('complete', result, null);
    await this.#forgetOld(meta.orgId);
    return { importId: id, ...result };
  }

  /** One import's report, or undefined when this organisation has none by that id. */
  async get(orgId: string, id: string): Promise<ImportReport | undefined> {
    const row = await this.#db
      .selectFrom('import_reports')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toReport(row) : undefined;
  }

  /**
   * A page of an import's rejections in input order, after `cursor` (the
   * previous page's `nextCursor`).
   */
  async rejections(
    orgId: string,
    id: string,
    page: { readonly cursor?: number | undefined; readonly limit: number },
  ): Promise<{ items: ImportRejection[]; nextCursor: string | null }> {
    const rows = await this.#db
      .selectFrom('import_rejections')
      .select(['seq', 'line', 'field', 'message'])
      .where('org_id', '=', orgId)
      .where('import_id', '=', id)
      .where('seq', '>', page.cursor ?? 0)
      .orderBy('seq')
      .limit(page.limit + 1)
      .execute();
    const items = rows.slice(0, page.limit);
    return {
      items: items.map((r) => ({ line: r.line, field: r.field, message: r.message })),
      nextCursor: rows.length > page.limit ? String(items.at(-1)!.seq) : null,
    };
  }

  /** Every rejection of an import, a page at a time (for an NDJSON answer or a file). */
  async *allRejections(orgId: string, id: string, pageSize = 5_000): AsyncGenerator<ImportRejection[]> {
    let cursor: number | undefined;
    for (;;) {
      const page = await this.rejections(orgId, id, { cursor, limit: pageSize });
      if (page.items.length > 0) yield page.items;
      if (page.nextCursor === null) return;
      cursor = Number(page.nextCursor);
    }
  }

  async #writeRejections(
    orgId: string,
    id: string,
    from: number,
    rejections: readonly ImportRejection[],
  ): Promise<void> {
    if (rejections.length === 0) return;
    await sql`
      insert into import_rejections (org_id, import_id, seq, line, field, message)
      select ${orgId}, ${id}, ${from} + r.n, r.line, r.field, r.message
      from unnest(${rejections.map((r) => r.line)}::int[], ${rejections.map((r) => r.field)}::text[],
        ${rejections.map((r) => r.message)}::text[]) with ordinality as r(line, field, message, n)
    `.execute(this.#db);
  }

  /** Delete this organisation's reports older than {@link REPORT_DAYS}, with their rejections. */
  async #forgetOld(orgId: string): Promise<void> {
    const before = new Date(Date.now() - REPORT_DAYS * 86_400_000);
    const old = await this.#db
      .selectFrom('import_reports')
      .select('id')
      .where('org_id', '=', orgId)
      .where('started_at', '<', before)
      .limit(100)
      .execute();
    if (old.length === 0) return;
    const ids = old.map((r) => r.id);
    await this.#db
      .deleteFrom('import_rejections')
      .where('org_id', '=', orgId)
      .where('import_id', 'in', ids)
      .execute();
    await this.#db.deleteFrom('import_reports').where('org_id', '=', orgId).where('id', 'in', ids).execute();
  }
}

function toReport(row: Selectable<ImportReportsTable>): ImportReport {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as ImportStatus,
    actor: row.actor,
    processed: row.processed,
    imported: row.imported,
    updated: row.updated,
    rejected: row.rejected,
    error: row.error,
    startedAt: toIso(row.started_at),
    finishedAt: row.finished_at ? toIso(row.finished_at) : null,
  };
}
