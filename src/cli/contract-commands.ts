import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { contractStoreOf } from '../channels/contract/contract-store.ts';
import { importLines, type LineImportProgress } from '../channels/contract/lines-import.ts';
import { MamoruError, type Verdict } from '../core/index.ts';
import { DATA_FLAGS, printJson, readStdin, withMamoru } from './context.ts';
import { withConfigFlags } from './main.ts';
import { EXIT_CODES } from './screen-command.ts';

/**
 * `mamoru contract import-lines <file>` (the carrier's lines, CSV or JSON
 * lines, with progress on stderr) and `mamoru contract screen [file]` (one
 * application, as `mamoru screen contract`).
 */
export function registerContractCommands(program: Command): void {
  const contract = program.command('contract').description('携帯電話の回線契約 / mobile line contracts');
  withConfigFlags(
    contract
      .command('import-lines <file>')
      .description(
        '回線を一括取り込み（既存回線・開通・解約）/ bulk-load lines: existing lines, activations, cancellations (CSV with a header row, or JSON lines)',
      )
      .addOption(
        new Option('--format <format>', '形式 / format (default: from the file name)').choices([
          'csv',
          'jsonl',
        ]),
      )
      .option('--org <id>', '組織 / organisation'),
    DATA_FLAGS,
  ).action(async (file: string, options: { format?: 'csv' | 'jsonl' }, command: Command) => {
    const format =
      options.format ??
      (/\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : /\.csv$/i.test(file) ? 'csv' : undefined);
    if (!format) {
      throw new MamoruError(
        'validation_failed',
        'cannot tell the format from the file name: pass --format csv|jsonl',
        {
          issues: [{ path: '--format', message: 'required for this file name' }],
        },
      );
    }
    const tty = process.stderr.isTTY;
    const show = (p: LineImportProgress) => {
      const line = `取り込み中 / importing: ${p.processed} lines — ${p.imported} new, ${p.updated} updated, ${p.rejected} rejected`;
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    };
    const result = await withMamoru(command, (m, actor) =>
      importLines(
        contractStoreOf(m.channel('contract')).lines,
        actor.orgId,
        createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY }),
        { format, onProgress: show },
      ),
    );
    if (tty) process.stderr.write('\n');
    printJson(result);
    if (result.rejected > 0) process.exitCode = 4;
  });
  withConfigFlags(
    contract
      .command('screen [file]')
      .description(
        '契約申込を審査（JSON ファイルまたは標準入力）/ screen one application (JSON file or stdin)',
      )
      .option('--org <id>', '組織 / organisation (default: the operator organisation)')
      .option('--event-id <id>', 'イベント ID / event id')
      .addOption(
        new Option('--format <format>', '出力形式 / output').choices(['json', 'text']).default('json'),
      ),
    DATA_FLAGS,
  ).action(
    async (file: string | undefined, options: { eventId?: string; format: string }, command: Command) => {
      const text = file && file !== '-' ? await readFile(file, 'utf8') : await readStdin();
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch (error) {
        throw new MamoruError('validation_failed', `the input is not JSON: ${(error as Error).message}`, {
          issues: [{ path: '(body)', message: 'not JSON' }],
        });
      }
      const verdict = await withMamoru(command, (m, actor) =>
        m.screen(actor, 'contract', payload, options.eventId ? { eventId: options.eventId } : {}),
      );
      if (options.format === 'text') printVerdict(verdict);
      else printJson(verdict);
      process.exitCode = EXIT_CODES[verdict.action];
    },
  );
}

/** The verdict for a clerk: the summary and each reason, in Japanese then English. */
function printVerdict(v: Verdict): void {
  const lines = [v.summary.ja, v.summary.en, ''];
  for (const r of v.reasons) lines.push(`- [${r.signal}] ${r.ja}`, `  ${r.en}`);
  for (const o of v.outcomes.filter((x) => x.outcome === 'error'))
    lines.push(`! ${o.detector}: ${o.code} ${o.message ?? ''}`);
  lines.push('', `decision ${v.id}  policy ${v.policy.id}@${v.policy.version}  ${v.timings.total} ms`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
