import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isMamoruError, newId, type Verdict } from '../../src/core/index.ts';
import { CheckpointIssuer } from '../../src/store/checkpoint-issuer.ts';
import { anchorOf, checkpointSignatureProblem, signCheckpoint } from '../../src/store/decision-checkpoint.ts';
import { storedRowHash } from '../../src/store/decision-hash.ts';
import type { AuditOptions, DecisionRecord, Store } from '../../src/store/index.ts';
import { storeBackends } from '../helpers/stores.ts';

/**
 * The decision log against a signed checkpoint kept outside the database (X1),
 * on every backend: what an insider with SQL access can hide from the chain
 * alone (a log emptied with its head, a tail rewritten with its hashes and
 * head recomputed), what the checkpoint shows, and cases whose decision is gone.
 */

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
let clock = Date.parse('2026-04-01T09:00:00.000Z');

function verdict(orgId: string): Verdict {
  clock += 1;
  return {
    id: newId('dec'),
    orgId,
    channel: 'message',
    eventId: newId('evt'),
    action: 'allow',
    score: 1.25,
    hits: [],
    outcomes: [],
    reasons: [],
    summary: { ja: '判定: 許可', en: 'Verdict: allow' },
    indicators: [],
    policy: { id: 'default', version: 1 },
    timings: { pre: 0, detect: 0, post: 0, observe: 0, total: 0 },
    createdAt: new Date(clock).toISOString(),
  };
}

const kinds = (report: { findings: readonly { kind: string; seq?: number }[] }) =>
  report.findings.map((f) => [f.kind, f.seq]);

for (const backend of storeBackends()) {
  describe(`decision log checkpoints on ${backend.name}`, () => {
    let store: Store;
    let org: string;
    let otherOrg: string;
    beforeAll(async () => {
      store = await backend.open();
      org = (await store.orgs.create({ name: 'audited' })).id;
      otherOrg = (await store.orgs.create({ name: 'other' })).id;
    });
    afterAll(() => store.close());
    // Each scenario starts from an empty log, as an insider would leave it.
    beforeEach(async () => {
      await sql`delete from cases`.execute(store.db);
      await sql`delete from decisions`.execute(store.db);
      await sql`delete from decision_chain`.execute(store.db);
    });

    const fill = (n: number) =>
      store.decisions.appendMany(
        Array.from({ length: n }, (_, i) => ({ verdict: verdict(org), event: { n: i } })),
      );

    /** A checkpoint of the log as it is now, signed and read back. */
    async function checkpoint() {
      const report = await store.decisions.verify();
      expect(report.ok).toBe(true);
      return signCheckpoint(privateKey, { log: report.log!, ...report.head });
    }
    const verifyAgainst = async (c: ReturnType<typeof signCheckpoint>, options: AuditOptions = {}) => {
      expect(checkpointSignatureProblem(c, publicKey)).toBeUndefined();
      return store.decisions.verify({ against: anchorOf(c), ...options });
    };

    /** Rewrite rows `from`… with a new score, each given the hash of its new content and link; the head follows. */
    async function rewriteFrom(from: number) {
      const rows = await store.db
        .selectFrom('decisions')
        .selectAll()
        .where('seq', '>=', from)
        .orderBy('seq')
        .execute();
      let prev = (
        await store.db
          .selectFrom('decisions')
          .select('hash')
          .where('seq', '=', from - 1)
          .executeTakeFirstOrThrow()
      ).hash;
      for (const row of rows) {
        const changed = { ...row, score: 0, prev_hash: prev };
        const hash = storedRowHash(changed);
        await store.db
          .updateTable('decisions')
          .set({ score: 0, prev_hash: prev, hash })
          .where('seq', '=', row.seq)
          .execute();
        prev = hash;
      }
      await store.db.updateTable('decision_chain').set({ last_hash: prev }).where('id', '=', 1).execute();
    }

    it('a log that still holds the checkpointed head verifies against it, decisions appended since too', async () => {
      const records = await fill(30);
      const c = await checkpoint();
      expect([c.seq, c.hash]).toEqual([30, records[29]!.hash]);
      expect(await verifyAgainst(c)).toMatchObject({ ok: true, checked: 30, findings: [] });
      await fill(5);
      expect(await verifyAgainst(c)).toMatchObject({
        ok: true,
        checked: 35,
        head: { seq: 35 },
        findings: [],
      });
      // Rows up to the checkpoint audited before: only the row itself and those after it are read.
      expect(await verifyAgainst(c, { scope: 'after-anchor' })).toMatchObject({ ok: true, checked: 6 });
    });

    it('a log emptied with its head verifies on its own, and is truncated against a checkpoint', async () => {
      await fill(20);
      const c = await checkpoint();
      await sql`delete from decisions`.execute(store.db);
      await sql`delete from decision_chain`.execute(store.db);
      // The chain alone cannot tell an emptied log from a new one: the gap the checkpoint closes.
      expect(await store.decisions.verify()).toMatchObject({ ok: true, checked: 0, findings: [] });
      const wiped = await verifyAgainst(c);
      expect(kinds(wiped)).toEqual([['truncated', 20]]);
      expect(wiped.findings[0]?.message).toMatch(/vouches for decisions 1–20, but the log holds none/);
      // The application goes on writing: a new chain from seq 1.
      await fill(5);
      expect((await store.decisions.verify()).ok).toBe(true);
      expect((await verifyAgainst(c)).findings[0]?.message).toMatch(/the log ends at 5/);
      await fill(20);
      expect(kinds(await verifyAgainst(c))).toEqual([['rewritten', 20]]);
    });

    it('newest decisions deleted with the head moved back to the last row left are truncated', async () => {
      const records = await fill(20);
      const c = await checkpoint();
      await sql`delete from decisions where seq > 17`.execute(store.db);
      await store.db
        .updateTable('decision_chain')
        .set({ last_seq: 17, last_hash: records[16]!.hash })
        .where('id', '=', 1)
        .execute();
      expect((await store.decisions.verify()).ok).toBe(true);
      const report = await verifyAgainst(c);
      expect(kinds(report)).toEqual([['truncated', 20]]);
      expect(report.findings[0]?.message).toMatch(/ends at 17/);
    });

    it('a tail rewritten with every hash and the head recomputed is found up to the checkpoint, not after it', async () => {
      await fill(20);
      const c = await checkpoint();
      await rewriteFrom(16);
      expect((await store.decisions.verify()).ok).toBe(true);
      expect(kinds(await verifyAgainst(c))).toEqual([['rewritten', 20]]);
      expect(kinds(await verifyAgainst(c, { scope: 'after-anchor' }))).toEqual([['rewritten', 20]]);

      await sql`delete from decisions`.execute(store.db);
      await sql`delete from decision_chain`.execute(store.db);
      const records = await fill(30);
      const at20 = signCheckpoint(privateKey, { log: c.log, seq: 20, hash: records[19]!.hash });
      // Rows written after a checkpoint are not vouched for by it (the next checkpoint covers them)…
      await rewriteFrom(25);
      expect(await verifyAgainst(at20)).toMatchObject({ ok: true, findings: [] });
      // …rows up to it are.
      await rewriteFrom(5);
      expect(kinds(await verifyAgainst(at20))).toEqual([['rewritten', 20]]);
    });

    it('a checkpoint of another log is named as such, and so is a log whose id was deleted', async () => {
      await fill(3);
      const c = await checkpoint();
      const other = signCheckpoint(privateKey, { log: 'log_other', seq: c.seq, hash: c.hash });
      const report = await verifyAgainst(other);
      expect(kinds(report)).toEqual([['checkpoint_log', undefined]]);
      expect(report.findings[0]?.message).toMatch(/not of this log/);
      const log = c.log;
      await sql`delete from settings where key = 'decision_log_id'`.execute(store.db);
      try {
        expect((await verifyAgainst(c)).findings[0]?.message).toMatch(/has no log id/);
      } finally {
        await store.settings.set('decision_log_id', log);
      }
    });

    it('cases whose decision is not in the log are findings, without a checkpoint', async () => {
      const records = await fill(3);
      const openCase = (orgId: string, decisionId: string) =>
        sql`insert into cases (id, org_id, decision_id, channel, action, status, due_at, summary, created_at, updated_at)
          values (${newId('case')}, ${orgId}, ${decisionId}, 'message', 'review', 'open', now(), '{}', now(), now())`.execute(
          store.db,
        );
      const idOf = (r: DecisionRecord) => r.verdict.id;
      await openCase(org, idOf(records[0]!));
      expect((await store.decisions.verify()).ok).toBe(true);
      await openCase(org, 'dec_gone');
      // Another organisation's case naming this organisation's decision does not have it either.
      await openCase(otherOrg, idOf(records[1]!));
      const report = await store.decisions.verify();
      expect(report.findings.map((f) => [f.kind, f.id, f.orgId])).toEqual([
        ['case_without_decision', 'dec_gone', org],
        ['case_without_decision', idOf(records[1]!), otherOrg],
      ]);
      expect(report.findings[0]?.caseId).toMatch(/^case_/);
      expect((await store.decisions.verify({ cases: false })).ok).toBe(true);

      // A wiped log with a thousand cases: a bounded report, the rest counted.
      await sql`insert into cases (id, org_id, decision_id, channel, action, status, due_at, summary, created_at, updated_at)
        select 'case_bulk_' || n, ${org}, 'dec_bulk_' || n, 'message', 'review', 'open', now(), '{}', now(), now()
        from generate_series(1, 1005) as n`.execute(store.db);
      const many = await store.decisions.verify();
      expect(many.findings.length).toBe(1001);
      expect(many.findings.at(-1)?.message).toBe('and 7 more cases whose decision is not in the log');
    });

    it('a log changed whole gives a bounded report: ten thousand findings named, the rest counted', async () => {
      await fill(10_050);
      await sql`update decisions set score = 0`.execute(store.db);
      const report = await store.decisions.verify();
      expect(report.checked).toBe(10_050);
      expect(report.findings.length).toBe(10_001);
      expect(report.findings.at(-1)).toEqual({
        kind: 'edited',
        message: 'and 50 more findings of this kind (edited)',
      });
    });

    it('the issuer signs only a log that verifies, then audits only the rows after its last checkpoint', async () => {
      await fill(10);
      const issuer = new CheckpointIssuer(store, privateKey);
      const first = await issuer.issue('audit');
      expect(first.seq).toBe(10);
      expect(checkpointSignatureProblem(first, publicKey)).toBeUndefined();
      expect((await verifyAgainst(first)).ok).toBe(true);
      await fill(5);
      expect((await issuer.issue('audit')).seq).toBe(15);
      expect((await issuer.issue('head')).seq).toBe(15);
      // Rows deleted since the last checkpoint: nothing more is signed. (Rows behind it are not walked
      // again: the hash it signed still vouches for them, and a full audit shows their deletion.)
      await fill(5);
      await sql`delete from decisions where seq in (17, 18)`.execute(store.db);
      for (const signer of [issuer, new CheckpointIssuer(store, privateKey)]) {
        const refused = await signer.issue('audit').catch((e: unknown) => e);
        expect(isMamoruError(refused) && refused.code).toBe('conflict');
        expect(isMamoruError(refused) && refused.issues.map((i) => i.path)).toEqual(['deleted 17']);
      }
      await sql`delete from decision_chain`.execute(store.db);
      const headless = await issuer.issue('head').catch((e: unknown) => e);
      expect(isMamoruError(headless) && headless.code).toBe('conflict');
    });
  });
}
