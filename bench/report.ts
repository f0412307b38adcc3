import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { PhaseShare } from './profile.ts';

/** One benchmark's figures. Latencies in milliseconds, memory in MiB. */
export interface BenchResult {
  readonly name: string;
  readonly unit: string;
  readonly throughput: number;
  readonly p50Ms?: number | undefined;
  readonly p99Ms?: number | undefined;
  readonly count: number;
  readonly seconds: number;
  readonly heapMiB?: number | undefined;
  readonly rssMiB?: number | undefined;
  readonly target?: string | undefined;
  readonly note?: string | undefined;
  /** CPU microseconds per verdict (per request for the bare route) of each process that did the work. */
  readonly cpuUsPerVerdict?: Readonly<Record<string, number | undefined>>;
  /** PostgreSQL transactions committed per verdict. */
  readonly statementsPerVerdict?: number;
  /** Where the server's CPU went, by phase of a request (a profiled run; bench/profile.ts). */
  readonly breakdown?: readonly PhaseShare[];
}

/** The q-quantile of sorted samples (nearest rank). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/**
 * Verdicts in process, timed: `warmUp` calls for the JIT, then calls for `seconds`, the latency of one
 * call in `sampleEvery` kept (`sampled` sees that call's answer). The throughput, latency and memory
 * figures of a `BenchResult`; the caller names it.
 */
export async function timeInProcess<T>(options: {
  readonly seconds: number;
  readonly warmUp: number;
  readonly sampleEvery: number;
  readonly call: (n: number) => Promise<T>;
  readonly sampled?: (answer: T) => void;
}): Promise<
  Pick<BenchResult, 'throughput' | 'p50Ms' | 'p99Ms' | 'count' | 'seconds' | 'heapMiB' | 'rssMiB'>
> {
  const { seconds, warmUp, sampleEvery, call, sampled } = options;
  for (let i = 0; i < warmUp; i++) await call(i);
  const samples: number[] = [];
  const memBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const until = started + seconds * 1000;
  let n = 0;
  while (performance.now() < until) {
    for (let k = 0; k < 1000; k++) {
      const t = performance.now();
      const answer = await call(n);
      if (n % sampleEvery === 0) {
        samples.push(performance.now() - t);
        sampled?.(answer);
      }
      n++;
    }
  }
  const elapsed = (performance.now() - started) / 1000;
  samples.sort((a, b) => a - b);
  return {
    throughput: n / elapsed,
    p50Ms: percentile(samples, 0.5),
    p99Ms: percentile(samples, 0.99),
    count: n,
    seconds: elapsed,
    heapMiB: (process.memoryUsage().heapUsed - memBefore) / 2 ** 20,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
  };
}

const fmt = (n: number | undefined, digits = 2) =>
  n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** Print a table on stdout and write the JSON under bench/results/. */
export async function report(results: readonly BenchResult[], dir: string): Promise<string> {
  const rows = [
    ['benchmark', 'throughput', 'unit', 'p50 ms', 'p99 ms', 'count', 'RSS MiB', 'target'],
    ...results.map((r) => [
      r.name,
      fmt(r.throughput, 0),
      r.unit,
      fmt(r.p50Ms, 3),
      fmt(r.p99Ms, 3),
      fmt(r.count, 0),
      fmt(r.rssMiB, 0),
      r.target ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  process.stdout.write(`\n${line(rows[0]!)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows.slice(1)) process.stdout.write(`${line(row)}\n`);
  for (const r of results) if (r.note) process.stdout.write(`  * ${r.name}: ${r.note}\n`);
  for (const r of results) if (r.breakdown) printBreakdown(r);
  const at = new Date().toISOString();
  const body = {
    at,
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    results,
  };
  await mkdir(dir, { recursive: true });
  const file = join(dir, `bench-${at.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  await writeFile(join(dir, 'latest.json'), `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

/** The server's CPU per verdict by phase, as a table. */
function printBreakdown(r: BenchResult): void {
  const rows = [
    ['phase', 'share', 'µs/verdict'],
    ...r.breakdown!.map((p) => [p.phase, `${(p.share * 100).toFixed(1)} %`, fmt(p.usPerVerdict, 1)]),
    ['server total', '100 %', fmt(r.cpuUsPerVerdict?.server, 1)],
  ];
  if (r.cpuUsPerVerdict?.postgres !== undefined)
    rows.push(['PostgreSQL backends (beside the server)', '', fmt(r.cpuUsPerVerdict.postgres, 1)]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  process.stdout.write(`\n${r.name}: server CPU by phase\n`);
  for (const row of rows)
    process.stdout.write(
      `  ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}\n`,
    );
}
