/**
 * Bulk imports, rows/s: indicators and contract lines from a CSV of
 * BENCH_IMPORT_ROWS rows (default 1M), directly (`importFileDirect`, what
 * `mamoru intel import` / `contract import-lines` run on the database, in
 * this process) and through the API (`POST /v1/indicators/import`, `POST
 * /v1/contract/lines/import`, the file streamed over loopback to the server
 * run as its own process, as in production), each into its own
 * organisation so that every run inserts. Then 66 MB of JSON lines that are
 * all refused, through the API: the server runs with a 128 MiB heap
 * (`--max-old-space-size`), so finishing at all shows that memory stays
 * bounded whatever the file holds (keeping every rejection took the server
 * down); the note gives the server's peak RSS.
 *
 * Each figure comes with the CPU µs per row of Node and of PostgreSQL's
 * backends: on a small, shared machine they say what a row costs, whatever
 * else runs. On PGlite (a data folder on disk) and, with DATABASE_URL, on a
 * fresh database of that PostgreSQL server, dropped afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import type { Actor } from '../src/cases/roles.ts';
import { importFileDirect } from '../src/cli/import-direct.ts';
import { recordsRun } from '../src/cli/operation-commands.ts';
import { loadConfig } from '../src/config.ts';
import { importIndicators } from '../src/intel/import-indicators.ts';
import { Mamoru } from '../src/mamoru.ts';
import { freshDatabase } from '../test/helpers/stores.ts';
import type { BenchResult } from './report.ts';

const HMAC_KEY = 'bench-import-key-0123456789abcdef';
const TARGET = '≥ 50,000 rows/s on PostgreSQL';

/** Write `rows` lines made by `line` to a file, a chunk at a time. */
async function writeLines(
  file: string,
  header: string | undefined,
  rows: number,
  line: (i: number) => string,
) {
  const out = createWriteStream(file);
  if (header) out.write(`${header}\n`);
  for (let i = 0; i < rows; i += 10_000) {
    let chunk = '';
    for (let j = i; j < Math.min(rows, i + 10_000); j++) chunk += `${line(j)}\n`;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

const hex64 = (n: number) => n.toString(16).padStart(64, '0');

/** Indicators of four types, every value new. */
function indicatorLine(i: number): string {
  switch (i % 4) {
    case 0:
      return `domain,d${i}-bench.example,malicious,80,bench`;
    case 1:
      return `ip,10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255},suspicious,60,bench`;
    case 2:
      return `url,https://u${i}.bench.example/login?id=${i},malicious,90,bench`;
    default:
      return `email,user${i}@bench.example,malicious,70,bench`;
  }
}

/** Lines of holders with three lines each; one line in ten names its holder (keyed on import). */
function lineLine(i: number): string {
  const contracted = `2025-${String((i % 12) + 1).padStart(2, '0')}-15`;
  if (i % 10 === 0)
    return `L${i},山田 太郎${i},1980-01-02,東京都千代田区千代田1-${i % 100},,voice,active,${contracted}`;
  return `L${i},,,,${hex64(Math.floor(i / 3))},${i % 3 === 0 ? 'voice' : 'data'},active,${contracted}`;
}

/** User + system CPU of a process in µs, from /proc (undefined where there is none). */
async function cpuMicros(pid: number): Promise<number | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

interface Files {
  readonly indicators: string;
  readonly lines: string;
  readonly bad: string;
}

async function makeFiles(dir: string, rows: number): Promise<Files> {
  const files = {
    indicators: join(dir, 'indicators.csv'),
    lines: join(dir, 'lines.csv'),
    bad: join(dir, 'bad.jsonl'),
  };
  await writeLines(files.indicators, 'type,value,verdict,confidence,source', rows, indicatorLine);
  await writeLines(
    files.lines,
    'line_id,name,birth_date,address,holder_key,sim_type,status,contracted_at',
    rows,
    lineLine,
  );
  // 66 MB of lines that are all refused (an unknown verdict), as in the report that took a server down.
  const badLine = (i: number) =>
    `{"type":"domain","value":"bad${i}.bench.example","verdict":"evil${i % 10}"}`;
  const badRows = Math.ceil((66 * 1000 * 1000) / (badLine(500_000).length + 1));
  await writeLines(files.bad, undefined, badRows, badLine);
  return files;
}

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

/** Process ids of the backends serving `database` (a pool's connections). */
async function backendsOf(serverUrl: string | undefined, database: string | undefined): Promise<number[]> {
  if (!serverUrl || !database) return [];
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1',
      [database],
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

/** CPU (µs) of each process /proc can tell about. */
async function cpuOfEach(pids: readonly number[]): Promise<Map<number, number>> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    const us = await cpuMicros(pid);
    if (us !== undefined) cpu.set(pid, us);
  }
  return cpu;
}

interface Run {
  readonly processed: number;
  readonly imported: number;
  readonly rejected: number;
  readonly seconds: number;
  readonly cpu: string;
}

/** Time `fn` and the CPU that this process (or `node`, another process) and the database's backends spend on it. */
async function measured(
  db: { serverUrl: string | undefined; name: string | undefined },
  node: number | undefined,
  fn: () => Promise<{ processed: number; imported: number; rejected: number }>,
): Promise<Run> {
  const pids = await backendsOf(db.serverUrl, db.name);
  const before = {
    db: await cpuOfEach(pids),
    self: process.cpuUsage(),
    node: node && (await cpuMicros(node)),
  };
  const started = performance.now();
  const result = await fn();
  const seconds = (performance.now() - started) / 1000;
  const after = await cpuOfEach(await backendsOf(db.serverUrl, db.name));
  let dbUs = 0;
  // A backend the pool opened during the run spent all its CPU on it.
  for (const [pid, us] of after) dbUs += us - (before.db.get(pid) ?? 0);
  const self = process.cpuUsage(before.self);
  const nodeUs = node ? ((await cpuMicros(node)) ?? 0) - (before.node ?? 0) : self.user + self.system;
  const per = (us: number) => (us / Math.max(1, result.processed)).toFixed(1);
  const cpu = `CPU µs per row: ${node ? 'server' : 'Node'} ${per(nodeUs)}${db.name ? `, PostgreSQL ${per(dbUs)}` : ''}`;
  return { ...result, seconds, cpu };
}

export async function benchImport(backend: 'pglite' | 'postgres', rows: number): Promise<BenchResult[]> {
  const serverUrl = process.env.DATABASE_URL;
  if (backend === 'postgres' && !serverUrl) throw new Error('set DATABASE_URL for the postgres import bench');
  const dir = await mkdtemp(join(tmpdir(), 'mamoru-bench-import-'));
  const fresh = backend === 'postgres' ? await freshDatabase(serverUrl!, 'mamoru_bench_import') : undefined;
  const database = { serverUrl, name: fresh ? new URL(fresh.url).pathname.slice(1) : undefined };
  const where = backend === 'postgres' ? 'PostgreSQL' : 'PGlite';
  const dataDir = join(dir, 'data');
  let server: ChildProcess | undefined;
  try {
    const files = await makeFiles(dir, rows);
    const results: BenchResult[] = [];
    const row = (name: string, r: Run): BenchResult => ({
      name: `import (${where}): ${name}`,
      unit: 'rows/s',
      throughput: r.processed / r.seconds,
      count: r.processed,
      seconds: r.seconds,
      target: TARGET,
      note: `${r.imported} new, ${r.rejected} rejected; ${r.cpu}`,
    });

    // Directly, in this process: the CLI's runner.
    const tokens: string[] = [];
    const mamoru = await Mamoru.open(
      loadConfig(
        fresh
          ? { databaseUrl: fresh.url, hmacKey: HMAC_KEY, demo: 'false' }
          : { dataDir, hmacKey: HMAC_KEY, demo: 'false' },
        {},
      ),
    );
    try {
      await mamoru.bootstrap({ demo: false });
      const org = async (name: string) => (await mamoru.store.orgs.create({ name })).id;
      const direct = (kind: 'indicators' | 'lines', file: string, orgId: string) => {
        const actor: Actor = { id: 'bench', role: 'admin', orgId };
        return importFileDirect(
          mamoru,
          actor,
          file,
          'csv',
          kind,
          kind === 'indicators'
            ? async (m, a, f) =>
                importIndicators(await m.importTarget(a.orgId, undefined, '--scope'), a.orgId, f.lines, f)
            : recordsRun('contract', 'import-lines'),
        );
      };
      const indicatorsOrg = await org('bench direct indicators');
      results.push(
        row(
          'indicators direct (CLI runner)',
          await measured(database, undefined, () => direct('indicators', files.indicators, indicatorsOrg)),
        ),
      );
      const linesOrg = await org('bench direct lines');
      results.push(
        row(
          'lines direct (CLI runner)',
          await measured(database, undefined, () => direct('lines', files.lines, linesOrg)),
        ),
      );
      for (const name of ['bench api indicators', 'bench api lines', 'bench api bad lines']) {
        const orgId = await org(name);
        const key = await mamoru.store.keys.create({
          orgId,
          name: 'bench',
          role: 'admin',
          createdBy: 'bench',
        });
        tokens.push(key.token);
      }
    } finally {
      await mamoru.close();
    }

    // Through the API: the server in its own process.
    const startServer = async (heapMiB?: number) => {
      const port = 18_800 + Math.floor(Math.random() * 1_000);
      const heap = heapMiB ? [`--max-old-space-size=${heapMiB}`] : [];
      server = spawn(process.execPath, [...heap, 'src/cli/main.ts', 'serve'], {
        env: {
          ...process.env,
          PORT: String(port),
          HOST: '127.0.0.1',
          MAMORU_DATA_DIR: dataDir,
          MAMORU_HMAC_KEY: HMAC_KEY,
          LOG_LEVEL: 'warn',
          DATABASE_URL: fresh?.url ?? '',
          MAMORU_DEMO: 'false',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const base = `http://127.0.0.1:${port}`;
      await waitFor(`${base}/readyz`, 60_000);
      const pid = server.pid!;
      return (route: string, file: string, token: string, contentType: string) =>
        measured(database, pid, async () => {
          const res = await fetch(`${base}${route}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
            body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
            duplex: 'half',
          } as RequestInit);
          const body = (await res.json()) as { processed: number; imported: number; rejected: number };
          if (res.status !== 200) throw new Error(`${route}: ${res.status} ${JSON.stringify(body)}`);
          return body;
        });
    };
    const stopServer = async () => {
      const running = server;
      server = undefined;
      if (running && running.exitCode === null && running.signalCode === null) {
        const exited = new Promise((r) => running.once('exit', r));
        running.kill('SIGTERM');
        await exited;
      }
    };
    let viaApi = await startServer();
    const mib = (await stat(files.indicators)).size / 2 ** 20;
    const api = await viaApi('/v1/indicators/import', files.indicators, tokens[0]!, 'text/csv');
    results.push({
      ...row('indicators via API (CSV)', api),
      note: `${mib.toFixed(0)} MiB streamed; ${row('', api).note}`,
    });
    results.push(
      row(
        'lines via API (CSV)',
        await viaApi('/v1/contract/lines/import', files.lines, tokens[1]!, 'text/csv'),
      ),
    );
    await stopServer();

    // Bad lines only, to a server whose heap is capped: finishing is the proof that memory is bounded.
    viaApi = await startServer(128);
    const pid = server!.pid!;
    let peakRss = 0;
    const rssSampler = setInterval(async () => {
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        peakRss = Math.max(peakRss, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
      } catch {}
    }, 50);
    try {
      const bad = await viaApi('/v1/indicators/import', files.bad, tokens[2]!, 'application/x-ndjson');
      const badMb = (await stat(files.bad)).size / 1e6;
      results.push({
        ...row(`${badMb.toFixed(0)} MB of bad lines via API (JSON lines)`, bad),
        target: 'done in a server with a 128 MiB heap',
        rssMiB: peakRss / 2 ** 20,
        note: `${bad.rejected} rejected, every one stored in the report, the server's heap capped at 128 MiB; peak server RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; ${bad.cpu}`,
      });
    } finally {
      clearInterval(rssSampler);
      await stopServer();
    }
    return results;
  } finally {
    const running = server as ChildProcess | undefined;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGTERM');
      await exited;
    }
    await fresh?.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
