import { Readable } from 'node:stream';
import { z } from 'zod';
import { type Actor, type Permission, requirePermission } from '../../cases/roles.ts';
import { MamoruError } from '../../core/index.ts';
import {
  IMPORT_STATUSES,
  type ImportKind,
  type ImportReport,
  ImportReports,
  INDICATOR_IMPORT,
} from '../../intel/import-reports.ts';
import type { Mamoru } from '../../mamoru.ts';
import { type App, actorOf } from '../route-kit.ts';
import { errorResponses, idParams } from '../schemas.ts';

/**
 * Reading an import's report takes the permission the import took: the
 * indicator import's, or that of the channel operation whose `importKind`
 * it is. A kind no registered channel declares any more is the admin's.
 */
function permissionsOf(mamoru: Mamoru): ReadonlyMap<ImportKind, Permission> {
  const permissions = new Map<ImportKind, Permission>([[INDICATOR_IMPORT, 'indicators:write']]);
  for (const channel of mamoru.channels()) {
    for (const op of channel.operations ?? []) {
      if (op.input.kind !== 'records') continue;
      if (permissions.has(op.input.importKind))
        throw new Error(`${channel.name}.${op.name}: import kind ${op.input.importKind} is taken`);
      permissions.set(op.input.importKind, op.permission as Permission);
    }
  }
  return permissions;
}

const importReportSchema = z
  .object({
    id: z.string(),
    kind: z
      .string()
      .describe(
        '取り込みの種類: indicators、またはチャネルの一括操作の種類（lines など）/ indicators, or the import kind of a channel operation (lines…)',
      ),
    status: z.enum(IMPORT_STATUSES),
    actor: z.string(),
    processed: z.number().int(),
    imported: z.number().int(),
    updated: z.number().int(),
    rejected: z.number().int(),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ImportReport' });

const rejectionSchema = z.object({ line: z.number().int(), field: z.string(), message: z.string() });

const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(10_000).default(1_000).describe('件数 1–10000 / Page size'),
    cursor: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('前のページの nextCursor / The previous page’s nextCursor'),
  })
  .strict();

/**
 * Import reports: what a bulk import did (`GET /v1/imports/{id}`) and every
 * line it rejected (`GET /v1/imports/{id}/rejections`, page by page, or all
 * of it as NDJSON with `Accept: application/x-ndjson`). An import answers
 * with its first 1,000 rejections only; these are the rest.
 */
export async function importRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  const reports = new ImportReports(mamoru.store.db);
  const permissions = permissionsOf(mamoru);
  const reportOf = async (actor: Actor, id: string): Promise<ImportReport> => {
    const report = await reports.get(actor.orgId, id);
    if (!report)
      throw new MamoruError('not_found', `import ${id} not found`, {
        issues: [{ path: 'params.id', message: 'no such import in this organisation' }],
      });
    requirePermission(actor, permissions.get(report.kind) ?? 'orgs:admin');
    return report;
  };

  app.get(
    '/v1/imports/:id',
    {
      schema: {
        tags: ['imports'],
        summary: '取り込みの結果 / What an import did',
        params: idParams,
        response: { 200: importReportSchema, ...errorResponses },
      },
    },
    async (request) => reportOf(actorOf(request), request.params.id),
  );
  app.get(
    '/v1/imports/:id/rejections',
    {
      schema: {
        tags: ['imports'],
        summary: '取り込みで拒否した行（全件）/ Every line an import rejected',
        description:
          '入力順にページで返します。Accept: application/x-ndjson なら全件を 1 行 1 件で返します。\n\nIn input order, page by page; with `Accept: application/x-ndjson`, every one, one JSON object a line.',
        params: idParams,
        querystring: pageQuery,
        response: {
          200: z.object({ items: z.array(rejectionSchema).readonly(), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const report = await reportOf(actor, request.params.id);
      const cursor = cursorOf(request.query.cursor, report.rejected);
      if (/\bapplication\/(x-)?ndjson\b/.test(request.headers.accept ?? '')) {
        const pages = reports.allRejections(actor.orgId, report.id);
        const lines = async function* () {
          for await (const page of pages) yield `${page.map((r) => JSON.stringify(r)).join('\n')}\n`;
        };
        // A stream goes out as it is, not through the JSON page's serializer.
        return reply.type('application/x-ndjson').send(Readable.from(lines()) as never);
      }
      return reports.rejections(actor.orgId, report.id, { cursor, limit: request.query.limit });
    },
  );
}

/** A rejections cursor: the number of the last rejection of the previous page (1 to `rejected`). */
function cursorOf(given: string | undefined, rejected: number): number | undefined {
  if (given === undefined) return undefined;
  const n = /^\d{1,10}$/.test(given) ? Number(given) : 0;
  if (n < 1 || n > rejected) {
    throw new MamoruError('validation_failed', 'query.cursor: names no rejected line of this import', {
      issues: [{ path: 'query.cursor', message: 'names no rejected line of this import' }],
    });
  }
  return n;
}
