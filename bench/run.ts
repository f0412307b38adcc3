/**
 * `npm run bench`: engine verdicts/s in process, HTTP req/s with p50/p99 on
 * loopback, decision-log rows/s on PGlite and (with DATABASE_URL) PostgreSQL.
 * A table on stdout and JSON under bench/results/.
 *
 * BENCH_SECONDS sets the length of each timed run (default 10).
 */
import { fileURLToPath } from 'node:url';
import { benchDecisionLog } from './decision-log.ts';
import { benchEngine } from './engine.ts';
import { benchHttp } from './http.ts';
import { type BenchResult, report } from './report.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

const results: BenchResult[] = [];
if (want('engine'))
  results.push({ ...(await benchEngine(seconds)), target: '≥ 100,000 verdicts/s per core' });
if (want('http')) results.push(await benchHttp(seconds, 32));
if (want('log')) {
  results.push(await benchDecisionLog('pglite', 20_000, 500));
  if (process.env.DATABASE_URL) results.push(await benchDecisionLog('postgres', 50_000, 500));
}
const file = await report(results, fileURLToPath(new URL('./results', import.meta.url)));
process.stdout.write(`\nJSON: ${file}\n`);
