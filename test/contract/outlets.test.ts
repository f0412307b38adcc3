import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import { mamoruBackends } from '../helpers/mamoru-backends.ts';

/**
 * Outlet-bound keys (P2): a shop's or sales agency's key screens its own
 * outlet's applications and sees its own outlet's cases, never another's;
 * HQ sees every case with the outlet it came from.
 */
const application = (applicationId: string, agencyId: string, name: string) => ({
  applicationId,
  salesChannel: { type: 'agency', agencyId },
  holder: {
    type: 'person',
    identity: { name, birthDate: '1981-02-03', address: `静岡県静岡市葵区追手町${applicationId}` },
  },
  identityVerification: {
    method: 'ic_chip_face',
    assuranceLevel: 3,
    performedAt: new Date(Date.now() - 60_000).toISOString(),
  },
  lines: [{ simType: 'voice', count: 6, purpose: '家族利用' }],
  pledgeSigned: true,
});

for (const backend of mamoruBackends()) {
  describe(`outlet-bound keys on ${backend.name}`, () => {
    let mamoru: Mamoru;
    let close: () => Promise<void>;
    let app: App;
    let admin: string;
    const token: Record<string, string> = {};

    const call = async (bearer: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${bearer}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    };
    const key = async (body: Record<string, unknown>) => call(admin, 'POST', '/v1/keys', body);

    beforeAll(async () => {
      ({ mamoru, close } = await backend.open());
      admin = (await mamoru.bootstrap({ demo: false }))!.token;
      app = await buildServer({ mamoru, metrics: new Metrics({ defaults: false }), logger: false });
      for (const [name, body] of [
        ['shizuoka', { name: '静岡代理店', role: 'agent', outlet: 'agency:shizuoka' }],
        ['hamamatsu', { name: '浜松代理店', role: 'agent', outlet: 'agency:hamamatsu' }],
        ['shopShizuoka', { name: '静岡ショップ', role: 'agent', outlet: 'shop:shizuoka' }],
        ['anyAgent', { name: '直営（全店）', role: 'agent' }],
        ['hq', { name: '本部', role: 'reviewer' }],
      ] as const) {
        const created = await key(body);
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        token[name] = created.body.token as string;
      }
    });
    afterAll(async () => {
      await app?.close();
      await close?.();
    });

    it('binds only agent keys, and says so naming the field', async () => {
      const wrong = await key({ name: 'x', role: 'reviewer', outlet: 'agency:shizuoka' });
      expect(wrong.status).toBe(400);
      expect(JSON.stringify(wrong.body.errors)).toContain('outlet');
      // Only a typed outlet: a bare id, another kind or a blank id is refused, naming the field.
      for (const outlet of [
        'shizuoka',
        'store:shizuoka',
        'shop:',
        'shop: x',
        'agency:a\u0000b',
        'online:1',
      ]) {
        const bad = await key({ name: 'x', role: 'agent', outlet });
        expect(bad.status, outlet).toBe(400);
        expect((bad.body.errors as { path: string }[])[0]!.path, outlet).toMatch(/outlet$/);
      }
      // The neutral name (issue 8, item 6): `origin` binds as `outlet` did; a system key (an integration) may be
      // bound too; an origin no channel fills is refused, naming the field as written; both names must agree.
      const byOrigin = await key({ name: 'origin-bound', role: 'agent', origin: 'shop:shizuoka-2' });
      expect(byOrigin.status).toBe(201);
      expect(byOrigin.body.key).toMatchObject({ origin: 'shop:shizuoka-2', outlet: 'shop:shizuoka-2' });
      expect((await key({ name: 'feed', role: 'system', origin: 'online' })).status).toBe(201);
      // An MTA is an origin the mail channel fills (issue 11): its key screens and sees that MTA's mail only.
      expect((await key({ name: 'mx1', role: 'system', origin: 'mta:mx1.example.jp' })).status).toBe(201);
      const unknownKind = await key({ name: 'x', role: 'agent', origin: 'trunk:tokyo-1' });
      expect(unknownKind.status).toBe(400);
      expect((unknownKind.body.errors as { path: string; ja: string }[])[0]).toMatchObject({
        path: 'origin',
      });
      expect(JSON.stringify(unknownKind.body.errors)).toContain('shop:<id>, agency:<id>, online');
      const disagree = await key({ name: 'x', role: 'agent', origin: 'shop:a', outlet: 'shop:b' });
      expect(disagree.status).toBe(400);
      const listed = await call(admin, 'GET', '/v1/keys');
      const keys = listed.body.items as { name: string; outlet: string | null }[];
      expect(keys.find((k) => k.name === '静岡代理店')?.outlet).toBe('agency:shizuoka');
      expect(keys.find((k) => k.name === '本部')?.outlet).toBeNull();
    });

    it('an agency screens its own applications only, and sees its own cases only', async () => {
      const own = await call(
        token.shizuoka!,
        'POST',
        '/v1/screen/contract',
        application('OUT-1', 'shizuoka', '静岡 一郎'),
      );
      expect(own.status).toBe(200);
      expect(own.body.action).toBe('review');
      const other = await call(
        token.hamamatsu!,
        'POST',
        '/v1/screen/contract',
        application('OUT-2', 'hamamatsu', '浜松 二郎'),
      );
      expect(other.body.action).toBe('review');

      // Screening for another agency is refused, naming both outlets.
      const posing = await call(
        token.shizuoka!,
        'POST',
        '/v1/screen/contract',
        application('OUT-3', 'hamamatsu', '浜松 三郎'),
      );
      expect(posing.status).toBe(403);
      expect(posing.body.detail).toContain('agency:shizuoka');
      expect(posing.body.detail).toContain('agency:hamamatsu');
      // A shop and an agency with the same id are two outlets.
      const sameId = await call(
        token.shopShizuoka!,
        'POST',
        '/v1/screen/contract',
        application('OUT-4', 'shizuoka', '静岡 四郎'),
      );
      expect(sameId.status).toBe(403);
      expect((await call(token.shopShizuoka!, 'GET', '/v1/cases?limit=100')).body.items).toEqual([]);

      const listOf = async (bearer: string) =>
        (
          (await call(bearer, 'GET', '/v1/cases?limit=100')).body.items as { id: string; outlet: string }[]
        ).map((c) => c.outlet);
      expect(new Set(await listOf(token.shizuoka!))).toEqual(new Set(['agency:shizuoka']));
      expect(new Set(await listOf(token.hamamatsu!))).toEqual(new Set(['agency:hamamatsu']));
      // Keys of the whole organisation (an unbound agent, HQ) see both, with the outlet each came from.
      expect(new Set(await listOf(token.anyAgent!))).toEqual(
        new Set(['agency:shizuoka', 'agency:hamamatsu']),
      );
      expect(new Set(await listOf(token.hq!))).toEqual(new Set(['agency:shizuoka', 'agency:hamamatsu']));

      const cases = (await call(token.hq!, 'GET', '/v1/cases?limit=100')).body.items as {
        id: string;
        decisionId: string;
      }[];
      const shizuokaCase = cases.find((c) => c.decisionId === own.body.id)!;
      // Another agency's case is not found — reading, commenting — and its own is.
      expect((await call(token.hamamatsu!, 'GET', `/v1/cases/${shizuokaCase.id}`)).status).toBe(404);
      expect(
        (
          await call(token.hamamatsu!, 'POST', `/v1/cases/${shizuokaCase.id}/comments`, {
            text: '確認します',
          })
        ).status,
      ).toBe(404);
      // The agency reads the reasons and the signals; the evidence (other outlets' applications, other holders,
      // thresholds) and the reviewer's details are HQ's.
      const hits = own.body.hits as { signal: string; evidence: string[]; params?: unknown }[];
      expect(hits.map((h) => h.signal)).toContain('CONTRACT_LINE_CAP_EXCEEDED');
      expect(hits.every((h) => h.evidence.length === 0 && h.params === undefined)).toBe(true);
      // The reasons it reads are the customer's: what happens, never the cap, the counts or other holders.
      const reason = (own.body.reasons as { ja: string; en: string }[])[0]!;
      expect(reason.ja).toBe(
        'ご契約の回線数が当社の上限を超えるため、このままではお手続きを進められません。利用目的をお伺いし、本部で審査のうえご連絡します',
      );
      expect(reason.ja).not.toMatch(/\d/);
      const seenByAgency = await call(token.shizuoka!, 'GET', `/v1/cases/${shizuokaCase.id}`);
      expect(seenByAgency.status).toBe(200);
      const agencySummary = seenByAgency.body.summary as {
        details?: unknown;
        hits: { evidence: string[] }[];
      };
      expect(agencySummary.details).toBeUndefined();
      expect(agencySummary.hits.every((h) => h.evidence.length === 0)).toBe(true);
      const seenByHq = (await call(token.hq!, 'GET', `/v1/cases/${shizuokaCase.id}`)).body.summary as {
        details?: unknown;
        hits: { evidence: string[] }[];
      };
      expect(seenByHq.details).toMatchObject({ purposes: ['家族利用'] });
      expect(seenByHq.hits[0]!.evidence.length).toBeGreaterThan(0);
      expect(
        (
          await call(token.shizuoka!, 'POST', `/v1/cases/${shizuokaCase.id}/comments`, {
            text: '家族6人です',
          })
        ).status,
      ).toBe(201);
      // The decision log is the organisation's: an outlet-bound key reads its verdicts in the screen response.
      expect((await call(token.shizuoka!, 'GET', `/v1/decisions/${own.body.id}`)).status).toBe(403);
      expect((await call(token.anyAgent!, 'GET', `/v1/decisions/${own.body.id}`)).status).toBe(200);
    });
  });
}
