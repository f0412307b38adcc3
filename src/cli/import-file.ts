import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { MamoruError } from '../core/index.ts';
import type { ImportInput, ImportProgress, ImportResult } from '../intel/bulk-import.ts';
import type { Mamoru, Principal } from '../mamoru.ts';
import { printJson, withMamoru } from './context.ts';

/** How a bulk import is run from the CLI: the file's lines, its format, and where progress goes. */
export type ImportRun = (
  mamoru: Mamoru,
  actor: Principal,
  file: { lines: ImportInput; format: 'csv' | 'jsonl'; onProgress: (p: ImportProgress) => void },
) => Promise<ImportResult>;

/**
 * Run a bulk import of `file` (`mamoru intel import`, `mamoru contract
 * import-lines`): the format from `--format` or the file name, the file read
 * line by line (a large file never sits in memory), progress on stderr, the
 * result as JSON on stdout, and exit status 4 when any line was rejected.
 */
export async function importFile(
  command: Command,
  file: string,
  format: 'csv' | 'jsonl' | undefined,
  run: ImportRun,
): Promise<void> {
  const chosen =
    format ?? (/\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : /\.csv$/i.test(file) ? 'csv' : undefined);
  if (!chosen) {
    throw new MamoruError(
      'validation_failed',
      'cannot tell the format from the file name: pass --format csv|jsonl',
      {
        issues: [{ path: '--format', message: 'required for this file name' }],
      },
    );
  }
  const tty = process.stderr.isTTY;
  const onProgress = (p: ImportProgress) => {
    const line = `取り込み中 / importing: ${p.processed} lines — ${p.imported} new, ${p.updated} updated, ${p.rejected} rejected`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
  const result = await withMamoru(command, (mamoru, actor) =>
    run(mamoru, actor, {
      lines: createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY }),
      format: chosen,
      onProgress,
    }),
  );
  if (tty) process.stderr.write('\n');
  printJson(result);
  if (result.rejected > 0) process.exitCode = 4;
}
