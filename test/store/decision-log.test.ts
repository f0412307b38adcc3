import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Action, isMamoruError, newId, type Verdict } from '../../src/core/index.ts';
import { storedRowHash } from '../../src/store/decision-hash.ts';
import { GENESIS_HASH, openStore, SqlDecisionLog, type Store } from '../../src/store/index.ts';
import { freshDatabase, storeBackends } from '../helpers/stores.ts';
import { QueryCounter } from './query-counter.ts';

/** The decision log (X1) on every backend: appends, group commit, tenant isolation, and the audit. */

let clock = Date.parse('2026-03-02T09:00:00.000Z');

function verdict(orgId: string, over: { action?: Action; channel?: string; score?: number } = {}): Verdict {
  clock += 1;
  return {
    id: newId('dec'),
    orgId,
    channel: over.channel ?? 'message',
    eventId: newId('evt'),
    action: over.action ?? 'allow',
    score: over.score ?? 1.25,
    hits: [
      {
        signal: 'MSG_LURE',
        group: 'lure',
        detector: 'message.lure',
        factor: 0.5,
        weight: 2.5,
        score: 1.25,
        evidence: ['当選'],
      },
    ],
    outcomes: [],
    reasons: [{ signal: 'MSG_LURE', ja: '詐欺の誘い文句', en: 'Fraud lure' }],
    summary: { ja: '判定: 許可', en: 'Verdict: allow' },
    indicators: [],
    policy: { id: 'default', version: 1 },
    timings: { pre: 0.1, detect: 0.2, post: 0.01, observe: 0, total: 0.31 },
    createdAt: new Date(clock).toISOString(),
  };
}

const event = (n: number) => ({
  text: `こんにちは ${n}`,
  from: '+819012345678',
  meta: { z: 1, a: [1.5, 1e21, null, true] },
});

for (const backend of storeBackends()) {
  describe(`decision log on ${backend.name}`, () => {
    let store: Store;
    let orgA: string;
    let orgB: string;
    beforeAll(async () => {
      store = await backend.open();
      orgA = (await store.orgs.create({ name: 'A' })).id;
      orgB = (await store.orgs.create({ name: 'B' })).id;
    });
    afterAll(() => store.close());

    it('appends and reads back the same verdict and event', async () => {
      const v = verdict(orgA);
      const record = await store.decisions.append(v, event(1));
      expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(record.verdict).toEqual(v);
      const read = await store.decisions.get(orgA, v.id);
      expect(read).toEqual(record);
      expect(read?.event).toEqual(event(1));
      expect(await store.decisions.get(orgB, v.id)).toBeUndefined();
    });

    it('stores any JSON event, and text jsonb cannot hold as U+FFFD', async () => {
      for (const e of ['plain text', 42, null, [1, 'two'], { nested: { deep: ['\u0001', '\\u0000'] } }]) {
        const v = verdict(orgA);
        await store.decisions.append(v, e);
        expect((await store.decisions.get(orgA, v.id))?.event).toEqual(e);
      }
      const v = verdict(orgA);
      const record = await store.decisions.append(v, { text: 'a\u0000b\ud800c😀' });
      expect(record.event).toEqual({ text: 'a\ufffdb\ufffdc😀' });
      expect((await store.decisions.get(orgA, v.id))?.event).toEqual(record.event);
      expect((await store.decisions.append(verdict(orgA), undefined)).event).toBeNull();
    });

    it('chains what the database gives back, not the caller’s objects', async () => {
      class Payload {
        readonly at = new Date(Date.UTC(2026, 2, 2));
        readonly skipped = undefined;
        readonly boxed = new Number(7);
        readonly keys = { b: 1, a: 2, 10: 'x', 9: 'y' };
      }
      const v = { ...verdict(orgA), extra: undefined } as Verdict;
      const record = await store.decisions.append(v, new Payload());
      const expected = { at: '2026-03-02T00:00:00.000Z', boxed: 7, keys: { 9: 'y', 10: 'x', a: 2, b: 1 } };
      expect(record.event).toEqual(expected);
      expect((await store.decisions.get(orgA, v.id))?.event).toEqual(expected);
      expect((await store.decisions.verify()).ok).toBe(true);
    });

    it('appends many in one transaction with consecutive seqs', async () => {
      const items = Array.from({ length: 25 }, (_, i) => ({ verdict: verdict(orgA), event: event(i) }));
      const records = await store.decisions.appendMany(items);
      expect(records.map((r) => r.verdict.id)).toEqual(items.map((i) => i.verdict.id));
      expect(records.map((r) => r.seq - records[0]!.seq)).toEqual(items.map((_, i) => i));
      expect(await store.decisions.appendMany([])).toEqual([]);
    });

    it('refuses a verdict it cannot chain, without touching the others', async () => {
      const good = store.decisions.append(verdict(orgA), {});
      const bad = [
        { ...verdict(orgA), id: '' },
        { ...verdict(orgA), score: Number.NaN },
        { ...verdict(orgA), createdAt: 'yesterday' },
      ];
      for (const v of bad) {
        const error = await store.decisions.append(v, {}).catch((e: unknown) => e);
        expect(isMamoruError(error) && error.code).toBe('validation_failed');
      }
      await expect(
        store.decisions.appendMany([
          { verdict: verdict(orgA), event: {} },
          { verdict: bad[0]!, event: {} },
        ]),
      ).rejects.toThrow();
      expect((await good).seq).toBeGreaterThan(0);
    });

    it('fails only the row the database refuses when a batch fails', async () => {
      const first = verdict(orgA);
      await store.decisions.append(first, {});
      const calls = [verdict(orgA), { ...verdict(orgA), id: first.id }, verdict(orgA)].map((v) =>
        store.decisions.append(v, {}),
      );
      const results = await Promise.allSettled(calls);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await store.decisions.verify()).ok).toBe(true);
    });

    it('lists the organisation’s decisions newest first, with filters and pages', async () => {
      const org = (await store.orgs.create({ name: 'lister' })).id;
      const written = [];
      for (const [channel, action] of [
        ['mail', 'allow'],
        ['mail', 'block'],
        ['message', 'block'],
        ['mail', 'warn'],
        ['mail', 'block'],
      ] as const)
        written.push(await store.decisions.append(verdict(org, { channel, action }), {}));
      const all = await store.decisions.list(org);
      expect(all.map((r) => r.seq)).toEqual(written.map((r) => r.seq).reverse());
      expect((await store.decisions.list(org, { channel: 'mail' })).length).toBe(4);
      expect((await store.decisions.list(org, { action: 'block' })).length).toBe(3);
      expect(
        (await store.decisions.list(org, { channel: 'mail', action: 'block' })).map((r) => r.seq),
      ).toEqual([written[4]!.seq, written[1]!.seq]);
      const page1 = await store.decisions.list(org, { limit: 2 });
      const page2 = await store.decisions.list(org, { limit: 2, beforeSeq: page1[1]!.seq });
      expect([...page1, ...page2].map((r) => r.seq)).toEqual(all.slice(0, 4).map((r) => r.seq));
      expect(await store.decisions.list(orgB, { channel: 'mail' })).toEqual([]);
      expect((await store.decisions.list(orgA)).every((r) => r.verdict.orgId === orgA)).toBe(true);
    });

    it('two logs on one database (two processes) take turns: each sees the other’s rows and chains after them', async () => {
      const counter = new QueryCounter();
      const first = new SqlDecisionLog(store.db.withPlugin(counter));
      const second = new SqlDecisionLog(store.db);
      const a = await first.append(verdict(orgA), event(1));
      const b = await second.append(verdict(orgA), event(2));
      counter.reset();
      const c = await first.append(verdict(orgA), event(3));
      expect([b.seq, c.seq]).toEqual([a.seq + 1, a.seq + 2]);
      // Its head was stale: one statement that wrote nothing, one read of the head, one that wrote.
      expect([counter.count('RawNode'), counter.count('SelectQueryNode', 'decision_chain')]).toEqual([2, 1]);
      counter.reset();
      const d = await first.append(verdict(orgA), event(4));
      expect(d.seq).toBe(c.seq + 1);
      // Its head is its own: one statement, nothing read.
      expect([counter.count('RawNode'), counter.count('SelectQueryNode', 'decision_chain')]).toEqual([1, 0]);
      // A batch larger than one statement is written under the head row's lock.
      const many = await second.appendMany(
        Array.from({ length: 1001 }, (_, i) => ({ verdict: verdict(orgB), event: event(i) })),
      );
      expect(many.map((r) => r.seq)).toEqual(Array.from({ length: 1001 }, (_, i) => d.seq + 1 + i));
      expect((await first.append(verdict(orgA), event(5))).seq).toBe(d.seq + 1002);
      expect((await store.decisions.verify()).ok).toBe(true);
    });

    it('commits 200 concurrent appends in few statements, gap-free, and the chain verifies', async () => {
      const counter = new QueryCounter();
      const log = new SqlDecisionLog(store.db.withPlugin(counter));
      const head = await store.db.selectFrom('decision_chain').select('last_seq').executeTakeFirst();
      const before = Number(head?.last_seq ?? 0);
      // Requests arriving over a few milliseconds, as from many HTTP connections.
      const records = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          await sleep(i % 10);
          return log.append(verdict(i % 2 ? orgA : orgB), event(i));
        }),
      );
      const seqs = records.map((r) => r.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => before + 1 + i));
      // Each batch is one raw statement (a lost race with another writer, one more).
      const statements = counter.count('RawNode');
      expect(statements).toBeGreaterThan(0);
      expect(statements).toBeLessThanOrEqual(20);
      const report = await store.decisions.verify();
      expect(report).toEqual({
        ok: true,
        checked: seqs.at(-1),
        head: { seq: seqs.at(-1), hash: records.find((r) => r.seq === seqs.at(-1))?.hash },
        log: expect.stringMatching(/^log_[0-9a-f]{32}$/),
        findings: [],
      });
    });
  });

  describe(`decision log audit on ${backend.name}`, () => {
    let store: Store;
    let org: string;
    beforeAll(async () => {
      store = await backend.open();
      org = (await store.orgs.create({ name: 'audited' })).id;
    });
    afterAll(() => store.close());

    it('verifies an empty log', async () => {
      expect(await store.decisions.verify()).toEqual({
        ok: true,
        checked: 0,
        head: { seq: 0, hash: GENESIS_HASH },
        log: expect.stringMatching(/^log_[0-9a-f]{32}$/),
        findings: [],
      });
    });

    it('finds a row edited and a row deleted behind its back, and deleted newest rows', async () => {
      const records = await store.decisions.appendMany(
        Array.from({ length: 2500 }, (_, i) => ({ verdict: verdict(org), event: event(i) })),
      );
      expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
      const first = await store.db
        .selectFrom('decisions')
        .select('prev_hash')
        .where('seq', '=', 1)
        .executeTakeFirstOrThrow();
      expect(first.prev_hash).toBe('0'.repeat(64));
      expect((await store.decisions.verify()).ok).toBe(true);

      await sql`update decisions set score = 99 where seq = 1200`.execute(store.db);
      await sql`update decisions set verdict = jsonb_set(verdict, '{action}', '"block"') where seq = 1800`.execute(
        store.db,
      );
      await sql`delete from decisions where seq in (1500, 2001, 2002)`.execute(store.db);
      const report = await store.decisions.verify();
      expect(report.ok).toBe(false);
      expect(report.checked).toBe(2497);
      expect(report.findings.map((f) => [f.kind, f.seq])).toEqual([
        ['edited', 1200],
        ['deleted', 1500],
        ['edited', 1800],
        ['deleted', 2001],
      ]);
      expect(report.findings[0]?.id).toBe(records[1199]!.verdict.id);
      expect(report.findings[3]?.message).toContain('2001–2002');

      await sql`delete from decisions where seq >= 2499`.execute(store.db);
      const tail = await store.decisions.verify();
      expect(tail.findings.map((f) => [f.kind, f.seq])).toEqual([
        ...report.findings.map((f) => [f.kind, f.seq]),
        ['head_mismatch', 2500],
      ]);
    });

    it('finds a row rewritten with its hash recomputed, and a head that disagrees', async () => {
      const other = await backend.open();
      try {
        const orgId = (await other.orgs.create({ name: 'x' })).id;
        await other.decisions.appendMany(
          Array.from({ length: 10 }, (_, i) => ({ verdict: verdict(orgId), event: event(i) })),
        );
        // A careful forger: row 4 changed and given the hash of its new content, so it passes on its own.
        await sql`update decisions set score = 0 where seq = 4`.execute(other.db);
        const row = await other.db
          .selectFrom('decisions')
          .selectAll()
          .where('seq', '=', 4)
          .executeTakeFirstOrThrow();
        await other.db
          .updateTable('decisions')
          .set({ hash: storedRowHash(row) })
          .where('seq', '=', 4)
          .execute();
        const report = await other.decisions.verify();
        expect(report.findings.map((f) => [f.kind, f.seq])).toEqual([['broken_link', 5]]);

        await sql`update decision_chain set last_hash = ${'f'.repeat(64)}`.execute(other.db);
        const head = await other.decisions.verify();
        expect(head.findings.map((f) => [f.kind, f.seq])).toEqual([
          ['broken_link', 5],
          ['head_mismatch', 10],
        ]);
      } finally {
        await other.close();
      }
    });
  });
}

describe.runIf(process.env.DATABASE_URL)('decision log shared by two processes on PostgreSQL', () => {
  it('two servers appending at once from an empty log keep one gap-free chain', async () => {
    const fresh = await freshDatabase(process.env.DATABASE_URL!);
    // Two stores with their own pools: two servers on one database. The first appends find no chain head.
    const a = await openStore({ databaseUrl: fresh.url });
    const b = await openStore({ databaseUrl: fresh.url });
    try {
      const org = (await a.orgs.create({ name: 'shared' })).id;
      const rounds = await Promise.all(
        [a, b].map(async (store) => {
          const records = [];
          for (let round = 0; round < 10; round++)
            records.push(
              ...(await Promise.all(
                Array.from({ length: 5 }, (_, i) => store.decisions.append(verdict(org), event(i))),
              )),
            );
          return records;
        }),
      );
      const seqs = rounds
        .flat()
        .map((r) => r.seq)
        .sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(await a.decisions.verify()).toMatchObject({
        ok: true,
        checked: 100,
        head: { seq: 100 },
        findings: [],
      });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await fresh.drop();
    }
  });
});
