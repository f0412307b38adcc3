import type { Command } from 'commander';
import type { ImportProgress } from '../intel/bulk-import.ts';
import { type ImportKind, INDICATOR_IMPORT } from '../intel/import-reports.ts';
import { printJson, withMamoru } from './context.ts';
import { type ImportRun, importFileDirect } from './import-direct.ts';
import { importFormat } from './import-upload.ts';

export { fileInput, type ImportRun, importFileDirect } from './import-direct.ts';

/**
 * Run a bulk import of `file` on the database directly (`mamoru intel
 * import`, `mamoru <channel> <records operation>`): the format from
 * `--format` or the file name, the file streamed, progress on stderr, the
 * result as JSON on stdout (counts, the first 1,000 rejections, the import
 * id), and exit status 4 when any line was rejected. `kind` is the import
 * report's (indicators, or the operation's `importKind`).
 */
export async function importFile(
  command: Command,
  file: string,
  format: 'csv' | 'jsonl' | undefined,
  run: ImportRun,
  kind: ImportKind = INDICATOR_IMPORT,
): Promise<void> {
  const chosen = importFormat(file, format);
  const tty = process.stderr.isTTY;
  const onProgress = (p: ImportProgress) => {
    const line = `取り込み中 / importing: ${p.processed} lines — ${p.imported} new, ${p.updated} updated, ${p.rejected} rejected`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
  const result = await withMamoru(command, (mamoru, actor) =>
    importFileDirect(mamoru, actor, file, chosen, kind, run, { onProgress }),
  );
  if (tty) process.stderr.write('\n');
  if (result.rejected > result.rejections.length) {
    process.stderr.write(
      `拒否行の全件 / every rejected line: GET /v1/imports/${result.importId}/rejections\n`,
    );
  }
  printJson(result);
  if (result.rejected > 0) process.exitCode = 4;
}
