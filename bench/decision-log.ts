/**
 * Decision-log inserts per second, batched (group commit under the chain lock),
 * on PGlite and, when DATABASE_URL is set, on PostgreSQL.
 */
import { newId, type Verdict } from '../src/core/index.ts';
import { storeBackends } from '../test/helpers/stores.ts';
import type { BenchResult } from './report.ts';

function verdict(i: number): Verdict {
  return {
    id: newId('dec'),
    orgId: 'org_bench',
    channel: 'message',
    eventId: `evt-${i}`,
    action: i % 10 === 0 ? 'block' : 'allow',
    score: i % 10 === 0 ? 12 : 0,
    hits: [],
    outcomes: [{ detector: 'intel.lookup', stage: 'pre', outcome: 'ok', hits: 0, ms: 0.1 }],
    reasons: [],
    summary: { ja: '問題は検出されませんでした（許可）', en: 'No problem found (allow)' },
    indicators: [{ type: 'phone', value: '+819012345678' }],
    policy: { id: 'message.default', version: 0 },
    timings: { pre: 0.1, detect: 0.1, post: 0, observe: 0, total: 0.2 },
    createdAt: new Date().toISOString(),
  };
}

export async function benchDecisionLog(
  backend: 'pglite' | 'postgres',
  rows: number,
  batch: number,
): Promise<BenchResult> {
  // A fresh database (on PostgreSQL a new one, dropped afterwards), never the server's own.
  const chosen = storeBackends().find((b) => b.name === backend);
  if (!chosen) throw new Error(`backend ${backend} is not available (set DATABASE_URL for postgres)`);
  const store = await chosen.open();
  try {
    await store.orgs.create({ id: 'org_bench', name: 'bench' }).catch(() => undefined);
    const payload = {
      kind: 'sms',
      sender: '+819012345678',
      text: 'ベンチマーク用のメッセージ本文です。'.repeat(3),
    };
    // Concurrent single appends, as the HTTP path makes them: the log groups them into batches.
    const started = performance.now();
    let written = 0;
    while (written < rows) {
      const n = Math.min(batch, rows - written);
      await Promise.all(
        Array.from({ length: n }, (_, k) => store.decisions.append(verdict(written + k), payload)),
      );
      written += n;
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      name: `decision log: ${backend}, ${batch} concurrent appends`,
      unit: 'rows/s',
      throughput: rows / seconds,
      count: rows,
      seconds,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      target: backend === 'postgres' ? '≥ 5,000 rows/s' : undefined,
    };
  } finally {
    await store.close();
  }
}
