import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type Verdict } from '../../src/core/index.ts';
import { seqFloor } from '../../src/store/decision-log.ts';
import { decisionStats } from '../../src/store/decision-stats.ts';
import type { Store } from '../../src/store/index.ts';
import { storeBackends } from '../helpers/stores.ts';

const HOUR = 3_600_000;
const START = Date.parse('2026-03-02T00:00:00.000Z');

function verdict(orgId: string, at: number, signal = 'MSG_LURE'): Verdict {
  return {
    id: newId('dec'),
    orgId,
    channel: 'message',
    eventId: newId('evt'),
    action: 'allow',
    score: 0,
    hits: [
      {
        signal,
        group: 'g',
        detector: 'd',
        factor: 1,
        weight: 1,
        score: 1,
        evidence: ['phone=+819011112222'],
      },
    ],
    outcomes: [],
    reasons: [],
    summary: { ja: '許可', en: 'allow' },
    indicators: [],
    policy: { id: 'default', version: 1 },
    timings: { pre: 0, detect: 0, post: 0, observe: 0, total: 0 },
    createdAt: new Date(at).toISOString(),
  };
}

/** The seq floor of a time window (no index on the decision time) and the stats that use it, on every backend. */
for (const backend of storeBackends()) {
  describe(`seqFloor on ${backend.name}`, () => {
    let store: Store;
    let orgA: string;
    let orgB: string;
    const seqs: number[] = [];
    beforeAll(async () => {
      store = await backend.open();
      orgA = (await store.orgs.create({ name: 'A' })).id;
      orgB = (await store.orgs.create({ name: 'B' })).id;
      // One decision of A an hour for 48 hours, B's interleaved.
      for (let h = 0; h < 48; h++) {
        const [a] = await store.decisions.appendMany([
          { verdict: verdict(orgA, START + h * HOUR, h % 2 ? 'INTEL_MATCH_PHONE' : 'MSG_LURE'), event: {} },
          { verdict: verdict(orgB, START + h * HOUR), event: {} },
        ]);
        seqs.push(a!.seq);
      }
    });
    afterAll(() => store.close());

    it('is a seq below every decision of the window, an hour of margin before it', async () => {
      const floor = await seqFloor(store.db, orgA, new Date(START + 10 * HOUR));
      expect(floor).toBeLessThanOrEqual(seqs[9]!);
      expect(floor).toBeGreaterThan(seqs[8]!);
      expect(await seqFloor(store.db, orgA, new Date(START - HOUR))).toBe(1);
      expect(await seqFloor(store.db, orgA, new Date(START + 100 * HOUR))).toBe(seqs[47]! + 1);
      const none = (await store.orgs.create({ name: 'C' })).id;
      expect(await seqFloor(store.db, none, new Date(START))).toBe(0);
    });

    it('bounds the decision list by from, and the stats of a window', async () => {
      const listed = await store.decisions.list(orgA, {
        from: new Date(START + 40 * HOUR).toISOString(),
        limit: 100,
      });
      expect(listed.map((d) => d.seq)).toEqual(seqs.slice(40).reverse());
      const stats = await decisionStats(store.db, orgA, {
        from: new Date(START + 10 * HOUR),
        to: new Date(START + 20 * HOUR),
      });
      expect(stats.perHour.reduce((n, r) => n + r.count, 0)).toBe(10);
      expect(stats.perHour[0]).toEqual({
        hour: '2026-03-02T10:00:00.000Z',
        channel: 'message',
        action: 'allow',
        count: 1,
      });
      expect(stats.topSignals).toEqual([
        { signal: 'INTEL_MATCH_PHONE', count: 5 },
        { signal: 'MSG_LURE', count: 5 },
      ]);
      expect(stats.topIndicators).toEqual([{ type: 'phone', value: '+819011112222', count: 5 }]);
    });
  });
}
