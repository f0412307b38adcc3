import { type Command, Option } from 'commander';
import { z } from 'zod';
import { type Actor, type Permission, requirePermission } from '../cases/roles.ts';
import {
  type AnyChannel,
  type ChannelOperation,
  isRecordsOperation,
  type JsonOperation,
  MamoruError,
  matchOperation,
  type OperationContext,
  operationIssues,
  operationMethod,
  parseInput,
  pathParams,
  type QueryOperation,
  type RecordsOperation,
} from '../core/index.ts';
import type { Mamoru } from '../mamoru.ts';
import { connect, dataCommand, printJson, readJsonInput, via } from './context.ts';
import { type ImportRun, importFile } from './import-file.ts';
import { uploadImport } from './import-upload.ts';
import { type ScreenOptions, screenFromFile } from './screen-command.ts';

/**
 * A command group per channel (issue 8, item 2): `mamoru <channel> screen
 * [file]`, and one command per operation the channel declares, named as the
 * operation (`mamoru <channel> <operation>`):
 *
 * - a JSON input: `[file]`, a JSON file or stdin;
 * - a query input: a `--<field>` option per field of its query;
 * - a records input: `<file>`, CSV or JSON lines (`--format`, else from the
 *   name), streamed, with progress on stderr and exit status 4 when any
 *   record was rejected;
 * - path parameters (`quarantine/:id/release`) come first, as arguments.
 *
 * Through the server's API when one is known (`MAMORU_URL`, `--url`, the data
 * folder's server), on the database directly otherwise: the same operation,
 * the same answer (printed as JSON).
 *
 * @throws Error when a channel's name is already a command, or its operations are malformed.
 */
export function registerChannelCommands(program: Command, channels: readonly AnyChannel[]): void {
  for (const channel of channels) {
    if (program.commands.some((c) => c.name() === channel.name || c.aliases().includes(channel.name)))
      throw new Error(`channel ${channel.name}: a command of that name exists`);
    const operations = channel.operations ?? [];
    const issues = operationIssues(channel.name, operations);
    if (issues.length > 0) throw new Error(`channel ${channel.name}: ${issues.join('; ')}`);
    const group = program.command(channel.name).description(`${channel.title.ja} / ${channel.title.en}`);
    screenCommand(group, channel);
    for (const op of operations) {
      matchOperation(op, {
        json: (json) => jsonCommand(group, channel.name, json),
        query: (query) => queryCommand(group, channel.name, query),
        records: (records) => recordsCommand(group, channel.name, records),
      });
    }
  }
}

/** `mamoru <channel> screen [file]`: as `mamoru screen <channel> [file]`. */
function screenCommand(group: Command, channel: AnyChannel): void {
  dataCommand(
    group
      .command('screen [file]')
      .description(
        `${channel.title.ja}を一件審査（JSON ファイルまたは標準入力）/ screen one event: ${channel.title.en} (JSON file or stdin)`,
      )
      .option('--event-id <id>', 'イベント ID / event id')
      .addOption(
        new Option('--format <format>', '出力形式 / output').choices(['json', 'text']).default('json'),
      ),
  ).action((file: string | undefined, options: ScreenOptions, command: Command) =>
    screenFromFile(command, channel.name, file, options),
  );
}

function jsonCommand(group: Command, channel: string, op: JsonOperation): void {
  const params = pathParams(op.path);
  dataCommand(
    withAliases(group.command(`${op.name} ${params.map((p) => `<${p}> `).join('')}[file]`), op).description(
      `${op.summary.ja}（JSON ファイルまたは標準入力）/ ${op.summary.en} (JSON file or stdin)`,
    ),
  ).action(async (...args: unknown[]) => {
    const { values, command } = argumentsOf(args, params.length + 1);
    const given = paramValues(params, values);
    const input = await readJsonInput(values[params.length]);
    printJson(
      await via(command, {
        api: (api) => api.request(operationMethod(op), urlOf(channel, op, given), { json: input }),
        direct: (mamoru, actor) => runOperation(mamoru, actor, channel, op.name, input, given),
      }),
    );
  });
}

function queryCommand(group: Command, channel: string, op: QueryOperation): void {
  const params = pathParams(op.path);
  const declared = withAliases(
    group.command(`${op.name}${params.map((p) => ` <${p}>`).join('')}`),
    op,
  ).description(`${op.summary.ja} / ${op.summary.en}`);
  const fields = queryFields(op);
  for (const [field, description] of fields) {
    declared.option(`--${kebab(field)} <value>`, description ?? field);
  }
  dataCommand(declared).action(async (...args: unknown[]) => {
    const { values, command } = argumentsOf(args, params.length);
    const given = paramValues(params, values);
    const options = command.opts() as Record<string, string | undefined>;
    const query: Record<string, string> = {};
    for (const [field] of fields) {
      const value = options[field];
      if (value !== undefined) query[field] = value;
    }
    printJson(
      await via(command, {
        api: (api) => api.request(operationMethod(op), urlOf(channel, op, given), { query }),
        direct: (mamoru, actor) => runOperation(mamoru, actor, channel, op.name, query, given),
      }),
    );
  });
}

function recordsCommand(group: Command, channel: string, op: RecordsOperation): void {
  const params = pathParams(op.path);
  dataCommand(
    withAliases(group.command(`${op.name} ${params.map((p) => `<${p}> `).join('')}<file>`), op)
      .description(
        `${op.summary.ja}（CSV・JSON Lines、進捗は標準エラー）/ ${op.summary.en} (CSV with a header row, or JSON lines; progress on stderr)`,
      )
      .addOption(
        new Option('--format <format>', '形式 / format (default: from the file name)').choices([
          'csv',
          'jsonl',
        ]),
      ),
  ).action(async (...args: unknown[]) => {
    const { values, command } = argumentsOf(args, params.length + 1);
    const given = paramValues(params, values);
    const file = values[params.length] as string;
    const { format } = command.opts() as { format?: 'csv' | 'jsonl' };
    const api = await connect(command);
    if (api) return uploadImport(api, urlOf(channel, op, given), file, format);
    await importFile(command, file, format, recordsRun(channel, op.name, given), op.input.importKind);
  });
}

/**
 * Run a channel's JSON or query operation on the database directly, as
 * `mamoru <channel> <operation>` does without a server: the input validated
 * by the operation's schema (each field named), the actor's permission
 * checked, the operation of the channel `mamoru` holds run.
 *
 * @example await runOperation(mamoru, actor, channel, 'release', {}, { id: 'q_1' }); // POST /v1/<channel>/quarantine/:id/release
 */
export function runOperation(
  mamoru: Mamoru,
  actor: Actor,
  channel: string,
  name: string,
  input: unknown,
  params: Readonly<Record<string, string>> = {},
): Promise<unknown> {
  const op = operationOf(mamoru, channel, name);
  if (isRecordsOperation(op))
    throw new MamoruError('validation_failed', `${channel} ${name} takes a records file`, {
      issues: [{ path: 'file', message: 'a CSV or JSON-lines file' }],
    });
  return op.run(parseInput(op.input.schema, input), contextOf(actor, op, params));
}

/**
 * How a channel's records operation runs on the database directly (for
 * `importFile` / `importFileDirect`): the file streamed into the operation,
 * its rejections and progress into the import report.
 *
 * @example await importFileDirect(mamoru, actor, file, 'csv', op.input.importKind, recordsRun(channel, op.name));
 */
export function recordsRun(
  channel: string,
  name: string,
  params: Readonly<Record<string, string>> = {},
): ImportRun {
  return (mamoru, actor, file) => {
    const op = operationOf(mamoru, channel, name);
    if (!isRecordsOperation(op))
      throw new MamoruError('validation_failed', `${channel} ${name} takes no records file`, {
        issues: [{ path: 'file', message: 'not a records operation' }],
      });
    return op.run(
      { format: file.format, bytes: file.lines.bytes },
      { ...contextOf(actor, op, params), rejections: file.rejections, onProgress: file.onProgress },
    );
  };
}

/** The operation as the opened Mamoru's channel declares it (the described channel only names it). */
function operationOf(mamoru: Mamoru, channel: string, name: string): ChannelOperation {
  const op = mamoru.channel(channel).operations?.find((o) => o.name === name);
  if (!op)
    throw new MamoruError('not_found', `channel ${channel} has no operation ${name}`, {
      issues: [{ path: 'operation', message: `not an operation of ${channel}` }],
    });
  return op;
}

/** The CLI's actor runs the operation: the operation's permission is checked as the API checks it. */
function contextOf(
  actor: Actor,
  op: ChannelOperation,
  params: Readonly<Record<string, string>>,
): OperationContext {
  requirePermission(actor, op.permission as Permission);
  return {
    actor: { id: actor.id, orgId: actor.orgId, role: actor.role, origin: actor.origin },
    params,
    signal: new AbortController().signal,
  };
}

/** `/v1/<channel>/<path>` with each path parameter filled in (encoded). */
function urlOf(channel: string, op: ChannelOperation, params: Record<string, string>): string {
  const path = op.path
    .split('/')
    .map((s) => (s.startsWith(':') ? encodeURIComponent(params[s.slice(1)] ?? '') : s))
    .join('/');
  return `/v1/${encodeURIComponent(channel)}/${path}`;
}

/** A commander action's arguments: the first `count` positional values, then (after the options) the command. */
function argumentsOf(
  args: readonly unknown[],
  count: number,
): { values: (string | undefined)[]; command: Command } {
  return { values: args.slice(0, count) as (string | undefined)[], command: args.at(-1) as Command };
}

function paramValues(
  names: readonly string[],
  values: readonly (string | undefined)[],
): Record<string, string> {
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    const value = values[i] ?? '';
    if (value.length === 0 || value.length > 200)
      throw new MamoruError('validation_failed', `${name}: must be 1 to 200 characters`, {
        issues: [{ path: name, message: 'must be 1 to 200 characters' }],
      });
    params[name] = value;
  });
  return params;
}

/** The fields of a query input and their descriptions (a `z.object`; anything else has none). */
function queryFields(op: QueryOperation): [string, string | undefined][] {
  const schema = op.input.schema;
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([field, s]) => [
    field,
    s.description,
  ]);
}

function withAliases(command: Command, op: ChannelOperation): Command {
  for (const alias of op.aliases ?? []) command.alias(alias);
  return command;
}

/** `eventId` → `event-id`: commander camel-cases the option back to the field. */
function kebab(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
