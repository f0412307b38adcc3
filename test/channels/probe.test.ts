import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/cases/roles.ts';
import { CHANNEL_PLUGINS } from '../../src/channels/registry.ts';
import type { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import { mamoruBackends, type OpenedMamoru } from '../helpers/mamoru-backends.ts';
import { type ProbeKnobs, probePlugin } from './probe/index.ts';

/**
 * Issue 8, must-show: a new channel is one folder (`test/channels/probe`) plus
 * one line in the registry's list — with its own table, migration and
 * operation — and every hook runs on both backends: schema, begin (state),
 * enrichment with a budget, detectors (one needing the enrichment, one not),
 * waiver, record, case details, subject, origin, operation (an HTTP route and
 * its OpenAPI entry), and the case outcome.
 */
for (const backend of mamoruBackends()) {
  describe(`a channel plug-in on ${backend.name}`, () => {
    const knobs: ProbeKnobs = { historyDelayMs: 0, approved: new Set(), outcomes: [] };
    let opened: OpenedMamoru;
    let mamoru: Mamoru;
    let app: App;
    let token: string;
    let admin: Actor;
    const transfer = (id: string, payee: string, amount = 10_000) => ({
      transferId: id,
      branch: 'shinjuku',
      payee,
      amount,
    });

    beforeAll(async () => {
      // The registry's channels and one line more.
      opened = await backend.open({ plugins: [...CHANNEL_PLUGINS, probePlugin(knobs)] });
      mamoru = opened.mamoru;
      const boot = await mamoru.bootstrap({ demo: false });
      if (!boot) throw new Error('bootstrap created nothing');
      token = boot.token;
      admin = { id: 'key_admin', role: 'admin', orgId: boot.orgId };
      app = await buildServer({ mamoru, metrics: new Metrics({ defaults: false }), logger: false });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await opened?.close();
    });

    it('migrates its own table with the core’s, and builds with no problem', async () => {
      expect(mamoru.engine.channels()).toContain('probe');
      expect(mamoru.engine.problems.filter((p) => p.channel === 'probe')).toEqual([]);
      const rows = await mamoru.store.db
        .selectFrom('mamoru_migrations' as never)
        .select('name' as never)
        .execute();
      expect((rows as { name: string }[]).map((r) => r.name)).toContain('900-probe-transfers');
    });

    it('screens through every hook: state, enrichment with its timing, detectors, record, case details, subject, origin', async () => {
      const first = await mamoru.screen(admin, 'probe', transfer('T-1', 'ACME'));
      // A first payee: the enrichment answered 0 transfers, the detector that needs it fired, the forced hold
      // opened a case with the channel's details, for the origin the channel named.
      expect(first.action).toBe('hold');
      expect(first.hits.map((h) => h.signal)).toEqual(['PROBE_NEW_PAYEE']);
      expect(first.enrichments).toEqual([
        expect.objectContaining({ enrichment: 'probe.payee_history', outcome: 'ok' }),
      ]);
      expect(first.timings.enrich).toBeGreaterThanOrEqual(0);
      expect(first.case).toMatchObject({ status: 'open', reused: false });
      const opened1 = await mamoru.cases.get(admin.orgId, first.case!.id);
      expect(opened1.origin).toBe('branch:shinjuku');
      expect(opened1.subject).toBe('transfer:T-1');
      expect(opened1.summary.details).toEqual({ payeeTransfers: 0 });

      // Recorded in the channel's own table: the next transfer to that payee sees one.
      const second = await mamoru.screen(admin, 'probe', transfer('T-2', 'acme', 2_000_000));
      expect(second.hits.map((h) => h.signal)).toEqual(['PROBE_LARGE_AMOUNT']);
      expect(second.action).toBe('allow');

      // Once recorded, the payee is known: the same transfer screened again passes.
      const again = await mamoru.screen(admin, 'probe', transfer('T-1', 'ACME'));
      expect(again.action).toBe('allow');
    });

    it('answers its operation over HTTP, documented in OpenAPI, with the permission it declares', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/probe/transfers?payee=ACME',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      const items = (res.json() as { items: { transferId: string; status: string }[] }).items;
      expect(items.map((i) => i.transferId)).toEqual(['T-1', 'T-2']);
      const bad = await app.inject({
        method: 'GET',
        url: '/v1/probe/transfers?colour=red',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(bad.statusCode).toBe(400);
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(doc.paths)).toContain('/v1/probe/transfers');
      expect(Object.keys(doc.paths)).toContain('/v1/screen/probe');
    });

    it('acts on the case outcome: a released transfer is marked in its table', async () => {
      const held = await mamoru.screen(admin, 'probe', transfer('T-3', 'Umbrella'));
      expect(held.action).toBe('hold');
      await mamoru.cases.resolve(admin, held.case!.id, { resolution: 'approved', reason: '本人確認済み' });
      await mamoru.outcomes.drain();
      expect(knobs.outcomes).toContain(`${held.case!.id}:released:event`);
      const rows = await mamoru.store.db
        .$extendTables<{ probe_transfers: { transfer_id: string; status: string; org_id: string } }>()
        .selectFrom('probe_transfers')
        .select(['status'])
        .where('org_id', '=', admin.orgId)
        .where('transfer_id', '=', 'T-3')
        .execute();
      expect(rows).toEqual([{ status: 'released' }]);
    });

    it('applies its waiver once, for the hits it covers', async () => {
      knobs.approved.add('initech');
      const waived = await mamoru.screen(admin, 'probe', transfer('T-4', 'Initech', 3_000_000));
      knobs.approved.delete('initech');
      expect(waived.hits.map((h) => h.signal).sort()).toEqual(['PROBE_LARGE_AMOUNT', 'PROBE_PAYEE_APPROVED']);
      const approval = waived.hits.find((h) => h.signal === 'PROBE_PAYEE_APPROVED');
      expect(approval?.evidence).toEqual([
        'approved_payee=initech',
        'covers=PROBE_NEW_PAYEE',
        'payee=initech transfers=0',
      ]);
      expect(waived.action).toBe('allow');
    });

    it('a history slower than its budget fails only the detector that needs it, and a person decides', async () => {
      knobs.historyDelayMs = 400;
      const started = performance.now();
      const late = await mamoru.screen(admin, 'probe', transfer('T-5', 'Hooli', 2_000_000));
      const took = performance.now() - started;
      // The same subject again while its case waits: the case is reused, not a second one.
      const again = await mamoru.screen(admin, 'probe', transfer('T-5', 'Hooli', 2_000_000));
      knobs.historyDelayMs = 0;
      expect(again.case).toMatchObject({ id: late.case!.id, reused: true });
      expect(late.enrichments).toEqual([
        expect.objectContaining({ enrichment: 'probe.payee_history', outcome: 'error', code: 'timeout' }),
      ]);
      const byDetector = Object.fromEntries(late.outcomes.map((o) => [o.detector, o]));
      expect(byDetector['probe.new_payee']).toMatchObject({ outcome: 'error', code: 'enrichment_failed' });
      expect(byDetector['probe.large_amount']).toMatchObject({ outcome: 'ok', hits: 1 });
      expect(late.hits.map((h) => h.signal).sort()).toEqual([
        'POLICY_ENRICHMENT_FAILED',
        'PROBE_LARGE_AMOUNT',
      ]);
      expect(late.action).toBe('review');
      // Within the budget of 200 ms (and the rest of a screening), not the 400 ms the lookup took.
      expect(took).toBeLessThan(380);
    });
  });
}
