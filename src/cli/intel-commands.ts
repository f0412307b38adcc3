import { type Command, Option } from 'commander';
import { INDICATOR_TYPES, type IndicatorType, MamoruError, SHARING_SCOPES } from '../core/index.ts';
import { importIndicators } from '../intel/import-indicators.ts';
import { DATA_FLAGS, printJson, withMamoru } from './context.ts';
import { importFile } from './import-file.ts';
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
    (
      file: string,
      options: { format?: 'csv' | 'jsonl'; source?: string; scope?: (typeof SHARING_SCOPES)[number] },
      command: Command,
    ) =>
      importFile(command, file, options.format, async (m, actor, { lines, format, onProgress, rejections }) =>
        importIndicators(await m.importTarget(actor.orgId, options.scope, '--scope'), actor.orgId, lines, {
          format,
          defaults: {
            ...(options.source ? { source: options.source } : {}),
            ...(options.scope ? { scope: options.scope } : {}),
          },
          onProgress,
          rejections,
        }),
      ),
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
