/**
 * Contract screening in process (`Mamoru.screen`, no HTTP) over a seeded
 * database of existing lines (bench/contract-seed.ts): 1M lines on PGlite, and
 * on PostgreSQL (DATABASE_URL, a fresh database dropped afterwards) the number
 * in BENCH_CONTRACT_PG_LINES (10M for the target; opt-in, as seeding
 * takes minutes). Each run reports:
 *
 * - screenings one at a time: screenings/s and p50/p99 latency of the whole
 *   `screen` (load, detectors, decision log, record, case);
 * - the contract store's `load` alone: p50/p99 (the part this data side owns);
 * - screenings 16 at a time: screenings/s.
 *
 * Applications are of the seeded "hot" holders (real keys: their lines and
 * applications are read), one or two lines each, from 50 shops and online.
 */

import type { ContractApplication } from '../src/channels/contract/contract-schema.ts';
import { ContractStore } from '../src/channels/contract/contract-store.ts';
import { loadConfig } from '../src/config.ts';
import { createKeyedHasher } from '../src/intel/keyed-hash.ts';
import { Mamoru } from '../src/mamoru.ts';
import { mulberry32 } from '../src/ml/linear-model.ts';
import { application } from '../test/contract/fixtures.ts';
import { freshDatabase } from '../test/helpers/stores.ts';
import { hotIdentity, seedContract } from './contract-seed.ts';
import { type BenchResult, percentile } from './report.ts';

const HMAC_KEY = 'bench-contract-key-0123456789abcdef';

/** A deterministic PRNG (mulberry32), so every run screens the same applications. */
const prng = mulberry32;

export async function benchContract(
  backend: 'pglite' | 'postgres',
  lines: number,
  seconds: number,
): Promise<BenchResult[]> {
  const serverUrl = process.env.DATABASE_URL;
  if (backend === 'postgres' && !serverUrl)
    throw new Error('set DATABASE_URL for the postgres contract bench');
  const fresh = backend === 'postgres' ? await freshDatabase(serverUrl!, 'mamoru_bench_contract') : undefined;
  const config = loadConfig(
    fresh
      ? { databaseUrl: fresh.url, hmacKey: HMAC_KEY, demo: 'false' }
      : { dataDir: 'memory://', hmacKey: HMAC_KEY, demo: 'false' },
    {},
  );
  const mamoru = await Mamoru.open(config);
  try {
    const boot = await mamoru.bootstrap({ demo: false });
    const orgId = boot?.orgId ?? (await mamoru.store.orgs.list())[0]!.id;
    const actor = { id: 'bench', role: 'system' as const, orgId };
    const hasher = createKeyedHasher(HMAC_KEY);
    const seeded = await seedContract(mamoru.store.db, hasher, {
      orgId,
      lines,
      onProgress: (m) => process.stderr.write(`  contract seed (${backend}): ${m}\n`),
    });
    // The channel's store, built as the channel builds it: its load alone is timed below.
    const store = new ContractStore({ db: mamoru.store.db, hasher, decisions: mamoru.store.decisions });
    const random = prng(42);
    let n = 0;
    const next = (): ContractApplication => {
      const i = 1 + Math.floor(random() * seeded.hot);
      const shop = Math.floor(random() * 51);
      n++;
      return application({
        applicationId: `bench-${n}`,
        holder: { type: 'person', identity: hotIdentity(i, seeded.hot) },
        salesChannel: shop === 50 ? { type: 'online' } : { type: 'shop', shopId: `S${shop}` },
        lines: [{ simType: random() < 0.8 ? 'voice' : 'data', count: random() < 0.9 ? 1 : 2 }],
        // Online and some shops send a device fingerprint; ring members (the first 2 %) share theirs.
        ...(random() < 0.3
          ? { deviceFingerprint: i <= seeded.hot * 0.02 ? `ring-device-${Math.ceil(i / 4)}` : `device-${i}` }
          : {}),
      });
    };
    const phases = timePhases(mamoru);
    const screenOne = async (): Promise<number> => {
      const started = performance.now();
      await mamoru.screen(actor, 'contract', next(), { validated: true });
      return performance.now() - started;
    };
    for (let i = 0; i < 300; i++) await screenOne();

    // One at a time: latency, and where it goes.
    phases.reset();
    const memBefore = process.memoryUsage().heapUsed;
    const samples: number[] = [];
    let started = performance.now();
    while (performance.now() - started < seconds * 1000) samples.push(await screenOne());
    const sequential = (performance.now() - started) / 1000;
    samples.sort((a, b) => a - b);
    const breakdown = phases.summary();
    phases.stop();

    // The store's load alone.
    const loads: number[] = [];
    started = performance.now();
    while (performance.now() - started < (seconds * 1000) / 2) {
      const app = next();
      const event = {
        id: 'e',
        orgId,
        channel: 'contract',
        receivedAt: new Date().toISOString(),
        payload: app,
      };
      const t = performance.now();
      await store.load(event, new Date());
      loads.push(performance.now() - t);
    }
    loads.sort((a, b) => a - b);

    // 16 in flight: throughput.
    let concurrent = 0;
    started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() - started < seconds * 1000) {
          await screenOne();
          concurrent++;
        }
      }),
    );
    const concurrentSeconds = (performance.now() - started) / 1000;
    await mamoru.outcomes.drain();

    const size =
      seeded.lines >= 1e6 ? `${Math.round(seeded.lines / 1e6)}M` : `${Math.round(seeded.lines / 1e3)}k`;
    const label = `${backend}, ${size} lines`;
    const note = `seeded ${seeded.lines.toLocaleString('en-US')} lines, ${seeded.holders.toLocaleString('en-US')} holders, ${seeded.applications.toLocaleString('en-US')} applications in ${seeded.seconds.toFixed(0)} s`;
    const rss = process.memoryUsage().rss / 2 ** 20;
    return [
      {
        name: `contract: screen one at a time (${label})`,
        unit: 'screenings/s',
        throughput: samples.length / sequential,
        p50Ms: percentile(samples, 0.5),
        p99Ms: percentile(samples, 0.99),
        count: samples.length,
        seconds: sequential,
        heapMiB: (process.memoryUsage().heapUsed - memBefore) / 2 ** 20,
        rssMiB: rss,
        target: backend === 'postgres' ? 'p99 ≤ 10 ms at 10M lines' : undefined,
        note: `${note}; p50/p99 ms by phase: ${breakdown}`,
      },
      {
        name: `contract: store load alone (${label})`,
        unit: 'loads/s',
        throughput: loads.length / (seconds / 2),
        p50Ms: percentile(loads, 0.5),
        p99Ms: percentile(loads, 0.99),
        count: loads.length,
        seconds: seconds / 2,
        rssMiB: rss,
      },
      {
        name: `contract: screen 16 at a time (${label})`,
        unit: 'screenings/s',
        throughput: concurrent / concurrentSeconds,
        count: concurrent,
        seconds: concurrentSeconds,
        rssMiB: process.memoryUsage().rss / 2 ** 20,
      },
    ];
  } finally {
    await mamoru.close();
    await fresh?.drop();
  }
}

/**
 * Times the phases of `Mamoru.screen` by wrapping the instance methods it
 * calls (the channel's load and record, the decision-log append, the case
 * opening), so the report says where a screening's time goes.
 */
function timePhases(mamoru: Mamoru): { reset(): void; summary(): string; stop(): void } {
  const samples = new Map<string, number[]>();
  const restore: (() => void)[] = [];
  const wrap = <T extends object>(target: T, method: keyof T & string, phase: string) => {
    const original = target[method] as unknown as (...args: unknown[]) => Promise<unknown>;
    (target as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      const t = performance.now();
      try {
        return await original.apply(target, args);
      } finally {
        const list = samples.get(phase) ?? [];
        list.push(performance.now() - t);
        samples.set(phase, list);
      }
    };
    restore.push(() => {
      (target as Record<string, unknown>)[method] = original;
    });
  };
  const channel = mamoru.channel('contract') as unknown as Record<string, unknown>;
  wrap(channel, 'load', 'load');
  wrap(mamoru.store.decisions, 'append', 'log');
  wrap(channel, 'record', 'record');
  wrap(mamoru.cases, 'openFromVerdict', 'case');
  return {
    reset: () => samples.clear(),
    summary: () =>
      [...samples]
        .map(([phase, list]) => {
          list.sort((a, b) => a - b);
          return `${phase} ${percentile(list, 0.5).toFixed(2)}/${percentile(list, 0.99).toFixed(2)}`;
        })
        .join(', '),
    stop: () => {
      for (const undo of restore) undo();
    },
  };
}
