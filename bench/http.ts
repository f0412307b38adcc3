/**
 * HTTP `POST /v1/screen/message` on loopback: the server runs as its own
 * process (as in production) on a fresh database — embedded PGlite in a new
 * data folder, or a new database on the PostgreSQL server at DATABASE_URL,
 * dropped afterwards — and autocannon drives it from this process.
 *
 * Besides req/s and latency, the note gives CPU time per request of the
 * server process, of this load generator and (on PostgreSQL) of the
 * database's backends, read from /proc where there is one: on a small
 * machine they share the cores, and these say what limits the throughput.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import type { BenchResult } from './report.ts';

const PORT = 18787;

export type HttpBackend = 'pglite' | 'postgres';

async function waitFor(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
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
    async drop(): Promise<void> {
      try {
        await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export async function benchHttp(
  seconds: number,
  connections: number,
  backend: HttpBackend = 'pglite',
): Promise<BenchResult> {
  const serverUrl = process.env.DATABASE_URL;
  if (backend === 'postgres' && !serverUrl) throw new Error('the postgres HTTP bench needs DATABASE_URL');
  const dataDir = await mkdtemp(join(tmpdir(), 'mamoru-bench-'));
  const database = backend === 'postgres' ? await freshDatabase(serverUrl!) : undefined;
  const server = spawn(process.execPath, ['src/cli/main.ts', 'serve'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      MAMORU_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: database?.url ?? '',
      // The demo organisation, its key file and demo indicators (off by default on a server database).
      MAMORU_DEMO: 'true',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${PORT}`;
    await waitFor(`${base}/readyz`, 60_000);
    const token = (await readFile(join(dataDir, 'demo-api-key'), 'utf8')).trim();
    const body = JSON.stringify({
      kind: 'sms',
      sender: '+819012345678',
      text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
    });
    const opts = {
      url: `${base}/v1/screen/message`,
      method: 'POST' as const,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      connections,
    };
    await autocannon({ ...opts, duration: 3 }); // warm-up: JIT, caches, key check, pool connections
    const backends = (await database?.backends()) ?? [];
    const before = {
      server: await cpuMicros(server.pid),
      db: await cpuOfEach(backends),
      self: process.cpuUsage(),
    };
    const result = await autocannon({ ...opts, duration: seconds });
    const self = process.cpuUsage(before.self);
    const serverUs = await cpuMicros(server.pid);
    const dbUs = cpuBetween(before.db, await cpuOfEach(backends));
    const n = Math.max(1, result.requests.total);
    const perRequest = (from: number | undefined, to: number | undefined) =>
      from === undefined || to === undefined ? undefined : Math.round((to - from) / n);
    const cpu = [
      ['server', perRequest(before.server, serverUs)],
      ['PostgreSQL', backend === 'postgres' ? perRequest(0, dbUs) : undefined],
      ['autocannon', Math.round((self.user + self.system) / n)],
    ]
      .filter(([, us]) => us !== undefined)
      .map(([who, us]) => `${who} ${us}`)
      .join(', ');
    const errors = result.errors + result.timeouts + result.non2xx;
    return {
      name: `http (${backend === 'postgres' ? 'PostgreSQL' : 'PGlite'}): POST /v1/screen/message, ${connections} connections`,
      unit: 'req/s',
      throughput: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      count: result.requests.total,
      seconds,
      target: '≥ 5,000 req/s at p99 ≤ 20 ms',
      note:
        (errors > 0 ? `${errors} errors/timeouts/non-2xx; ` : '') +
        `decision log + intel lookup on every request; CPU µs per request: ${cpu}`,
    };
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
    await database?.drop();
  }
}
