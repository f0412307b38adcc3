import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import { mamoruBackends } from '../helpers/mamoru-backends.ts';
import { bearer } from '../helpers/server.ts';

/**
 * The API additions the web console reads (issue 10): the channel catalogue,
 * the decision explorer's filters, the case queue's origin filter, the
 * dashboard's aggregates, the policy schema and rollback, and the indicator
 * export. On PGlite, and on PostgreSQL when DATABASE_URL is set.
 */
for (const backend of mamoruBackends()) {
  describe(`console API (${backend.name})`, () => {
    let app: App;
    let close: () => Promise<void>;
    let admin: string;
    let other: string;
    const inject = (
      method: 'GET' | 'POST' | 'PUT',
      url: string,
      token: string,
      payload?: Record<string, unknown>,
    ) => app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });
    const key = async (role: string, origin?: string) => {
      const res = await inject('POST', '/v1/keys', admin, {
        name: `${role} key`,
        role,
        ...(origin ? { origin } : {}),
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().token as string;
    };
    const decisions: { message?: string; contract?: string; otherOrg?: string } = {};

    beforeAll(async () => {
      const opened = await backend.open();
      const mamoru: Mamoru = opened.mamoru;
      const boot = await mamoru.bootstrap({ demo: false });
      if (!boot) throw new Error('bootstrap created nothing');
      const metrics = new Metrics({ defaults: false });
      app = await buildServer({ mamoru, metrics, logger: false, console: false });
      close = async () => {
        await app.close();
        await opened.close();
      };
      admin = boot.token;
      const org = await inject('POST', '/v1/orgs', admin, { name: 'Other carrier' });
      expect(org.statusCode, org.body).toBe(201);
      other = org.json().admin.token;
      const ind = await inject('POST', '/v1/indicators', admin, {
        type: 'phone',
        value: '090-1111-2222',
        verdict: 'malicious',
        confidence: 90,
        source: 'test',
      });
      expect(ind.statusCode, ind.body).toBe(201);
      const msg = await inject('POST', '/v1/screen/message', admin, {
        kind: 'sms',
        sender: '09011112222',
        text: '至急ご連絡ください',
      });
      expect(msg.statusCode, msg.body).toBe(200);
      decisions.message = msg.json().id;
      const catalogue = await inject('GET', '/v1/channels', admin);
      const contract = catalogue.json().items.find((c: { name: string }) => c.name === 'contract');
      const con = await inject('POST', '/v1/screen/contract', admin, contract.example);
      expect(con.statusCode, con.body).toBe(200);
      decisions.contract = con.json().id;
      const theirs = await inject('POST', '/v1/screen/message', other, {
        kind: 'sms',
        sender: '09011112222',
        text: '至急ご連絡ください',
      });
      expect(theirs.statusCode, theirs.body).toBe(200);
      decisions.otherOrg = theirs.json().id;
    });
    afterAll(() => close());

    describe('GET /v1/channels', () => {
      it('lists each channel with its signals (the engine’s own included), example and operations', async () => {
        const res = await inject('GET', '/v1/channels', await key('agent'));
        expect(res.statusCode, res.body).toBe(200);
        const items = res.json().items as {
          name: string;
          title: { ja: string };
          signals: { name: string; forceAction?: string }[];
          example: unknown;
          operations: { name: string; method: string; path: string; permission: string }[];
        }[];
        const names = items.map((c) => c.name);
        expect(names).toEqual(expect.arrayContaining(['contract', 'message']));
        for (const c of items) {
          const signals = c.signals.map((s) => s.name);
          expect(signals).toContain('POLICY_DENY_LISTED');
          expect(new Set(signals).size).toBe(signals.length);
          expect(c.example).toBeTypeOf('object');
          for (const op of c.operations) expect(op.path.startsWith(`/v1/${c.name}/`)).toBe(true);
        }
        const message = items.find((c) => c.name === 'message')!;
        expect(message.signals.map((s) => s.name)).toContain('INTEL_MATCH_PHONE');
        expect(message.signals.find((s) => s.name === 'POLICY_ENRICHMENT_FAILED')?.forceAction).toBe(
          'review',
        );
      });
      it('needs a key', async () => {
        const res = await app.inject({ method: 'GET', url: '/v1/channels' });
        expect(res.statusCode).toBe(401);
      });
    });

    describe('GET /v1/decisions filters', () => {
      const ids = (res: { json(): { items: { verdict: { id: string } }[] } }) =>
        res.json().items.map((d) => d.verdict.id);
      it('filters by signal', async () => {
        const res = await inject('GET', '/v1/decisions?signal=INTEL_MATCH_PHONE', admin);
        expect(res.statusCode, res.body).toBe(200);
        expect(ids(res)).toEqual([decisions.message]);
        const none = await inject('GET', '/v1/decisions?signal=NO_SUCH_SIGNAL', admin);
        expect(ids(none)).toEqual([]);
      });
      it('filters by indicator, normalised when its type is given', async () => {
        const typed = await inject('GET', '/v1/decisions?indicator=090-1111-2222&indicatorType=phone', admin);
        expect(typed.statusCode, typed.body).toBe(200);
        expect(ids(typed)).toEqual([decisions.message]);
        const raw = await inject('GET', '/v1/decisions?indicator=%2B819011112222', admin);
        expect(ids(raw)).toEqual([decisions.message]);
        const unnormalised = await inject('GET', '/v1/decisions?indicator=090-1111-2222', admin);
        expect(ids(unnormalised)).toEqual([]);
      });
      it('filters by time window and event id', async () => {
        const all = await inject('GET', '/v1/decisions', admin);
        const message = all
          .json()
          .items.find((d: { verdict: { id: string } }) => d.verdict.id === decisions.message);
        const at = message.verdict.createdAt as string;
        const from = await inject(
          'GET',
          `/v1/decisions?from=${encodeURIComponent(at)}&channel=message`,
          admin,
        );
        expect(ids(from)).toEqual([decisions.message]);
        const to = await inject('GET', `/v1/decisions?to=${encodeURIComponent(at)}&channel=message`, admin);
        expect(ids(to)).toEqual([]);
        const event = await inject(
          'GET',
          `/v1/decisions?eventId=${encodeURIComponent(message.verdict.eventId)}`,
          admin,
        );
        expect(ids(event)).toEqual([decisions.message]);
      });
      it('never shows another organisation’s decisions', async () => {
        const res = await inject('GET', '/v1/decisions?signal=INTEL_MATCH_PHONE', other);
        expect(ids(res)).not.toContain(decisions.message);
        const mine = await inject('GET', '/v1/decisions', admin);
        expect(ids(mine)).not.toContain(decisions.otherOrg);
      });
      it('answers 400 naming the field', async () => {
        for (const [query, field] of [
          ['from=yesterday', 'query.from'],
          ['signal=lower', 'query.signal'],
          ['indicatorType=fax&indicator=1', 'query.indicatorType'],
          ['indicator=not-a-phone&indicatorType=phone', 'query.indicator'],
        ]) {
          const res = await inject('GET', `/v1/decisions?${query}`, admin);
          expect(res.statusCode, query).toBe(400);
          expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(field);
        }
      });
      it('refuses a key without decisions:read (403)', async () => {
        const res = await inject(
          'GET',
          '/v1/decisions?signal=INTEL_MATCH_PHONE',
          await key('agent', 'shop:1'),
        );
        expect(res.statusCode).toBe(403);
      });
    });
  });
}
