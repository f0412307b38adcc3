import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.ts';
import { type ChannelModule, defineSignals } from '../../src/core/index.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import { freshDatabase } from '../helpers/stores.ts';

/**
 * Screening over HTTP with the generic pieces of issue 7 a channel can use:
 * one waiting case per subject (the screen answer names it, `reused` on a
 * re-screen), customer texts for outlet keys, and notices beside the verdict.
 */
interface Order {
  readonly orderId: string;
  readonly amount: number;
}
const order: ChannelModule<Order> = {
  name: 'demo_order',
  title: { ja: 'デモ注文', en: 'demo order' },
  schema: z.object({ orderId: z.string().min(1), amount: z.number().int().min(0) }),
  signals: defineSignals([
    {
      name: 'DEMO_OVER_LIMIT',
      group: 'amount',
      weight: 10,
      description: { ja: '高額な注文', en: 'Large order' },
      reason: { ja: '{amount}円（上限 {limit}円）', en: '¥{amount} (limit ¥{limit})' },
      customer: { ja: 'この注文は確認が必要です', en: 'This order needs to be checked' },
    },
  ]),
  detectors: [
    {
      name: 'demo.over_limit',
      signals: ['DEMO_OVER_LIMIT'],
      run: (e) =>
        e.payload.amount > 100
          ? [
              {
                signal: 'DEMO_OVER_LIMIT',
                evidence: ['other orders: 3'],
                params: { amount: e.payload.amount, limit: 100 },
              },
            ]
          : [],
    },
  ],
  extract: () => [],
  defaultPolicy: { id: 'demo_order.default', channel: 'demo_order', thresholds: { review: 5 } },
  notices: (scored) =>
    scored.action === 'allow'
      ? [{ code: 'demo.resale', ja: '転売は禁止です', en: 'Resale is prohibited' }]
      : [],
  subject: (p) => `order:${p.orderId}`,
  example: { orderId: 'o-1', amount: 1 },
};

const backends = [{ name: 'pglite', url: undefined as string | undefined }];
if (process.env.DATABASE_URL) backends.push({ name: 'postgres', url: process.env.DATABASE_URL });

for (const backend of backends) {
  describe(`screen answers with its case, on ${backend.name}`, () => {
    let mamoru: Mamoru;
    let app: App;
    let drop: (() => Promise<void>) | undefined;
    let admin: string;
    let shop: string;
    let orgId: string;

    const screen = async (bearer: string, body: Order) => {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/screen/demo_order',
        headers: { authorization: `Bearer ${bearer}` },
        payload: body as unknown as Record<string, unknown>,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as Record<string, unknown> & {
        id: string;
        action: string;
        reasons: { signal: string; ja: string; en: string; customer?: unknown }[];
        case?: { id: string; status: string; reused: boolean };
        notices?: unknown[];
      };
    };

    beforeAll(async () => {
      let databaseUrl: string | undefined;
      if (backend.url) {
        const fresh = await freshDatabase(backend.url);
        databaseUrl = fresh.url;
        drop = fresh.drop;
      }
      mamoru = await Mamoru.open(
        loadConfig({ dataDir: 'memory://', ...(databaseUrl ? { databaseUrl } : {}), demo: 'false' }, {}),
        { channels: [order] },
      );
      const boot = (await mamoru.bootstrap({ demo: false }))!;
      admin = boot.token;
      orgId = boot.orgId;
      app = await buildServer({ mamoru, metrics: new Metrics({ defaults: false }), logger: false });
      const key = await app.inject({
        method: 'POST',
        url: '/v1/keys',
        headers: { authorization: `Bearer ${admin}` },
        payload: { name: 'shop', role: 'agent', outlet: 'shop:s1' },
      });
      expect(key.statusCode, key.body).toBe(201);
      shop = (key.json() as { token: string }).token;
    });
    afterAll(async () => {
      await app?.close();
      await mamoru?.close();
      await drop?.();
    });

    it('opens one case for a subject and returns it, reused, on every re-screen while it waits', async () => {
      const first = await screen(admin, { orderId: 'A-1', amount: 500 });
      expect(first.action).toBe('review');
      expect(first.case).toMatchObject({ status: 'open', reused: false });
      const again = await screen(admin, { orderId: 'A-1', amount: 700 });
      expect(again.case).toEqual({ id: first.case?.id, status: 'open', reused: true });
      const other = await screen(admin, { orderId: 'A-2', amount: 500 });
      expect(other.case?.reused).toBe(false);
      expect(other.case?.id).not.toBe(first.case?.id);
      const detail = await mamoru.cases.get(orgId, first.case!.id);
      expect(detail.subject).toBe('order:A-1');
      expect(detail.history.map((h) => h.type)).toEqual(['opened', 'rescreened']);
      expect(detail.history[1]?.data).toMatchObject({ decisionId: again.id, action: 'review', score: 10 });
      // The decision log keeps the verdict, not the case of the answer.
      const logged = await mamoru.store.decisions.get(orgId, again.id);
      expect(logged?.verdict).not.toHaveProperty('case');
    });

    it('answers without a case when none is needed, with the channel’s notices', async () => {
      const allowed = await screen(admin, { orderId: 'B-1', amount: 5 });
      expect(allowed.action).toBe('allow');
      expect(allowed).not.toHaveProperty('case');
      expect(allowed.notices).toEqual([
        { code: 'demo.resale', ja: '転売は禁止です', en: 'Resale is prohibited' },
      ]);
    });

    it('shows the shop the customer text, and HQ both texts', async () => {
      const hq = await screen(admin, { orderId: 'C-1', amount: 300 });
      expect(hq.reasons).toEqual([
        {
          signal: 'DEMO_OVER_LIMIT',
          ja: '300円（上限 100円）',
          en: '¥300 (limit ¥100)',
          customer: { ja: 'この注文は確認が必要です', en: 'This order needs to be checked' },
        },
      ]);
      const atShop = await screen(shop, { orderId: 'C-2', amount: 300 });
      expect(atShop.reasons).toEqual([
        { signal: 'DEMO_OVER_LIMIT', ja: 'この注文は確認が必要です', en: 'This order needs to be checked' },
      ]);
      expect(JSON.stringify(atShop)).not.toContain('上限');
      expect(atShop.case?.reused).toBe(false);
      const seen = await app.inject({
        method: 'GET',
        url: `/v1/cases/${atShop.case?.id}`,
        headers: { authorization: `Bearer ${shop}` },
      });
      expect(seen.statusCode).toBe(200);
      expect(seen.body).not.toContain('上限');
      expect(seen.body).toContain('この注文は確認が必要です');
    });

    it('documents the case, the notices and the customer texts in the OpenAPI document', async () => {
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        components: { schemas: Record<string, { properties: Record<string, unknown> }> };
      };
      const result = doc.components.schemas.ScreenResult;
      expect(Object.keys(result?.properties ?? {})).toEqual(
        expect.arrayContaining(['case', 'notices', 'reasons']),
      );
      expect(JSON.stringify(doc.components.schemas.Verdict)).toContain('customer');
      expect(Object.keys(doc.components.schemas.Case?.properties ?? {})).toContain('subject');
      expect(JSON.stringify(doc.components.schemas.CaseEvent)).toContain('rescreened');
    });
  });
}
