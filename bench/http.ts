/**
 * HTTP on loopback (issue 8, item 10): the server runs as its own process (as
 * in production) on a fresh database — embedded PGlite in a new data folder,
 * or a new database on the PostgreSQL server at DATABASE_URL, dropped
 * afterwards — and autocannon drives it from this process. Three targets:
 *
 * - `bare`: Fastify alone (bench/bare-server.ts), JSON in and out: the ceiling;
 * - `screen`: `POST /v1/screen/message`, one event per request;
 * - `batch`: `POST /v1/events`, 100 events per request.
 *
 * Besides req/s (verdicts/s for batches) and latency, the note gives CPU time
 * per verdict of the server process, of this load generator and (on
 * PostgreSQL) of the database's backends, read from /proc where there is one:
 * on a small machine they share the cores, and these say what limits the
 * throughput. A second, shorter run under V8's CPU profiler (started and
 * stopped by signal, bench/cpu-profile-hook.ts) splits the server's CPU into
 * the phases of a request (bench/profile.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { phasesOf, phaseTable } from './profile.ts';
import type { BenchResult } from './report.ts';

const PORT = 18787;

export type HttpBackend = 'pglite' | 'postgres';
export type HttpTarget = 'bare' | 'screen' | 'batch';

/** Events per request of the batch target. */
export const BATCH_SIZE = 100;

const TEXTS = [
  '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
  '明日の会議は10時からです。よろしくお願いします。',
  '当選おめでとうございます！100,000円を受け取るには 03-1234-5678 までお電話ください',
  'お荷物をお届けしましたが不在のため持ち帰りました。再配達はこちら http://example.test/p',
];

const SCREEN_BODY = { kind: 'sms', sender: '+819012345678', text: TEXTS[0] };

/** 100 messages: the four texts, each from its own sender. */
function batchBody() {
  return {
    events: Array.from({ length: BATCH_SIZE }, (_, i) => ({
      channel: 'message',
      payload: { kind: 'sms', sender: `+8190${String(10_000_000 + i)}`, text: TEXTS[i % TEXTS.length] },
    })),
  };
}

async function waitFor(url: string, ms: number, server: ChildProcess): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (server.exitCode !== null)
      throw new Error(`the server exited (${server.exitCode}) before it answered`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not answer ${url} within ${ms} ms`);
}

/** User + system CPU of a process in microseconds, or undefined where /proc cannot tell. */
async function cpuMicros(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/** CPU of each process that /proc can still tell about (a pool may close an idle connection meanwhile). */
async function cpuOfEach(pids: readonly number[]): Promise<Map<number, number>> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    const us = await cpuMicros(pid);
    if (us !== undefined) cpu.set(pid, us);
  }
  return cpu;
}

/** CPU used between two snapshots by the processes in both; undefined when there is none. */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number | undefined {
  let total: number | undefined;
  for (const [pid, us] of after) {
    const from = before.get(pid);
    if (from !== undefined) total = (total ?? 0) + us - from;
  }
  return total;
}

/** A fresh database on the server at `serverUrl`; `drop` removes it (and its connections). */
async function freshDatabase(serverUrl: string) {
  const name = `mamoru_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    /** Process ids of the database's backends (the server's connection pool). */
    async backends(): Promise<number[]> {
      const { rows } = await admin.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = $1',
        [name],
      );
      return rows.map((r) => r.pid);
    },
    /** Transactions committed in the database so far (each statement outside a transaction is one). */
    async commits(): Promise<number> {
      const { rows } = await admin.query<{ n: string }>(
        'select xact_commit as n from pg_stat_database where datname = $1',
        [name],
      );
      return Number(rows[0]?.n ?? 0);
    },
    async drop(): Promise<void> {
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await exited;
}

/** Profile the server for `seconds` of load: SIGUSR2 starts the profiler, SIGUSR2 stops it and writes `file`. */
async function profiled(server: ChildProcess, file: string, load: () => Promise<unknown>): Promise<void> {
  server.kill('SIGUSR2');
  await new Promise((r) => setTimeout(r, 100));
  await load();
  server.kill('SIGUSR2');
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    try {
      await access(file);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`the server wrote no profile to ${file}`);
}

export interface HttpBenchOptions {
  readonly seconds: number;
  readonly connections: number;
  readonly backend: HttpBackend;
  readonly target: HttpTarget;
  /** Length of the profiled run that gives the breakdown by phase; 0 for none. */
  readonly profileSeconds?: number;
}

export async function benchHttp(options: HttpBenchOptions): Promise<BenchResult> {
  const { seconds, connections, backend, target } = options;
  const serverUrl = process.env.DATABASE_URL;
  if (backend === 'postgres' && !serverUrl) throw new Error('the postgres HTTP bench needs DATABASE_URL');
  const dataDir = await mkdtemp(join(tmpdir(), 'mamoru-bench-'));
  const profileFile = join(dataDir, 'server.cpuprofile');
  const bare = target === 'bare';
  const database = backend === 'postgres' && !bare ? await freshDatabase(serverUrl!) : undefined;
  const script = bare ? ['bench/bare-server.ts'] : ['src/cli/main.ts', 'serve'];
  const server = spawn(process.execPath, ['--import', './bench/cpu-profile-hook.ts', ...script], {
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      MAMORU_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: database?.url ?? '',
      // The demo organisation, its key file and demo indicators (off by default on a server database).
      MAMORU_DEMO: 'true',
      BENCH_PROFILE_FILE: profileFile,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${PORT}`;
    await waitFor(`${base}/readyz`, 60_000, server);
    const token = bare ? '' : (await readFile(join(dataDir, 'demo-api-key'), 'utf8')).trim();
    const perRequest = target === 'batch' ? BATCH_SIZE : 1;
    const opts = {
      url: `${base}${bare ? '/bare' : target === 'batch' ? '/v1/events' : '/v1/screen/message'}`,
      method: 'POST' as const,
      headers: {
        ...(bare ? {} : { authorization: `Bearer ${token}` }),
        'content-type': 'application/json',
      },
      body: JSON.stringify(target === 'batch' ? batchBody() : SCREEN_BODY),
      connections,
    };
    await autocannon({ ...opts, duration: 3 }); // warm-up: JIT, caches, key check, pool connections
    const backends = (await database?.backends()) ?? [];
    const before = {
      server: await cpuMicros(server.pid),
      db: await cpuOfEach(backends),
      commits: await database?.commits(),
      self: process.cpuUsage(),
    };
    const result = await autocannon({ ...opts, duration: seconds });
    const self = process.cpuUsage(before.self);
    const serverUs = await cpuMicros(server.pid);
    const dbUs = cpuBetween(before.db, await cpuOfEach(backends));
    const commits =
      database && before.commits !== undefined ? (await database.commits()) - before.commits : undefined;
    const verdicts = Math.max(1, result.requests.total * perRequest);
    const per = (us: number | undefined) => (us === undefined ? undefined : us / verdicts);
    const cpu = {
      server: per(
        serverUs === undefined || before.server === undefined ? undefined : serverUs - before.server,
      ),
      postgres: per(dbUs),
      autocannon: per(self.user + self.system),
    };
    const profileSeconds = options.profileSeconds ?? 0;
    let breakdown: BenchResult['breakdown'];
    if (profileSeconds > 0) {
      await profiled(server, profileFile, () => autocannon({ ...opts, duration: profileSeconds }));
      breakdown = phaseTable(await phasesOf(dataDir), cpu.server);
    }
    const errors = result.errors + result.timeouts + result.non2xx;
    const cpuNote = Object.entries(cpu)
      .filter(([, us]) => us !== undefined)
      .map(([who, us]) => `${who} ${Math.round(us!)}`)
      .join(', ');
    const where = bare ? 'Fastify alone' : backend === 'postgres' ? 'PostgreSQL' : 'PGlite';
    const what = bare
      ? 'POST /bare (JSON in, JSON out)'
      : target === 'batch'
        ? `POST /v1/events, ${BATCH_SIZE} events per request`
        : 'POST /v1/screen/message';
    return {
      name: `http (${where}): ${what}, ${connections} connections`,
      unit: target === 'batch' ? 'verdicts/s' : 'req/s',
      throughput: result.requests.average * perRequest,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      count: result.requests.total * perRequest,
      seconds,
      target: bare
        ? undefined
        : target === 'batch'
          ? '≥ 25,000 verdicts/s'
          : backend === 'postgres'
            ? '≥ 10,000 req/s at p99 ≤ 20 ms'
            : undefined,
      cpuUsPerVerdict: cpu,
      ...(commits === undefined ? {} : { statementsPerVerdict: commits / verdicts }),
      ...(breakdown ? { breakdown } : {}),
      note:
        (errors > 0 ? `${errors} errors/timeouts/non-2xx; ` : '') +
        (bare ? '' : 'every verdict in the decision log before it is answered; ') +
        `CPU µs per ${bare ? 'request' : 'verdict'}: ${cpuNote}` +
        (commits === undefined
          ? ''
          : `; PostgreSQL transactions per verdict ${(commits / verdicts).toFixed(3)}`),
    };
  } finally {
    await stop(server);
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}
