import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { INDICATOR_TYPES, type IndicatorType, MamoruError, SHARING_SCOPES } from '../core/index.ts';
import { type ImportProgress, importIndicators } from '../intel/import-indicators.ts';
import { DATA_FLAGS, printJson, withMamoru } from './context.ts';
import { withConfigFlags } from './main.ts';

/** `intel import <file>` (CSV or JSON lines, with progress) and `intel lookup <type> <value>`. */
export function registerIntelCommands(program: Command): void {
  const intel = program.command('intel').description('脅威指標 / indicators');
  withConfigFlags(
    intel
      .command('import <file>')
      .description('指標を一括取り込み / bulk-import indicators (CSV with a header row, or JSON lines)')
      .addOption(
        new Option('--format <format>', '形式 / format (default: from the file name)').choices([
          'csv',
          'jsonl',
        ]),
      )
      .option('--source <source>', '情報源の既定値 / default source')
      .addOption(
        new Option('--scope <scope>', '共有範囲の既定値 / default sharing scope').choices(SHARING_SCOPES),
      )
      .option('--org <id>', '組織 / organisation'),
    DATA_FLAGS,
  ).action(
    async (
      file: string,
      options: { format?: 'csv' | 'jsonl'; source?: string; scope?: (typeof SHARING_SCOPES)[number] },
      command: Command,
    ) => {
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
      const show = (p: ImportProgress) => {
        const line = `取り込み中 / importing: ${p.processed} lines — ${p.imported} new, ${p.updated} updated, ${p.rejected} rejected`;
        process.stderr.write(tty ? `\r${line}` : `${line}\n`);
      };
      const result = await withMamoru(command, async (m, actor) =>
        importIndicators(
          await m.importTarget(actor.orgId, options.scope, '--scope'),
          actor.orgId,
          createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY }),
          {
            format,
            defaults: {
              ...(options.source ? { source: options.source } : {}),
              ...(options.scope ? { scope: options.scope } : {}),
            },
            onProgress: show,
          },
        ),
      );
      if (tty) process.stderr.write('\n');
      printJson(result);
      if (result.rejected > 0) process.exitCode = 4;
    },
  );
  withConfigFlags(
    intel
      .command('lookup <type> <value>')
      .description(`値を照会 / look a value up (${INDICATOR_TYPES.join(', ')})`)
      .option('--org <id>', '組織 / organisation'),
    DATA_FLAGS,
  ).action(async (type: string, value: string, _o, command: Command) => {
    if (!(INDICATOR_TYPES as readonly string[]).includes(type)) {
      throw new MamoruError('validation_failed', `type must be one of ${INDICATOR_TYPES.join(', ')}`, {
        issues: [{ path: 'type', message: 'unknown type' }],
      });
    }
    const matches = await withMamoru(command, (m, actor) =>
      m.intel.lookupRaw(actor.orgId, type as IndicatorType, value),
    );
    printJson({ matches });
    if (matches.length === 0) process.exitCode = 5;
  });
}
