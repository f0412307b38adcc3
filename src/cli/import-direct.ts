import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Actor } from '../cases/roles.ts';
import { MamoruError } from '../core/index.ts';
import type { ByteInput, ImportProgress, ImportResult, RejectionSink } from '../intel/bulk-import.ts';
import { type ImportKind, ImportReports, type ReportedImport } from '../intel/import-reports.ts';
import type { Mamoru } from '../mamoru.ts';

/**
 * How a bulk import is run on the database directly: the file's bytes (read
 * only as fast as rows are written), its format, where progress goes and
 * where every rejection goes (the import report) — pass the last two to the
 * import (`importIndicators`, a records operation's `run`).
 */
export type ImportRun = (
  mamoru: Mamoru,
  actor: Actor,
  file: {
    lines: ByteInput;
    format: 'csv' | 'jsonl';
    onProgress: (p: ImportProgress) => void;
    rejections: RejectionSink;
  },
) => Promise<ImportResult>;

/**
 * A file's bytes for an import, opened only when the import starts reading
 * (after its target is ready) and read as fast as it consumes them: no line
 * is read before anyone takes it, so none is lost however slow the database.
 */
export function fileInput(file: string): ByteInput {
  return {
    bytes: {
      [Symbol.asyncIterator]: () => createReadStream(file)[Symbol.asyncIterator](),
    },
  };
}

/**
 * Import one file on the database directly (what `intel import` and a
 * channel's records operation run without a server): the file streamed into
 * `run`, every rejection stored in the import report (`GET
 * /v1/imports/{id}/rejections` reads it), the first 1,000 in the result.
 *
 * @example
 * const result = await importFileDirect(mamoru, actor, 'feed.csv', 'csv', 'indicators', async (m, a, f) =>
 *   importIndicators(await m.importTarget(a.orgId), a.orgId, f.lines, f), { onProgress: console.error });
 */
export async function importFileDirect(
  mamoru: Mamoru,
  actor: Actor,
  file: string,
  format: 'csv' | 'jsonl',
  kind: ImportKind,
  run: ImportRun,
  options: { readonly onProgress?: (p: ImportProgress) => void } = {},
): Promise<ReportedImport> {
  await access(file).catch((error: NodeJS.ErrnoException) => {
    throw new MamoruError('validation_failed', `${file}: ${error.code ?? 'unreadable'}`, {
      issues: [{ path: 'file', message: 'cannot be read' }],
    });
  });
  return new ImportReports(mamoru.store.db).run(
    { orgId: actor.orgId, kind, actor: actor.id },
    (report) =>
      run(mamoru, actor, {
        lines: fileInput(file),
        format,
        onProgress: report.onProgress,
        rejections: report,
      }),
    { onProgress: options.onProgress },
  );
}
