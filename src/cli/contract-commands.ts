import { type Command, Option } from 'commander';
import { contractStoreOf } from '../channels/contract/contract-store.ts';
import { importLines } from '../channels/contract/lines-import.ts';
import { connect, dataCommand, printJson, readJsonInput, via } from './context.ts';
import { importFile } from './import-file.ts';
import { uploadImport } from './import-upload.ts';
import { type ScreenOptions, screenFromFile } from './screen-command.ts';

/**
 * `mamoru contract import-lines <file>` (the carrier's lines, CSV or JSON
 * lines, with progress on stderr), `mamoru contract line [file]` (one line
 * event) and `mamoru contract screen [file]` (one application, as
 * `mamoru screen contract`).
 */
export function registerContractCommands(program: Command): void {
  const contract = program.command('contract').description('携帯電話の回線契約 / mobile line contracts');
  dataCommand(
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
      ),
  ).action(async (file: string, options: { format?: 'csv' | 'jsonl' }, command: Command) => {
    const api = await connect(command);
    if (api) return uploadImport(api, '/v1/contract/lines/import', file, options.format);
    await importFile(command, file, options.format, (m, actor, { lines, format, onProgress, rejections }) =>
      importLines(contractStoreOf(m.channel('contract')).lines, actor.orgId, lines, {
        format,
        onProgress,
        rejections,
      }),
    );
  });
  dataCommand(
    contract
      .command('line [file]')
      .description(
        '回線の開通・停止・解約を一件記録（JSON ファイルまたは標準入力）/ record one line activation, suspension or cancellation (JSON file or stdin)',
      ),
  ).action(async (file: string | undefined, _o, command: Command) => {
    const event = await readJsonInput(file);
    printJson(
      await via(command, {
        api: (api) => api.request('POST', '/v1/contract/lines', { json: event }),
        direct: (m, actor) => contractStoreOf(m.channel('contract')).lines.record(actor.orgId, event),
      }),
    );
  });
  dataCommand(
    contract
      .command('screen [file]')
      .description(
        '契約申込を審査（JSON ファイルまたは標準入力）/ screen one application (JSON file or stdin)',
      )
      .option('--event-id <id>', 'イベント ID / event id')
      .addOption(
        new Option('--format <format>', '出力形式 / output').choices(['json', 'text']).default('json'),
      ),
  ).action((file: string | undefined, options: ScreenOptions, command: Command) =>
    screenFromFile(command, 'contract', file, options),
  );
}
