/**
 * `mamoru eval message <file>`, `mamoru eval url <file>` (issue 9, "must
 * show"; measures I1, I3) and `mamoru eval mail <path>` (issue 11; E1–E4):
 * Mamoru's metrics on anyone's labelled data, printed
 * as JSON, so a carrier can check it on its own traffic before switching it on.
 * Works offline, with no server and no database. Exit status 0 on success,
 * 2 when the file is missing or unreadable (Japanese first, then English).
 */
import type { Command } from 'commander';
import { evaluateMailPath, mailEvalDns, parseEnvelopeOption } from '../channels/mail/evaluate.ts';
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
    .command('mail <path>')
    .description(
      'JSON lines {"raw","label":"fraud"|"legit","envelope"?} または fraud/・legit/（spam/・ham/）フォルダの .eml をメールチャネル全体で審査し指標を表示 / screen labelled mail (JSON lines, or a folder of fraud/ and legit/ .eml files) through the whole mail channel and print the metrics',
    )
    .option(
      '--dns <mode>',
      'off: DNS を使わず認証検査をすべて省く（既定）/ off: no DNS, every authentication check skipped (default)',
      'off',
    )
    .option('--zone <file>', 'DNS の答えをゾーンファイルから返す / answer DNS from a zone file')
    .option(
      '--envelope <json>',
      'エンベロープのない行の既定値（例 {"clientIp":"192.0.2.1","mailFrom":"a@example.com"}）/ envelope defaults for rows without one',
    )
    .action(async (path: string, options: { dns: string; zone?: string; envelope?: string }) => {
      try {
        const dns = await mailEvalDns(options);
        const envelope = options.envelope === undefined ? undefined : parseEnvelopeOption(options.envelope);
        printJson(
          await evaluateMailPath(path, {
            dns: dns.dns,
            dnsLabel: dns.label,
            ...(envelope === undefined ? {} : { envelope }),
          }),
        );
      } catch (error) {
        unreadable(error, path);
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
