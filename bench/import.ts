/**
 * Bulk imports, rows/s: indicators and contract lines from a CSV of
 * BENCH_IMPORT_ROWS rows (default 1M), through the API (`POST
 * /v1/indicators/import`, `POST /v1/contract/lines/import`, the file streamed
 * over loopback to a server in this process) and directly (`importFileDirect`,
 * what `mamoru intel import` / `contract import-lines` run on the database),
 * each into its own organisation so every run inserts. Then a file of bad
 * lines only (66 MB of JSON lines, each refused) through the API: rows/s and
 * how much the heap grew (sampled every 50 ms), the figure that says memory
 * stays bounded whatever the file holds.
 *
 * On PGlite (a data folder on disk) and, with DATABASE_URL, on a fresh
 * database of that PostgreSQL server, dropped afterwards.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { sql } from 'kysely';
import type { Actor } from '../src/cases/roles.ts';
import { contractStoreOf } from '../src/channels/contract/contract-store.ts';
import { importLines } from '../src/channels/contract/lines-import.ts';
import { importFileDirect } from '../src/cli/import-direct.ts';
import { importIndicators } from '../src/intel/import-indicators.ts';
import { Mamoru } from '../src/mamoru.ts';
import { buildServer } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { Metrics } from '../src/server/metrics.ts';
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

/**
 * CPU this process and the database's backends spend, so that a figure
 * taken on a busy machine still says what one row costs: on a small
 * machine the importer and PostgreSQL share the cores.
 */
async function cpuMeter(mamoru: Mamoru, backend: 'pglite' | 'postgres') {
  const backends = async () => {
    if (backend !== 'postgres') return new Map<number, number>();
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_stat_activity where datname = current_database()`.execute(mamoru.store.db);
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      const us = await cpuMicros(pid);
      if (us !== undefined) cpu.set(pid, us);
    }
    return cpu;
  };
  const self = process.cpuUsage();
  const db = await backends();
  return async (rows: number): Promise<string> => {
    const used = process.cpuUsage(self);
    const after = await backends();
    let dbUs = 0;
    for (const [pid, us] of after) dbUs += us - (db.get(pid) ?? us);
    const per = (us: number) => (us / Math.max(1, rows)).toFixed(1);
    return `CPU µs per row: Node ${per(used.user + used.system)}${backend === 'postgres' ? `, PostgreSQL ${per(dbUs)}` : ''}`;
  };
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

export async function benchImport(backend: 'pglite' | 'postgres', rows: number): Promise<BenchResult[]> {
  const serverUrl = process.env.DATABASE_URL;
  if (backend === 'postgres' && !serverUrl) throw new Error('set DATABASE_URL for the postgres import bench');
  const dir = await mkdtemp(join(tmpdir(), 'mamoru-bench-import-'));
  const fresh = backend === 'postgres' ? await freshDatabase(serverUrl!, 'mamoru_bench_import') : undefined;
  const where = backend === 'postgres' ? 'PostgreSQL' : 'PGlite';
  let mamoru: Mamoru | undefined;
  let app: Awaited<ReturnType<typeof buildServer>> | undefined;
  try {
    const files = await makeFiles(dir, rows);
    const config = loadConfig(
      fresh
        ? { databaseUrl: fresh.url, hmacKey: HMAC_KEY, demo: 'false' }
        : { dataDir: join(dir, 'data'), hmacKey: HMAC_KEY, demo: 'false' },
      {},
    );
    const metrics = new Metrics({ defaults: false });
    mamoru = await Mamoru.open(config, { metrics });
    const boot = await mamoru.bootstrap({ demo: false });
    if (!boot) throw new Error('bootstrap created nothing');
    app = await buildServer({ mamoru, metrics, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // One organisation per run, so every run inserts (an update costs differently).
    const orgs: { orgId: string; token: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/v1/orgs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${boot.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `bench ${i}` }),
      });
      const body = (await res.json()) as { organisation: { id: string }; admin: { token: string } };
      orgs.push({ orgId: body.organisation.id, token: body.admin.token });
    }
    const results: BenchResult[] = [];
    const viaApi = async (route: string, file: string, token: string, contentType: string) => {
      const meter = await cpuMeter(mamoru!, backend);
      const started = performance.now();
      const res = await fetch(`${base}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
        duplex: 'half',
      } as RequestInit);
      const body = (await res.json()) as { processed: number; imported: number; rejected: number };
      if (res.status !== 200) throw new Error(`${route}: ${res.status} ${JSON.stringify(body)}`);
      const seconds = (performance.now() - started) / 1000;
      return { ...body, seconds, cpu: await meter(body.processed) };
    };
    const direct = async (kind: 'indicators' | 'lines', file: string, orgId: string) => {
      const actor: Actor = { id: 'bench', role: 'admin', orgId };
      const meter = await cpuMeter(mamoru!, backend);
      const started = performance.now();
      const result = await importFileDirect(mamoru!, actor, file, 'csv', kind, async (m, a, f) =>
        kind === 'indicators'
          ? importIndicators(await m.importTarget(a.orgId, undefined, '--scope'), a.orgId, f.lines, f)
          : importLines(contractStoreOf(m.channel('contract')).lines, a.orgId, f.lines, f),
      );
      const seconds = (performance.now() - started) / 1000;
      return { ...result, seconds, cpu: await meter(result.processed) };
    };
    const row = (
      name: string,
      r: { processed: number; imported: number; rejected: number; seconds: number; cpu: string },
    ) =>
      ({
        name: `import (${where}): ${name}`,
        unit: 'rows/s',
        throughput: r.processed / r.seconds,
        count: r.processed,
        seconds: r.seconds,
        target: TARGET,
        note: `${r.imported} new, ${r.rejected} rejected; ${r.cpu}`,
      }) satisfies BenchResult;

    const mib = (await stat(files.indicators)).size / 2 ** 20;
    const r0 = await viaApi('/v1/indicators/import', files.indicators, orgs[0]!.token, 'text/csv');
    results.push({
      ...row('indicators via API (CSV)', r0),
      note: `${mib.toFixed(0)} MiB streamed; all new; ${r0.cpu}`,
    });
    results.push(
      row('indicators direct (CLI runner)', await direct('indicators', files.indicators, orgs[1]!.orgId)),
    );
    results.push(
      row(
        'lines via API (CSV)',
        await viaApi('/v1/contract/lines/import', files.lines, orgs[2]!.token, 'text/csv'),
      ),
    );
    results.push(row('lines direct (CLI runner)', await direct('lines', files.lines, orgs[3]!.orgId)));

    // Bad lines only: every rejection is stored, the answer keeps 1,000, the heap stays flat.
    const before = process.memoryUsage();
    let heap = before.heapUsed;
    let rss = before.rss;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      heap = Math.max(heap, now.heapUsed);
      rss = Math.max(rss, now.rss);
    }, 50);
    let bad: Awaited<ReturnType<typeof viaApi>>;
    try {
      bad = await viaApi('/v1/indicators/import', files.bad, orgs[4]!.token, 'application/x-ndjson');
    } finally {
      clearInterval(sampler);
    }
    const badMb = (await stat(files.bad)).size / 1e6;
    results.push({
      ...row(`${badMb.toFixed(0)} MB of bad lines via API (JSON lines)`, bad),
      target: 'heap bounded (the file once took the server down)',
      heapMiB: (heap - before.heapUsed) / 2 ** 20,
      rssMiB: rss / 2 ** 20,
      note: `${bad.rejected} rejected, all stored in the report; heap grew ${((heap - before.heapUsed) / 2 ** 20).toFixed(0)} MiB at most (sampled every 50 ms); ${bad.cpu}`,
    });
    return results;
  } finally {
    await app?.close();
    await mamoru?.close();
    await fresh?.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
