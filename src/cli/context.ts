import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { type Command, Option } from 'commander';
import type { Actor } from '../cases/roles.ts';
import { type Config, loadConfig, SETTINGS, type SettingName } from '../config.ts';
import { isMamoruError, MamoruError } from '../core/index.ts';
import { Mamoru } from '../mamoru.ts';
import { storeOptions } from '../setup.ts';
import { type ApiClient, CLIENT_SETTINGS, chooseClient } from './api-client.ts';
import { withConfigFlags } from './config-flags.ts';
import { type Column, renderTable } from './table.ts';

/** The store-facing flags every data command takes. */
export const DATA_FLAGS = [
  'databaseUrl',
  'dataDir',
  'hmacKey',
  'logLevel',
] as const satisfies readonly SettingName[];

/** Configuration from a command's flags (camel-cased by commander) over the environment. */
export function configFrom(command: Command): Config {
  const opts = command.optsWithGlobals() as Record<string, string | undefined>;
  const flags: Partial<Record<SettingName, string>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const value = opts[name];
    if (value !== undefined) flags[name] = value;
  }
  return loadConfig(flags);
}

/**
 * Open Mamoru for one CLI command, run `fn`, close it. The CLI works on the
 * database directly, as an admin of the organisation chosen by `--org`
 * (default: the operator organisation).
 */
export async function withMamoru<T>(
  command: Command,
  fn: (mamoru: Mamoru, actor: Actor) => Promise<T>,
): Promise<T> {
  const config = configFrom(command);
  // With --org the command is meant for the database itself: going through a server is no way out.
  const orgChosen = (command.optsWithGlobals() as { org?: string }).org !== undefined;
  // A command run where there is no Mamoru data (another folder, a typo) must not create a database there.
  const pglite = storeOptions(config).dataDir;
  if (!config.databaseUrl && pglite !== 'memory://' && !existsSync(pglite))
    throw new MamoruError(
      'not_found',
      `データフォルダ ${config.dataDir} に Mamoru のデータベースがありません。サーバー（npm start）を起動するか、MAMORU_URL・MAMORU_DATA_DIR を指定してください / no Mamoru database in the data folder ${config.dataDir}: start the server (npm start) or set MAMORU_URL (--url) or MAMORU_DATA_DIR (--data-dir)`,
    );
  const mamoru = await Mamoru.open(config).catch((error: unknown) => {
    throw explainLocked(error, orgChosen);
  });
  try {
    const org =
      (command.optsWithGlobals() as { org?: string }).org ??
      (await mamoru.store.settings.get<string>('operator_org'));
    if (!org)
      throw new MamoruError(
        'not_found',
        `${config.databaseUrl ? 'このデータベース' : `データフォルダ ${config.dataDir}`}に組織がありません。一度 mamoru serve を実行するか、MAMORU_DATA_DIR・MAMORU_URL を確認してください / no organisation yet in ${config.databaseUrl ? 'this database' : `the data folder ${config.dataDir}`}: run \`mamoru serve\` once, pass --org, or check MAMORU_DATA_DIR (--data-dir) or MAMORU_URL (--url)`,
      );
    if (!(await mamoru.store.orgs.get(org)))
      throw new MamoruError('not_found', `organisation ${org} not found`);
    return await fn(mamoru, { id: `cli:${userInfo().username}`, role: 'admin', orgId: org });
  } finally {
    await mamoru.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** JSON from a file, or from stdin when `file` is absent or `-`; not JSON is a validation error. */
export async function readJsonInput(file: string | undefined): Promise<unknown> {
  const text = file && file !== '-' ? await readFile(file, 'utf8') : await readStdin();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MamoruError('validation_failed', `the input is not JSON: ${(error as Error).message}`, {
      issues: [{ path: '(body)', message: 'not JSON' }],
    });
  }
}

/** Read all of stdin (for `-` or a missing file argument). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Add `--url` and `--api-key`: the running server this command goes through (see {@link connect}). */
export function withClientFlags(command: Command): Command {
  for (const s of Object.values(CLIENT_SETTINGS)) {
    command.addOption(new Option(`${s.flag} <value>`, `${s.ja} / ${s.en} [env ${s.env}]`));
  }
  return command;
}

/**
 * A command that works on the organisation's data: the database flags,
 * `--url`/`--api-key` for a server, and `--org` (the database directly only).
 */
export function dataCommand(command: Command): Command {
  return withClientFlags(
    withConfigFlags(
      command.option('--org <id>', '組織（データベース直接のとき）/ organisation, on the database directly'),
      DATA_FLAGS,
    ),
  );
}

/**
 * The running server's API this command goes through, or `undefined` to work
 * on the database directly. `--url`/`MAMORU_URL` with `--api-key`/
 * `MAMORU_API_KEY`, else the server recorded in the data folder (see
 * {@link chooseClient}). `--org` names an organisation of the database, which
 * only direct mode can choose (through the API the key decides): with `--org`
 * and no URL the command works on the database directly.
 */
export async function connect(command: Command): Promise<ApiClient | undefined> {
  const opts = command.optsWithGlobals() as { url?: string; apiKey?: string; org?: string };
  const url = opts.url ?? process.env[CLIENT_SETTINGS.url.env];
  const apiKey = opts.apiKey ?? process.env[CLIENT_SETTINGS.apiKey.env];
  if (opts.org !== undefined) {
    if (url) {
      throw new MamoruError(
        'validation_failed',
        '--org はデータベースを直接使うときだけ指定できます。API では API キーの組織が使われます / --org works on the database directly only: through the API the key decides the organisation',
        { issues: [{ path: '--org', message: `not with ${CLIENT_SETTINGS.url.env} (--url)` }] },
      );
    }
    return undefined;
  }
  return chooseClient({ url, apiKey, dataDir: configFrom(command).dataDir });
}

/**
 * Run a command through the API when a server is configured or found, else on
 * the database directly. Both ways give the same shape, so printing is one.
 */
export async function via<T>(
  command: Command,
  ways: {
    readonly api: (api: ApiClient) => Promise<T>;
    readonly direct: (mamoru: Mamoru, actor: Actor) => Promise<T>;
  },
): Promise<T> {
  const api = await connect(command);
  return api ? ways.api(api) : withMamoru(command, ways.direct);
}

/**
 * A clear word when the embedded database is held by another process (the
 * server, most often): how to go through its API instead, or, for a command
 * that only works on the database (`directOnly`), what to do.
 */
export function explainLocked(error: unknown, directOnly: boolean): unknown {
  // Only the embedded database's lock says `data folder` (PostgreSQL is shared by many processes).
  if (!isMamoruError(error) || error.code !== 'conflict' || !/data folder/.test(error.message)) return error;
  if (error.message.includes('\n')) return error;
  const how = directOnly
    ? 'このコマンドはデータベースを直接使います。サーバーを止めてから実行するか、PostgreSQL（DATABASE_URL）を使ってください / this command works on the database directly: stop the server first, or use PostgreSQL (DATABASE_URL), which several processes share'
    : `動作中のサーバー経由で実行するには ${CLIENT_SETTINGS.url.env}（例 http://127.0.0.1:8787）と ${CLIENT_SETTINGS.apiKey.env} を設定してください / to run this command through the running server, set ${CLIENT_SETTINGS.url.env} (e.g. http://127.0.0.1:8787) and ${CLIENT_SETTINGS.apiKey.env}, or pass --url and --api-key`;
  return new MamoruError('conflict', `${error.message}\n${how}`, { cause: error });
}

/** A page of a collection, as every list of the API answers it. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * A list answer as a {@link Page}: `{ items, nextCursor }`, or an older
 * shape (`{ keys: […] }`, `{ decisions: […], next }`) read by its key.
 */
export function pageOf<T>(body: unknown, key: string): Page<T> {
  const b = (body ?? {}) as Record<string, unknown>;
  const items = (Array.isArray(b.items) ? b.items : Array.isArray(b[key]) ? b[key] : []) as T[];
  const next = b.nextCursor ?? b.next ?? null;
  return { items, nextCursor: next === null || next === undefined ? null : String(next) };
}

/** The options of a paged list command: `--limit`, `--cursor`, `--json`. */
export interface PageOptions {
  readonly limit: number;
  readonly cursor?: string;
  readonly json?: boolean;
}

/** The `--json` flag of every list command: machine output instead of the table. */
export function withJsonFlag(command: Command): Command {
  return command.option('--json', '機械向けの JSON で出力 / print JSON for machines');
}

/** Print a page: a table, and the next page's `--cursor` (JSON `{ items, nextCursor }` with `--json`). */
export function printPage<T>(page: Page<T>, columns: readonly Column<T>[], json: boolean | undefined): void {
  if (json) {
    printJson(page);
    return;
  }
  const lines = [renderTable(columns, page.items)];
  if (page.items.length === 0) lines.push('（なし / none）');
  if (page.nextCursor) lines.push('', `次のページ / next page: --cursor ${page.nextCursor}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
