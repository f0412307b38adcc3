import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { type Action, MamoruError } from '../core/index.ts';
import type { ScreenResult } from '../mamoru.ts';
import { dataCommand, printJson, readStdin, via } from './context.ts';
import { cellText } from './table.ts';

/**
 * Exit status of `mamoru screen` by action, so scripts can branch on it
 * (0 is allow; 1 and 2 stay for errors and usage).
 */
export const EXIT_CODES = {
  allow: 0,
  warn: 10,
  step_up: 11,
  review: 12,
  hold: 13,
  block: 14,
  freeze: 15,
} as const satisfies Record<Action, number>;

/** `mamoru screen <channel> [file]`: one event from a JSON file or stdin; prints the verdict. */
export function registerScreenCommand(program: Command): void {
  dataCommand(
    program
      .command('screen <channel> [file]')
      .description('イベントを審査（JSON ファイルまたは標準入力）/ screen one event (JSON file or stdin)')
      .option('--event-id <id>', 'イベント ID / event id')
      .addOption(
        new Option('--format <format>', '出力形式 / output').choices(['json', 'text']).default('json'),
      ),
  ).action((channel: string, file: string | undefined, options: ScreenOptions, command: Command) =>
    screenFromFile(command, channel, file, options),
  );
}

export interface ScreenOptions {
  readonly eventId?: string;
  readonly format: string;
}

/**
 * Screen one event read from a JSON file (or stdin when `file` is absent or
 * `-`), print the verdict (JSON, or text for a clerk) and set the exit status
 * from its action. `mamoru screen <channel>` and `mamoru <channel> screen` use it.
 */
export async function screenFromFile(
  command: Command,
  channel: string,
  file: string | undefined,
  options: ScreenOptions,
): Promise<void> {
  const text = file && file !== '-' ? await readFile(file, 'utf8') : await readStdin();
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new MamoruError('validation_failed', `the input is not JSON: ${(error as Error).message}`, {
      issues: [{ path: '(body)', message: 'not JSON' }],
    });
  }
  const verdict = await via<ScreenResult>(command, {
    api: (api) =>
      api.request('POST', `/v1/screen/${encodeURIComponent(channel)}`, {
        json: payload,
        query: { eventId: options.eventId },
      }),
    direct: (mamoru, actor) =>
      mamoru.screen(actor, channel, payload, options.eventId ? { eventId: options.eventId } : {}),
  });
  if (options.format === 'text') printVerdict(verdict);
  else printJson(verdict);
  process.exitCode = EXIT_CODES[verdict.action];
}

/**
 * The verdict for a clerk: the summary and each reason, in Japanese then
 * English; the notices to read or show the customer; the case when a person
 * must decide.
 */
export function printVerdict(v: ScreenResult): void {
  const lines = [`${v.summary.ja}`, `${v.summary.en}`, ''];
  for (const r of v.reasons) lines.push(`- [${r.signal}] ${r.ja}`, `  ${r.en}`);
  for (const n of v.notices ?? []) lines.push(`* ${n.ja}`, `  ${n.en}`);
  for (const o of v.outcomes.filter((x) => x.outcome === 'error'))
    lines.push(`! ${o.detector}: ${o.code} ${o.message ?? ''}`);
  if (v.case) {
    lines.push(
      '',
      `案件 / case ${v.case.id} (${v.case.status})${v.case.reused ? ' — 審査待ちの同じ申込の案件 / the case already waiting for this subject' : ''}`,
    );
  }
  lines.push('', `decision ${v.id}  policy ${v.policy.id}@${v.policy.version}  ${v.timings.total} ms`);
  // Evidence quotes the event: control and invisible format characters are shown as code points.
  process.stdout.write(`${lines.map(cellText).join('\n')}\n`);
}
