/**
 * `npm run bench`: engine verdicts/s in process, HTTP req/s with p50/p99 on
 * loopback (a bare Fastify route, the screen route, the batch route; with the
 * server's CPU per verdict by phase) and decision-log rows/s, each on PGlite and (with DATABASE_URL, on a
 * fresh database of that server) PostgreSQL.
 * A table on stdout and JSON under bench/results/.
 *
 * BENCH_SECONDS sets the length of each timed run (default 10);
 * BENCH_PROFILE_SECONDS the profiled run after each HTTP one (default 5; 0: none).
 * `messages`: the message channel in process (model and URL checks, no database).
 * `contract`: screening over 1M seeded lines on PGlite (BENCH_CONTRACT_LINES; 0 skips it);
 * on PostgreSQL only when BENCH_CONTRACT_PG_LINES is set (10000000 for the
 * issue's target; seeding takes minutes).
 * `import`: bulk imports (indicators, lines; API and the CLI's direct runner)
 * of BENCH_IMPORT_ROWS rows (default 1M), and a 66 MB file of bad lines.
 * `mail`: the mail channel in process (full scan, DNS answers cached on a loopback server) and
 * through the milter on loopback (p50/p99 as the MTA sees them); CPU per message.
 * `console`: the web console's main bundle (raw, gzip) and first load in Chromium on
 * loopback (sign-in FCP; sign-in submit → dashboard KPIs), medians of 5 cold loads.
 */
import { fileURLToPath } from 'node:url';
import { benchConsole } from './console.ts';
import { benchContract } from './contract.ts';
import { benchDecisionLog } from './decision-log.ts';
import { benchEngine } from './engine.ts';
import { benchHttp, type HttpBackend, type HttpTarget } from './http.ts';
import { benchImport } from './import.ts';
import { benchMail } from './mail.ts';
import { benchMessages } from './messages.ts';
import { type BenchResult, report } from './report.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

const results: BenchResult[] = [];
if (want('engine'))
  results.push({ ...(await benchEngine(seconds)), target: '≥ 200,000 verdicts/s per core' });
if (want('messages'))
  results.push({
    ...(await benchMessages(seconds)),
    target: '≥ 100,000 verdicts/s per core with the model and URL checks on',
  });
if (want('http')) {
  const profileSeconds = Number(process.env.BENCH_PROFILE_SECONDS ?? 5);
  const http = (backend: HttpBackend, target: HttpTarget, connections: number) =>
    benchHttp({ seconds, connections, backend, target, profileSeconds });
  results.push(await http('pglite', 'bare', 32));
  const backends: HttpBackend[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  for (const backend of backends) {
    results.push(await http(backend, 'screen', 32));
    results.push(await http(backend, 'batch', 8));
  }
}
if (want('log')) {
  results.push(await benchDecisionLog('pglite', 20_000, 500));
  if (process.env.DATABASE_URL) results.push(await benchDecisionLog('postgres', 50_000, 500));
}
if (want('contract')) {
  const pgliteLines = Number(process.env.BENCH_CONTRACT_LINES ?? 1_000_000);
  if (pgliteLines > 0) results.push(...(await benchContract('pglite', pgliteLines, seconds)));
  const pgLines = Number(process.env.BENCH_CONTRACT_PG_LINES ?? 0);
  if (process.env.DATABASE_URL && pgLines > 0)
    results.push(...(await benchContract('postgres', pgLines, seconds)));
}
if (want('import')) {
  const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
  results.push(...(await benchImport('pglite', rows)));
  if (process.env.DATABASE_URL) results.push(...(await benchImport('postgres', rows)));
}
if (want('mail')) results.push(...(await benchMail(seconds)));
if (want('console')) results.push(...(await benchConsole()));
const file = await report(results, fileURLToPath(new URL('./results', import.meta.url)));
process.stdout.write(`\nJSON: ${file}\n`);
