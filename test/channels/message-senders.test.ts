import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/cases/roles.ts';
import type { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import { mamoruBackends, type OpenedMamoru } from '../helpers/mamoru-backends.ts';
import { bearer } from '../helpers/server.ts';

/**
 * The verified-sender registry (MESSAGE_SENDER_BRAND_UNVERIFIED, I1) through
 * the real API on each backend: add (201, then 200), list (paged), remove,
 * import CSV and JSON lines with rejections naming the field, permissions,
 * and screening that trusts a registered sender ID.
 */
for (const backend of mamoruBackends()) {
  describe(`verified senders on ${backend.name}`, () => {
    let opened: OpenedMamoru;
    let mamoru: Mamoru;
    let app: App;
    let token: string;
    let reviewer: string;
    let admin: Actor;

    beforeAll(async () => {
      opened = await backend.open();
      mamoru = opened.mamoru;
      const boot = await mamoru.bootstrap({ demo: false });
      if (!boot) throw new Error('bootstrap created nothing');
      token = boot.token;
      admin = { id: 'key_admin', role: 'admin', orgId: boot.orgId };
      app = await buildServer({ mamoru, metrics: new Metrics({ defaults: false }), logger: false });
      const key = await app.inject({
        method: 'POST',
        url: '/v1/keys',
        headers: bearer(token),
        payload: { name: 'hq', role: 'reviewer' },
      });
      reviewer = (key.json() as { token: string }).token;
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await opened?.close();
    });

    const post = (url: string, payload: unknown, as = token, type = 'application/json') =>
      app.inject({
        method: 'POST',
        url,
        headers: { ...bearer(as), 'content-type': type },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
    const get = (url: string, as = token) => app.inject({ method: 'GET', url, headers: bearer(as) });
    const brandHits = async (sender: string) => {
      const verdict = await mamoru.screen(admin, 'message', {
        kind: 'sms',
        sender,
        text: 'ご注文の確認をお願いします。',
      });
      return verdict.hits.filter((h) => h.signal === 'MESSAGE_SENDER_BRAND_UNVERIFIED').map((h) => h.signal);
    };

    it('adds a sender normalised (201 when new, 200 when replaced), and screening trusts it', async () => {
      // Screened before it is registered would be cached for a minute: this test uses a sender never screened.
      const first = await post('/v1/message/verified-senders', { sender: ' Amazon ', brand: 'Amazon' });
      expect(first.statusCode, first.body).toBe(201);
      expect(first.json()).toMatchObject({
        created: true,
        sender: { sender: 'AMAZON', brand: 'Amazon', note: null },
      });
      const again = await post('/v1/message/verified-senders', {
        sender: 'AMAZON',
        brand: 'Amazon',
        note: 'OTP',
      });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ created: false, sender: { note: 'OTP' } });
      expect(await brandHits('Amazon')).toEqual([]);
      // Near miss: an unregistered ID claiming a brand fires.
      expect(await brandHits('RAKUTEN')).toEqual(['MESSAGE_SENDER_BRAND_UNVERIFIED']);
    });

    it('refuses a bad sender with 400 naming the field, in Japanese first', async () => {
      const res = await post('/v1/message/verified-senders', { sender: '+8109012345678', brand: '' });
      expect(res.statusCode).toBe(400);
      const body = res.json() as { errors?: { path: string; message: string }[]; detail?: string };
      const text = JSON.stringify(body);
      expect(text).toContain('body.sender');
      expect(text).toContain('body.brand');
      expect(text).toContain('ネットワークが届けられる送信者ではありません');
    });

    it('imports CSV and JSON lines, each refused line named', async () => {
      const csv =
        'sender,brand,note\nSMBC,三井住友銀行,通知\n0005-123-456,三井住友銀行,共通番号\n+8109012345678,X,\nSAGAWA,,\n';
      const res = await post('/v1/message/verified-senders/import', csv, token, 'text/csv');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        processed: 4,
        imported: 2,
        rejected: 2,
        rejections: [
          { line: 4, field: 'sender' },
          { line: 5, field: 'brand' },
        ],
      });
      const jsonl =
        '{"sender":"JAPANPOST","brand":"日本郵便"}\n{"sender":"smbc","brand":"三井住友銀行","note":"更新"}\n';
      const lines = await post('/v1/message/verified-senders/import', jsonl, token, 'application/x-ndjson');
      expect(lines.json()).toMatchObject({ processed: 2, imported: 1, updated: 1, rejected: 0 });
    });

    it('lists in pages and removes', async () => {
      const page1 = await get('/v1/message/verified-senders?limit=2');
      expect(page1.statusCode, page1.body).toBe(200);
      const p1 = page1.json() as { items: { sender: string }[]; nextCursor: string | null };
      expect(p1.items.map((i) => i.sender)).toEqual(['0005123456', 'AMAZON']);
      const page2 = await get(`/v1/message/verified-senders?limit=2&cursor=${p1.nextCursor}`);
      const p2 = page2.json() as { items: { sender: string }[]; nextCursor: string | null };
      expect(p2.items.map((i) => i.sender)).toEqual(['JAPANPOST', 'SMBC']);
      const brand = await get(`/v1/message/verified-senders?brand=${encodeURIComponent('三井住友銀行')}`);
      expect((brand.json() as { items: { sender: string }[] }).items.map((i) => i.sender)).toEqual([
        '0005123456',
        'SMBC',
      ]);
      expect((await get('/v1/message/verified-senders?cursor=!!')).statusCode).toBe(400);
      const removed = await post('/v1/message/verified-senders/remove', { sender: 'japanpost' });
      expect(removed.json()).toEqual({ sender: 'JAPANPOST', removed: true });
      const twice = await post('/v1/message/verified-senders/remove', { sender: 'JAPANPOST' });
      expect(twice.json()).toEqual({ sender: 'JAPANPOST', removed: false });
    });

    it('takes indicators:read to list and indicators:write to change', async () => {
      expect((await get('/v1/message/verified-senders', reviewer)).statusCode).toBe(200);
      const refused = await post(
        '/v1/message/verified-senders',
        { sender: 'DOCOMO', brand: 'NTT docomo' },
        reviewer,
      );
      expect(refused.statusCode).toBe(403);
    });

    it('documents its routes in OpenAPI', async () => {
      const doc = (await get('/openapi.json')).json() as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/message/verified-senders',
          '/v1/message/verified-senders/remove',
          '/v1/message/verified-senders/import',
        ]),
      );
    });
  });
}
