/**
 * `mamoru mail scan <file.eml>` (measures E1–E4, issue 11 item 3): screens one RFC 5322 message
 * file — what an administrator has in hand when a user forwards a suspicious mail, or what a
 * script hands over from a Maildir — through the running server's API or on the database
 * directly, like `mamoru screen`. The message's exact bytes go as `rawBase64`; the SMTP envelope
 * comes from flags, the recipients by default from the message's To and Cc (postal-mime reads
 * them: the parser the mail channel uses). Prints the verdict and what the milter would answer
 * the MTA; the exit status is the action's, as for `mamoru screen`.
 */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import PostalMime, { type Address } from 'postal-mime';
import { type MailPayload, verdictToMilter } from '../channels/mail/index.ts';
import { MamoruError } from '../core/index.ts';
import type { ScreenResult } from '../mamoru.ts';
import { dataCommand, printJson, via } from './context.ts';
import { EXIT_CODES, printVerdict } from './screen-command.ts';

interface ScanOptions {
  readonly rcpt?: string[];
  readonly mailFrom?: string;
  readonly clientIp?: string;
  readonly helo?: string;
  readonly eventId?: string;
  readonly format: string;
}

/** Adds `scan` to the `mail` command group (made by the channel's operations, or here). */
export function registerMailCommands(program: Command): void {
  const group =
    program.commands.find((c) => c.name() === 'mail') ??
    program.command('mail').description('メール（受信）/ Mail (inbound)');
  dataCommand(
    group
      .command('scan <file>')
      .description(
        'メールファイル（.eml、- で標準入力）を審査 / screen one mail message file (.eml, - for stdin)',
      )
      .option(
        '--rcpt <address...>',
        '受信者（RCPT TO、既定はメッセージの To と Cc）/ recipients (RCPT TO; default: the To and Cc of the message)',
      )
      .option('--mail-from <address>', 'エンベロープ送信者（MAIL FROM）/ envelope sender (MAIL FROM)')
      .option('--client-ip <ip>', '送信元クライアントの IP（SPF）/ IP address of the sending client (SPF)')
      .option('--helo <name>', 'HELO/EHLO 名 / HELO or EHLO name')
      .option('--event-id <id>', 'イベント ID / event id')
      .addOption(
        new Option('--format <format>', '出力形式 / output').choices(['json', 'text']).default('json'),
      ),
  ).action((file: string, options: ScanOptions, command: Command) => scanMailFile(command, file, options));
}

/** The message file's bytes (stdin for `-`). */
async function readMessage(file: string): Promise<Buffer> {
  if (file !== '-') return readFile(file);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The mailboxes of To/Cc, groups opened. */
function addresses(list: readonly Address[] | undefined): string[] {
  return (list ?? []).flatMap((a) =>
    'group' in a && Array.isArray(a.group) ? a.group.map((m) => m.address) : [a.address ?? ''],
  );
}

/**
 * The mail payload of a message file: its bytes as `rawBase64`, the envelope from the options,
 * the recipients from `--rcpt` or else the message's To and Cc.
 *
 * @throws MamoruError `validation_failed` naming `--rcpt` when there is no recipient.
 */
export async function mailFilePayload(
  bytes: Buffer,
  options: Omit<ScanOptions, 'format' | 'eventId'>,
): Promise<MailPayload> {
  let rcptTo = options.rcpt ?? [];
  if (rcptTo.length === 0) {
    const email = await PostalMime.parse(bytes, { maxHeadersSize: 1024 * 1024 }).catch(() => undefined);
    rcptTo = [...new Set([...addresses(email?.to), ...addresses(email?.cc)].filter((a) => a.includes('@')))];
  }
  if (rcptTo.length === 0)
    throw new MamoruError(
      'validation_failed',
      '受信者がわかりません。--rcpt で指定してください / no recipient: the message has no To or Cc address; give --rcpt',
      { issues: [{ path: '--rcpt', message: 'required when the message names no To or Cc address' }] },
    );
  return {
    rawBase64: bytes.toString('base64'),
    envelope: {
      rcptTo,
      ...(options.mailFrom !== undefined ? { mailFrom: options.mailFrom } : {}),
      ...(options.clientIp !== undefined ? { clientIp: options.clientIp } : {}),
      ...(options.helo !== undefined ? { helo: options.helo } : {}),
    },
  };
}

/** What the milter would answer the MTA for this verdict, as one line. */
export function mtaLine(verdict: ScreenResult): string {
  const d = verdictToMilter(verdict, 'mamoru');
  switch (d.kind) {
    case 'accept':
      return verdict.action === 'warn'
        ? 'MTA: 配信（警告ヘッダー付き）/ deliver with X-Mamoru-Warning'
        : 'MTA: 配信 / deliver';
    case 'discard':
      return 'MTA: 隔離（Mamoru が保管）/ quarantine (Mamoru keeps the only copy; the MTA drops its own)';
    case 'reject':
      return `MTA: 受信拒否 / reject ${d.code} ${d.ext} ${d.text}`;
    case 'quarantine':
      return `MTA: 保留 / hold ${d.reason}`;
    case 'tempfail':
      return `MTA: 一時エラー / 451 4.7.1 ${d.text}`;
  }
}

async function scanMailFile(command: Command, file: string, options: ScanOptions): Promise<void> {
  const payload = await mailFilePayload(await readMessage(file), options);
  const verdict = await via<ScreenResult>(command, {
    api: (api) =>
      api.request('POST', '/v1/screen/mail', { json: payload, query: { eventId: options.eventId } }),
    direct: (mamoru, actor) =>
      mamoru.screen(actor, 'mail', payload, options.eventId ? { eventId: options.eventId } : {}),
  });
  if (options.format === 'json') printJson(verdict);
  else {
    printVerdict(verdict);
    process.stdout.write(`${mtaLine(verdict)}\n`);
  }
  process.exitCode = EXIT_CODES[verdict.action];
}
