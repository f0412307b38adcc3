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
    let mamoru: Mamoru;
    let caseId: string;

    beforeAll(async () => {
      const opened = await backend.open();
      mamoru = opened.mamoru;
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
      // Anything suspicious goes to review: the message screened below opens a case.
      const put = await inject('PUT', '/v1/policies/message', admin, {
        document: {
          id: 'message.strict',
          channel: 'message',
          thresholds: { warn: null, review: 0.5, block: 100 },
        },
        comment: 'review anything suspicious',
      });
      expect(put.statusCode, put.body).toBe(200);
      const msg = await inject('POST', '/v1/screen/message', admin, {
        kind: 'sms',
        sender: '09011112222',
        text: '至急ご連絡ください',
      });
      expect(msg.statusCode, msg.body).toBe(200);
      decisions.message = msg.json().id;
      expect(msg.json().action).toBe('review');
      const cases = await inject('GET', '/v1/cases', admin);
      caseId = cases.json().items.find((c: { decisionId: string }) => c.decisionId === decisions.message).id;
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

    describe('GET /v1/cases?origin=', () => {
      beforeAll(async () => {
        await mamoru.store.db
          .updateTable('cases')
          .set({ origin: 'shop:shinjuku-01' })
          .where('id', '=', caseId)
          .execute();
      });
      const caseIds = (res: { json(): { items: { id: string }[] } }) => res.json().items.map((c) => c.id);
      it('keeps the cases of that origin', async () => {
        const res = await inject('GET', '/v1/cases?origin=shop:shinjuku-01', admin);
        expect(res.statusCode, res.body).toBe(200);
        expect(caseIds(res)).toEqual([caseId]);
        expect(caseIds(await inject('GET', '/v1/cases?origin=shop:shibuya-02', admin))).toEqual([]);
        expect(caseIds(await inject('GET', '/v1/cases?origin=shop:shinjuku-01', other))).toEqual([]);
      });
      it('an origin-bound key sees only its own origin whatever it asks', async () => {
        const shop = await key('agent', 'shop:shibuya-02');
        const res = await inject('GET', '/v1/cases?origin=shop:shinjuku-01', shop);
        expect(res.statusCode, res.body).toBe(200);
        expect(caseIds(res)).toEqual([]);
        const own = await key('agent', 'shop:shinjuku-01');
        expect(caseIds(await inject('GET', '/v1/cases?origin=shop:shinjuku-01', own))).toEqual([caseId]);
      });
      it('answers 400 naming query.origin', async () => {
        const res = await inject('GET', '/v1/cases?origin=Not%20An%20Origin', admin);
        expect(res.statusCode).toBe(400);
        expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('query.origin');
      });
    });

    describe('GET /v1/stats/overview', () => {
      it('counts the window’s decisions, signals, intel matches and cases', async () => {
        const res = await inject('GET', '/v1/stats/overview', await key('reviewer'));
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        expect(body.hours).toBe(24);
        expect(Date.parse(body.to) - Date.parse(body.from)).toBe(24 * 3_600_000);
        expect(body.totals.decisions).toBe(2);
        expect(body.totals.byChannel).toEqual({ message: 1, contract: 1 });
        expect(body.totals.byAction.review).toBeGreaterThanOrEqual(1);
        expect(Object.keys(body.totals.byAction)).toEqual(
          expect.arrayContaining(['allow', 'review', 'block']),
        );
        for (const row of body.perHour) {
          expect(row.hour).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
          expect(row.count).toBeGreaterThan(0);
        }
        expect(body.perHour.reduce((n: number, r: { count: number }) => n + r.count, 0)).toBe(2);
        expect(body.topSignals).toContainEqual({ signal: 'INTEL_MATCH_PHONE', count: 1 });
        expect(body.topIndicators).toEqual([{ type: 'phone', value: '+819011112222', count: 1 }]);
        expect(body.cases.open + body.cases.inReview).toBeGreaterThanOrEqual(1);
        expect(body.cases.byChannel).toContainEqual(expect.objectContaining({ channel: 'message' }));
      });
      it('filters by channel', async () => {
        const res = await inject('GET', '/v1/stats/overview?hours=1&channel=contract', admin);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().totals.decisions).toBe(1);
        expect(res.json().topIndicators).toEqual([]);
        expect(res.json().cases.byChannel.map((c: { channel: string }) => c.channel)).not.toContain(
          'message',
        );
      });
      it('counts closed cases whose delivery failed', async () => {
        const db = mamoru.store.db;
        const before = (await inject('GET', '/v1/stats/overview', admin)).json().cases;
        await db
          .updateTable('cases')
          .set({ status: 'resolved', outcome_delivered_at: null, outcome_attempts: 2 })
          .where('id', '=', caseId)
          .execute();
        const after = (await inject('GET', '/v1/stats/overview', admin)).json().cases;
        expect(after.deliveryFailed).toBe(before.deliveryFailed + 1);
        expect(after.undelivered).toBe(before.undelivered + 1);
        expect(after.open + after.inReview).toBe(before.open + before.inReview - 1);
      });
      it('shows only the organisation’s own', async () => {
        const res = await inject('GET', '/v1/stats/overview', other);
        expect(res.json().totals.decisions).toBe(1);
        expect(res.json().totals.byChannel).toEqual({ message: 1 });
      });
      it('answers 400 naming the field, 403 without decisions:read', async () => {
        const res = await inject('GET', '/v1/stats/overview?hours=721', admin);
        expect(res.statusCode).toBe(400);
        expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('query.hours');
        const shop = await key('agent', 'shop:1');
        expect((await inject('GET', '/v1/stats/overview', shop)).statusCode).toBe(403);
      });
    });

    describe('GET /v1/policies/:channel/schema', () => {
      it('answers the document’s JSON Schema, the signals, actions and the default', async () => {
        const res = await inject('GET', '/v1/policies/message/schema', await key('reviewer'));
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json();
        expect(body.channel).toBe('message');
        expect(body.document.type).toBe('object');
        expect(Object.keys(body.document.properties)).toEqual(
          expect.arrayContaining(['thresholds', 'signals']),
        );
        expect(body.signals.map((s: { name: string }) => s.name)).toEqual(
          expect.arrayContaining(['POLICY_ALLOW_LISTED', 'INTEL_MATCH_PHONE']),
        );
        expect(body.actions).toContain('block');
        expect(body.caseActions).toEqual(['step_up', 'review', 'hold']);
        const v0 = await inject('GET', '/v1/policies/message/versions?limit=500', admin);
        expect(v0.statusCode).toBe(200);
        expect(body.defaults.thresholds).toBeTypeOf('object');
      });
      it('answers 400 for an unknown channel, 403 without policies:read', async () => {
        const res = await inject('GET', '/v1/policies/fax/schema', admin);
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        const shop = await key('agent');
        expect((await inject('GET', '/v1/policies/message/schema', shop)).statusCode).toBe(403);
      });
    });

    describe('POST /v1/policies/:channel/rollback', () => {
      it('stores a new version with that version’s document, and v0 goes back to the default', async () => {
        const current = (await inject('GET', '/v1/policies/message', admin)).json();
        expect(current.version).toBe(1);
        const back = await inject('POST', '/v1/policies/message/rollback', admin, { version: 0 });
        expect(back.statusCode, back.body).toBe(200);
        expect(back.json().version).toBe(2);
        expect(back.json().document).toEqual({});
        expect(back.json().comment).toBe('v0 に戻す / rollback to v0');
        const again = await inject('POST', '/v1/policies/message/rollback', admin, {
          version: 1,
          comment: 'strict again',
        });
        expect(again.statusCode, again.body).toBe(200);
        expect(again.json()).toMatchObject({
          version: 3,
          document: current.document,
          comment: 'strict again',
        });
        expect(again.json().effective).toEqual(current.effective);
        const history = (await inject('GET', '/v1/policies/message/versions', admin)).json().items;
        expect(history.map((v: { version: number }) => v.version).slice(0, 3)).toEqual([3, 2, 1]);
      });
      it('answers 404 naming body.version, 400 on a bad body, 403 without policies:write', async () => {
        const missing = await inject('POST', '/v1/policies/message/rollback', admin, { version: 99 });
        expect(missing.statusCode).toBe(404);
        expect(missing.json().errors.map((e: { path: string }) => e.path)).toContain('body.version');
        const bad = await inject('POST', '/v1/policies/message/rollback', admin, { version: -1 });
        expect(bad.statusCode).toBe(400);
        expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('body.version');
        const reviewer = await key('reviewer');
        const refused = await inject('POST', '/v1/policies/message/rollback', reviewer, { version: 0 });
        expect(refused.statusCode).toBe(403);
      });
      it('never reads another organisation’s versions', async () => {
        // The other organisation stored no version 3.
        const res = await inject('POST', '/v1/policies/message/rollback', other, { version: 3 });
        expect(res.statusCode).toBe(404);
      });
    });

    describe('GET /v1/indicators/export', () => {
      beforeAll(async () => {
        for (const body of [
          {
            type: 'url',
            value: 'https://phish.example/login?a=1,2',
            verdict: 'suspicious',
            tags: ['a', 'b'],
          },
          { type: 'card', value: '4111 1111 1111 1111', description: 'a "stolen" card, reported' },
        ]) {
          const res = await inject('POST', '/v1/indicators', admin, body);
          expect(res.statusCode, res.body).toBe(201);
        }
        const theirs = await inject('POST', '/v1/indicators', other, {
          type: 'phone',
          value: '090-9999-8888',
        });
        expect(theirs.statusCode, theirs.body).toBe(201);
      });
      it('streams JSON lines of every indicator, hashes kept as hashes', async () => {
        const res = await inject('GET', '/v1/indicators/export', await key('reviewer'));
        expect(res.statusCode, res.body).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
        expect(res.headers['content-disposition']).toMatch(
          /^attachment; filename="indicators-\d{4}-\d\d-\d\d\.jsonl"$/,
        );
        const lines = res.body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(lines.map((l) => l.type).sort()).toEqual(['card', 'phone', 'url']);
        const card = lines.find((l) => l.type === 'card');
        expect(card.hashed).toBe(true);
        expect(card.value).toMatch(/^[0-9a-f]{64}$/);
        expect(res.body).not.toContain('4111');
        expect(res.body).not.toContain('+819099998888');
      });
      it('exports CSV that the import reads back', async () => {
        const res = await inject('GET', '/v1/indicators/export?format=csv&type=url', admin);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/csv/);
        const [header, ...rows] = res.body.trim().split('\r\n');
        expect(header).toBe(
          'type,value,verdict,confidence,source,scope,expires_at,tags,description,hashed,first_seen,last_seen',
        );
        expect(rows).toHaveLength(1);
        const all = await inject('GET', '/v1/indicators/export?format=csv', admin);
        const imported = await app.inject({
          method: 'POST',
          url: '/v1/indicators/import',
          headers: { ...bearer(other), 'content-type': 'text/csv' },
          payload: all.body,
        });
        expect(imported.statusCode, imported.body).toBe(200);
        expect(imported.json()).toMatchObject({ rejected: 0 });
        const mine = (await inject('GET', '/v1/indicators?limit=1000', admin)).json().items;
        const theirs = (await inject('GET', '/v1/indicators?limit=1000', other)).json().items;
        for (const i of mine) {
          expect(theirs).toContainEqual(
            expect.objectContaining({ type: i.type, value: i.value, verdict: i.verdict, tags: i.tags }),
          );
        }
      });
      it('answers 400 naming the field, 403 without indicators:read', async () => {
        const res = await inject('GET', '/v1/indicators/export?format=xml', admin);
        expect(res.statusCode).toBe(400);
        expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('query.format');
        expect((await inject('GET', '/v1/indicators/export', await key('agent'))).statusCode).toBe(403);
      });
    });

    describe('GET /v1/indicators?value=', () => {
      it('finds a value normalised with its type, by substring without, and names query.value when invalid', async () => {
        const exact = await inject('GET', '/v1/indicators?type=phone&value=%2B81%2090%201111%202222', admin);
        expect(exact.statusCode, exact.body).toBe(200);
        expect(exact.json().items.map((i: { value: string }) => i.value)).toEqual(['+819011112222']);
        const part = await inject('GET', '/v1/indicators?value=1111', admin);
        expect(part.json().items.map((i: { value: string }) => i.value)).toContain('+819011112222');
        expect((await inject('GET', '/v1/indicators?value=%25', admin)).json().items).toEqual([]);
        const mineOrg = exact.json().items[0].orgId;
        const theirs = (await inject('GET', '/v1/indicators?value=1111', other)).json().items;
        for (const i of theirs as { orgId: string }[]) expect(i.orgId).not.toBe(mineOrg);
        const bad = await inject('GET', '/v1/indicators?type=phone&value=not-a-phone', admin);
        expect(bad.statusCode, bad.body).toBe(400);
        expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain('query.value');
        // The export reads the same filter before its first byte: a 400, not a 200 broken mid-stream.
        for (const format of ['jsonl', 'csv']) {
          const exp = await inject(
            'GET',
            `/v1/indicators/export?format=${format}&type=phone&value=not-a-phone`,
            admin,
          );
          expect(exp.statusCode, exp.body).toBe(400);
          expect(exp.json().errors.map((e: { path: string }) => e.path)).toContain('query.value');
        }
      });
    });

    describe('GET /v1/roles, GET /v1/me', () => {
      it('lists every role with its permissions, and /v1/me the key’s own (narrowed for an origin)', async () => {
        const res = await inject('GET', '/v1/roles', await key('agent'));
        expect(res.statusCode, res.body).toBe(200);
        const roles = res.json().items as { role: string; permissions: string[] }[];
        expect(roles.map((r) => r.role)).toEqual(['admin', 'analyst', 'reviewer', 'agent', 'system']);
        expect(roles.find((r) => r.role === 'agent')?.permissions).not.toContain('cases:resolve');
        expect(roles.find((r) => r.role === 'reviewer')?.permissions).toContain('cases:resolve');
        const shop = await inject('GET', '/v1/me', await key('agent', 'shop:ueno-03'));
        expect(shop.json()).toMatchObject({
          role: 'agent',
          origin: 'shop:ueno-03',
          permissions: ['screen', 'cases:read', 'cases:comment'],
        });
        expect((await inject('GET', '/v1/me', admin)).json().origin).toBeNull();
      });
    });

    describe('GET /v1/cases?decisionId=', () => {
      it('finds the case a decision opened, and nothing for another organisation', async () => {
        const mine = await inject('GET', `/v1/cases?decisionId=${decisions.message}`, admin);
        expect(mine.json().items.map((c: { id: string }) => c.id)).toEqual([caseId]);
        const theirs = await inject('GET', `/v1/cases?decisionId=${decisions.message}`, other);
        expect(theirs.json().items).toEqual([]);
      });
    });

    describe('channel signals are marked tunable or not', () => {
      it('the engine’s own list signals are not; a channel’s are', async () => {
        const res = await inject('GET', '/v1/policies/message/schema', admin);
        const signals = res.json().signals as { name: string; tunable: boolean }[];
        expect(signals.find((s) => s.name === 'POLICY_DENY_LISTED')?.tunable).toBe(false);
        expect(signals.find((s) => s.name === 'POLICY_ENRICHMENT_FAILED')?.tunable).toBe(true);
        expect(signals.find((s) => s.name === 'INTEL_MATCH_PHONE')?.tunable).toBe(true);
      });
    });

    describe('POST /v1/policies/:channel/dry-run counts every decision before and after', () => {
      it('answers actions.before and actions.after over all the decisions checked', async () => {
        const res = await inject('POST', '/v1/policies/message/dry-run', admin, {
          document: { thresholds: { review: 100, block: 200 } },
          limit: 100,
        });
        expect(res.statusCode, res.body).toBe(200);
        const report = res.json();
        const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
        expect(sum(report.actions.before)).toBe(report.checked);
        expect(sum(report.actions.after)).toBe(report.checked);
        expect(report.actions.before.review).toBeGreaterThanOrEqual(1);
        expect(report.changed).toBeGreaterThanOrEqual(1);
      });
    });
  });
}
