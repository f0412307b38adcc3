import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { MamoruError } from '../core/index.ts';

/**
 * How the CLI reaches a running server (like `gh` or `kubectl`): its URL and
 * an API key, by environment variable or the matching flag (the flag wins).
 * `docs/configuration.md` lists them beside the server's settings.
 */
export const CLIENT_SETTINGS = {
  url: {
    env: 'MAMORU_URL',
    flag: '--url',
    ja: '接続先の Mamoru サーバーの URL。未設定ならデータフォルダの server.json から探す',
    en: 'URL of the Mamoru server to use; when unset, found from server.json in the data folder',
  },
  apiKey: {
    env: 'MAMORU_API_KEY',
    flag: '--api-key',
    ja: 'サーバーに送る API キー。データフォルダで見つけたサーバーには demo-api-key（または admin-api-key）を使う',
    en: 'API key sent to the server; a server found in the data folder gets its demo-api-key (or admin-api-key)',
  },
} as const;

/** What `mamoru serve` writes into its data folder while it runs, so that the CLI finds it. */
export interface ServerFile {
  readonly url: string;
  readonly pid: number;
  readonly startedAt: string;
}

export const SERVER_FILE = 'server.json';

/**
 * Record the running server in `dataDir/server.json` (mode 0600: it names a
 * local port and a pid, nothing secret, but the folder is the owner's). The
 * returned function removes it again, if it is still this process's.
 * A listen address on every interface is written as loopback, which is where
 * a CLI on this machine reaches it.
 */
export async function writeServerFile(dataDir: string, address: string): Promise<() => Promise<void>> {
  const url = new URL(address);
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  if (url.hostname === '[::]') url.hostname = '[::1]';
  const record: ServerFile = {
    url: url.origin,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, SERVER_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(record)}\n`);
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  return async () => {
    const current = await readServerRecord(dataDir);
    if (current?.pid === process.pid) await rm(file, { force: true });
  };
}

async function readServerRecord(dataDir: string): Promise<ServerFile | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, SERVER_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<ServerFile>;
    if (typeof value.url !== 'string' || typeof value.pid !== 'number') return undefined;
    return { url: value.url, pid: value.pid, startedAt: String(value.startedAt ?? '') };
  } catch {
    return undefined;
  }
}

/** The server recorded in `dataDir`, when its process is still alive (a killed server leaves a stale file). */
export async function findServer(dataDir: string): Promise<ServerFile | undefined> {
  const record = await readServerRecord(dataDir);
  return record && isAlive(record.pid) ? record : undefined;
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One RFC 9457 problem as the API sends it (`errors` names each field at fault). */
export interface Problem {
  readonly status: number;
  readonly title?: string;
  readonly detail?: string;
  readonly code?: string;
  readonly errors?: readonly { readonly path: string; readonly message: string; readonly ja?: string }[];
}

/** An API answer that is not a success: the problem, and when to try again for a 429. */
export class ApiProblem extends Error {
  readonly problem: Problem;
  readonly retryAfter: string | undefined;
  constructor(problem: Problem, retryAfter?: string) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiProblem';
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The problem for a reader: status, title and detail, then each field and what is wrong with it. */
  lines(): string[] {
    const p = this.problem;
    // A detail that only repeats the field list is left out: each field follows on its own line.
    const repeats = !!p.errors?.length && p.errors.every((e) => p.detail?.includes(e.message));
    const head = [String(p.status), p.title, repeats ? undefined : p.detail]
      .filter((x) => x !== undefined && x !== '')
      .join(': ');
    const out = [head];
    // Japanese first, as the API answers it.
    for (const e of p.errors ?? [])
      out.push(`  ${e.path}: ${e.ja && e.ja !== e.message ? `${e.ja} / ${e.message}` : e.message}`);
    if (this.retryAfter)
      out.push(`  ${this.retryAfter} 秒後に再試行 / try again in ${this.retryAfter} seconds (Retry-After)`);
    return out;
  }
}

function toProblem(status: number, statusText: string, body: unknown): Problem {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const errors = Array.isArray(b.errors)
      ? b.errors
          .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
          .map((e) => ({
            path: String(e.path ?? ''),
            message: String(e.message ?? ''),
            ...(typeof e.ja === 'string' ? { ja: e.ja } : {}),
          }))
      : undefined;
    return {
      status,
      ...(typeof b.title === 'string' ? { title: b.title } : {}),
      ...(typeof b.detail === 'string' ? { detail: b.detail } : {}),
      ...(typeof b.code === 'string' ? { code: b.code } : {}),
      ...(errors && errors.length > 0 ? { errors } : {}),
    };
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 500) : '';
  return { status, title: statusText, ...(text ? { detail: text } : {}) };
}

export type Query = { readonly [name: string]: string | number | boolean | readonly string[] | undefined };

export interface RequestOptions {
  readonly query?: Query;
  /** A JSON body. */
  readonly json?: unknown;
  /** A streamed body (a bulk import), sent as it is read. */
  readonly stream?: ReadableStream<Uint8Array>;
  readonly contentType?: string;
  /**
   * Wait for the answer however long it takes (an audit of a large log):
   * fetch gives up on a server that has not answered in 300 s, so such a
   * request (a JSON body or none) goes through node:http instead.
   */
  readonly noTimeout?: boolean;
}

/**
 * A small client of the Mamoru API for the CLI: Bearer key, JSON in and out,
 * problem+json answers thrown as {@link ApiProblem}, streamed bodies for
 * imports.
 *
 * @example
 * const api = new ApiClient('http://127.0.0.1:8787', token);
 * const page = await api.request<{ items: unknown[] }>('GET', '/v1/cases', { query: { limit: 10 } });
 */
export class ApiClient {
  readonly #base: string;
  readonly #token: string;
  readonly source: string;

  /** `source` says where the URL came from, for messages (`MAMORU_URL`, `data/server.json`). */
  constructor(base: string, token: string, source: string = CLIENT_SETTINGS.url.env) {
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw badUrl(base, 'not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badUrl(base, 'must be http: or https:');
    this.#base = url.href.replace(/\/+$/, '');
    this.#token = token;
    this.source = source;
  }

  get url(): string {
    return this.#base;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.#base + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#token}`,
      accept: 'application/json, application/problem+json',
    };
    let body: BodyInit | undefined;
    if (options.stream) {
      body = options.stream;
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response =
        options.noTimeout && typeof body !== 'object'
          ? await requestUntimed(url, method, headers, body)
          : await fetch(url, {
              method,
              headers,
              ...(body === undefined ? {} : { body }),
              ...(options.stream ? { duplex: 'half' } : {}),
            } as RequestInit);
    } catch (error) {
      throw unreachable(this.#base, this.source, error);
    }
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/i.test(response.headers.get('content-type') ?? '') && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        // A body that claims JSON and is not: shown as text below.
      }
    }
    if (!response.ok) {
      throw new ApiProblem(
        toProblem(response.status, response.statusText, parsed),
        response.headers.get('retry-after') ?? undefined,
      );
    }
    return (text === '' ? undefined : parsed) as T;
  }
}

/**
 * One request over node:http(s), with no limit on how long the server takes
 * to answer (fetch's is 300 s), answered as a fetch `Response`. TCP
 * keep-alive probes keep a quiet connection from being dropped on the way.
 */
function requestUntimed(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<Response> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const answer = new Headers();
        for (const [name, value] of Object.entries(res.headers))
          if (typeof value === 'string') answer.set(name, value);
        const status = res.statusCode ?? 502;
        resolve(
          new Response(chunks.length > 0 && status !== 204 ? Buffer.concat(chunks) : null, {
            status,
            statusText: res.statusMessage ?? '',
            headers: answer,
          }),
        );
      });
    });
    request.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
    request.on('error', reject);
    request.end(body);
  });
}

function badUrl(value: string, why: string): MamoruError {
  return new MamoruError(
    'validation_failed',
    `${CLIENT_SETTINGS.url.env} (${CLIENT_SETTINGS.url.flag}): ${why}`,
    {
      issues: [
        { path: `${CLIENT_SETTINGS.url.env} (${CLIENT_SETTINGS.url.flag})`, message: `${why}: ${value}` },
      ],
    },
  );
}

function unreachable(base: string, source: string, error: unknown): MamoruError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new MamoruError(
    'not_ready',
    `サーバー ${base} に接続できません（${source} より）。起動しているか確認してください / cannot reach the Mamoru server at ${base} (from ${source}): ${why}. Is it running?`,
    { cause: error },
  );
}

/** The first start's key files in the data folder, tried in this order. */
const KEY_FILES = ['demo-api-key', 'admin-api-key'] as const;

export interface ClientChoice {
  /** `--url` / `MAMORU_URL`. */
  readonly url?: string | undefined;
  /** `--api-key` / `MAMORU_API_KEY`. */
  readonly apiKey?: string | undefined;
  readonly dataDir: string;
}

/**
 * The API this command should go through, or `undefined` to work on the
 * database directly:
 *
 * 1. `--url` / `MAMORU_URL`, with `--api-key` / `MAMORU_API_KEY` (required:
 *    a key file on this machine is never sent to a URL someone typed);
 * 2. else the server recorded in `<data folder>/server.json` whose process is
 *    alive, with `MAMORU_API_KEY` or the first start's key file there
 *    (`demo-api-key`, else `admin-api-key`);
 * 3. else none.
 */
export async function chooseClient(choice: ClientChoice): Promise<ApiClient | undefined> {
  const { url, apiKey } = choice;
  const keyName = `${CLIENT_SETTINGS.apiKey.env} (${CLIENT_SETTINGS.apiKey.flag})`;
  if (url) {
    if (!apiKey) {
      throw new MamoruError(
        'validation_failed',
        `${CLIENT_SETTINGS.url.env} を使うには API キーが必要です / ${CLIENT_SETTINGS.url.env} needs an API key: set ${keyName}`,
        { issues: [{ path: keyName, message: 'required with MAMORU_URL (--url)' }] },
      );
    }
    return new ApiClient(url, apiKey, `${CLIENT_SETTINGS.url.env} (${CLIENT_SETTINGS.url.flag})`);
  }
  if (choice.dataDir === 'memory://') return undefined;
  const server = await findServer(choice.dataDir);
  if (!server) return undefined;
  const source = join(choice.dataDir, SERVER_FILE);
  if (apiKey) return new ApiClient(server.url, apiKey, source);
  const keyFiles = KEY_FILES.map((name) => join(choice.dataDir, name));
  let demo = '';
  for (const file of keyFiles) {
    demo = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (demo) break;
  }
  if (!demo) {
    throw new MamoruError(
      'validation_failed',
      `サーバー ${server.url} (pid ${server.pid}) が動いていますが API キーがありません。${keyName} を設定してください / a server is running at ${server.url} (pid ${server.pid}) but there is no API key: set ${keyName}`,
      { issues: [{ path: keyName, message: `required: no ${keyFiles.join(' or ')}` }] },
    );
  }
  return new ApiClient(server.url, demo, source);
}
