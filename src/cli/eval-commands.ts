/**
 * `mamoru eval message <file>` and `mamoru eval url <file>` (issue 9, "must
 * show"; measures I1, I3): Mamoru's metrics on anyone's labelled data, printed
 * as JSON, so a carrier can check it on its own traffic before switching it on.
 * Works offline, with no server and no database. Exit status 0 on success,
 * 2 when the file is missing or unreadable (Japanese first, then English).
 */
import type { Command } from 'commander';
import { EvalFileError, evaluateMessageFile } from '../channels/message/evaluate.ts';
import { evaluateUrlFile } from '../ml/eval-url.ts';
import { printJson } from './context.ts';

/** Prints the error and sets exit 2 for an unreadable file; rethrows anything else. */
function unreadable(error: unknown, path: string): void {
  if (error instanceof EvalFileError) {
    process.stderr.write(`mamoru: ${error.message}\n`);
  } else if (
    (error as { code?: string }).code === 'ENOENT' ||
    (error as { code?: string }).code === 'EACCES' ||
    (error as { code?: string }).code === 'EISDIR'
  ) {
    process.stderr.write(`mamoru: ファイルを読めません: ${path} / cannot read the file ${path}\n`);
  } else {
    throw error;
  }
  process.exitCode = 2;
}

export function registerEvalCommands(program: Command): void {
  const evalCommand = program
    .command('eval')
    .description('ラベル付きデータで検知性能を測る / measure detection on labelled data');
  evalCommand
    .command('message <file>')
    .description(
      'JSON lines {"text","label":"fraud"|"legit","kind"?,"sender"?} をメッセージチャネル全体で審査し指標を表示 / screen labelled messages through the whole message channel and print the metrics',
    )
    .option('--policy <file>', 'メッセージのポリシー（JSON）/ a message policy document (JSON)')
    .action(async (file: string, options: { policy?: string }) => {
      try {
        printJson(
          await evaluateMessageFile(file, options.policy === undefined ? {} : { policyFile: options.policy }),
        );
      } catch (error) {
        unreadable(error, file);
      }
    });
  evalCommand
    .command('url <file>')
    .description(
      'CSV (url,label) または JSON lines {"url","label"} で URL の検査だけを測る / measure the URL checks alone on labelled URLs',
    )
    .action(async (file: string) => {
      try {
        printJson(await evaluateUrlFile(file));
      } catch (error) {
        unreadable(error, file);
      }
    });
}
