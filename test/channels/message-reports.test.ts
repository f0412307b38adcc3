import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportIndicators } from '../../src/channels/message/reports.ts';
import { subscriberKey } from '../../src/channels/message/subscriber-store.ts';
import type { Verdict } from '../../src/core/index.ts';
import { createExtractTools } from '../../src/intel/extract-tools.ts';
import { createKeyedHasher } from '../../src/intel/keyed-hash.ts';
import type { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import { mamoruBackends, type OpenedMamoru } from '../helpers/mamoru-backends.ts';
import { createKey, createOrg, type TestServer } from '../helpers/server.ts';

/**
 * Issue 9 item 3 (I3): reports as fraud / not fraud, over the real API on
 * both backends — a label at once, indicators once a fraud report is
 * confirmed (its URL then matches INTEL_MATCH_URL on the next screening),
 * and the confirmed reports as `mamoru eval message` labels.
 */
const LURE_URL = 'https://parcel-redelivery-check.example/jp/track';

type Report = { id: string; label: string; status: string; text: string | null; sender: string | null };

for (const backend of mamoruBackends()) {
  describe(`message reports over HTTP on ${backend.name}`, () => {
    let opened: OpenedMamoru;
    let mamoru: Mamoru;
    let app: App;
    let token: string;
    let other: { orgId: string; token: string };
    const auth = (t = token) => ({ authorization: `Bearer ${t}` });
    const post = (url: string, payload: unknown, t = token) =>
      app.inject({ method: 'POST', url, headers: auth(t), payload: payload as object });
    const get = (url: string, t = token) => app.inject({ method: 'GET', url, headers: auth(t) });
    const screen = async (text: string, t = token) => {
      const res = await post(
        '/v1/screen/message',
        { kind: 'sms', sender: '+818055550000', recipient: '090-1234-5678', text },
        t,
      );
      expect(res.statusCode).toBe(200);
      return res.json() as Verdict;
    };

    beforeAll(async () => {
      opened = await backend.open();
      mamoru = opened.mamoru;
      const boot = await mamoru.bootstrap({ demo: false });
      if (!boot) throw new Error('bootstrap created nothing');
      token = boot.token;
      app = await buildServer({ mamoru, metrics: new Metrics({ defaults: false }), logger: false });
      const server = { app, mamoru, token, orgId: boot.orgId, close: async () => {} } as TestServer;
      other = await createOrg(server, 'Other carrier');
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await opened?.close();
    });

    it('reports a screened message by its decision, confirms it, and its URL then matches intel', async () => {
      const text = `お荷物をお届けできませんでした。再配達はこちら ${LURE_URL}`;
      const first = await screen(text);
      expect(first.hits.map((h) => h.signal)).not.toContain('INTEL_MATCH_URL');
      const created = await post('/v1/message/reports', { label: 'fraud', decisionId: first.id });
      expect(created.statusCode).toBe(201);
      const report = (created.json() as { report: Report & { subscriberKey: string } }).report;
      // Copied from the decision log: the text, sender and kind; the recipient only as its keyed hash.
      expect(report).toMatchObject({ label: 'fraud', status: 'pending', text, sender: '+818055550000' });
      expect(report.subscriberKey).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(created.json())).not.toContain('090-1234-5678');

      const pending = (await get('/v1/message/reports?status=pending')).json() as { items: Report[] };
      expect(pending.items.map((r) => r.id)).toContain(report.id);

      const confirmed = await post(`/v1/message/reports/${report.id}/confirm`, {});
      expect(confirmed.statusCode).toBe(200);
      const body = confirmed.json() as { report: Report; indicators: number; added: number };
      expect(body.report.status).toBe('confirmed');
      // The sender's number and the URL (never the URL's domain).
      expect(body.indicators).toBe(2);
      expect(body.added).toBe(2);

      const again = await screen(`再配達のご案内 ${LURE_URL}`);
      const match = again.hits.find((h) => h.signal === 'INTEL_MATCH_URL');
      expect(match?.evidence.join(' ')).toContain(`report:${report.id}`);
      expect(again.hits.map((h) => h.signal)).not.toContain('INTEL_MATCH_DOMAIN');
      expect(again.action).not.toBe('allow');

      // Confirmed once: a second review is a conflict; another organisation's screening sees nothing.
      expect((await post(`/v1/message/reports/${report.id}/confirm`, {})).statusCode).toBe(409);
      expect((await post(`/v1/message/reports/${report.id}/reject`, {})).statusCode).toBe(409);
      const elsewhere = await screen(`再配達のご案内 ${LURE_URL}`, other.token);
      expect(elsewhere.hits.map((h) => h.signal)).not.toContain('INTEL_MATCH_URL');
    });

    it('keeps a not-fraud report as a legit label and writes nothing to intel', async () => {
      const created = await post('/v1/message/reports', {
        label: 'not_fraud',
        text: '【ヤマト運輸】お荷物のお届け予定のお知らせ https://legit-notice.example/info',
        sender: 'YAMATO',
        kind: 'sms',
        recipient: '@taro',
      });
      expect(created.statusCode).toBe(201);
      const { report } = created.json() as { report: Report };
      const confirmed = (await post(`/v1/message/reports/${report.id}/confirm`, {})).json() as {
        indicators: number;
      };
      expect(confirmed.indicators).toBe(0);
      const v = await screen('お知らせ https://legit-notice.example/info');
      expect(v.hits.map((h) => h.signal)).not.toContain('INTEL_MATCH_URL');

      const rejected = await post('/v1/message/reports', { label: 'fraud', text: '普通の連絡です' });
      const id = (rejected.json() as { report: Report }).report.id;
      expect(
        ((await post(`/v1/message/reports/${id}/reject`, {})).json() as { report: Report }).report.status,
      ).toBe('rejected');

      // Confirmed reports as eval labels, oldest first, in the format `mamoru eval message` reads; rejected left out.
      const labels = (await get('/v1/message/reports/labels')).json() as {
        items: Record<string, unknown>[];
        nextCursor: string | null;
      };
      expect(labels.items.map((l) => l.label)).toEqual(['fraud', 'legit']);
      expect(labels.items[1]).toEqual({
        text: '【ヤマト運輸】お荷物のお届け予定のお知らせ https://legit-notice.example/info',
        label: 'legit',
        kind: 'sms',
        sender: 'YAMATO',
      });
      for (const l of labels.items)
        expect(Object.keys(l).every((k) => ['text', 'label', 'kind', 'sender'].includes(k))).toBe(true);
      const paged = (await get('/v1/message/reports/labels?limit=1')).json() as {
        items: unknown[];
        nextCursor: string;
      };
      expect(paged.items).toHaveLength(1);
      const rest = (await get(`/v1/message/reports/labels?limit=1&cursor=${paged.nextCursor}`)).json() as {
        items: { label: string }[];
      };
      expect(rest.items.map((l) => l.label)).toEqual(['legit']);
      const fraudOnly = (await get('/v1/message/reports?label=fraud&status=rejected')).json() as {
        items: Report[];
      };
      expect(fraudOnly.items.map((r) => r.id)).toEqual([id]);
    });

    it('refuses bad reports with 400s naming the field, and decisions it may not read with 404', async () => {
      const none = await post('/v1/message/reports', { label: 'fraud' });
      expect(none.statusCode).toBe(400);
      expect(JSON.stringify(none.json())).toContain('body.text');
      expect(JSON.stringify(none.json())).toContain('decisionId か text のどちらかを指定してください');
      const label = await post('/v1/message/reports', { label: 'spam', text: 'x' });
      expect(label.statusCode).toBe(400);
      expect(JSON.stringify(label.json())).toContain('body.label');
      const unknown = await post('/v1/message/reports', { label: 'fraud', text: 'x', colour: 'red' });
      expect(unknown.statusCode).toBe(400);
      expect(JSON.stringify(unknown.json())).toContain('body.colour');
      const status = await get('/v1/message/reports?status=done');
      expect(status.statusCode).toBe(400);
      expect(JSON.stringify(status.json())).toContain('query.status');

      // Another organisation's decision, and a decision of another channel: not found.
      const theirs = await screen('こんにちは', other.token);
      expect((await post('/v1/message/reports', { label: 'fraud', decisionId: theirs.id })).statusCode).toBe(
        404,
      );
      const otherChannel = mamoru.channels().find((c) => c.name !== 'message');
      if (!otherChannel) throw new Error('no other channel');
      const screened = await post(`/v1/screen/${otherChannel.name}`, otherChannel.example);
      expect(screened.statusCode).toBe(200);
      const foreign = (screened.json() as Verdict).id;
      expect((await post('/v1/message/reports', { label: 'fraud', decisionId: foreign })).statusCode).toBe(
        404,
      );
      expect(
        (await post('/v1/message/reports', { label: 'fraud', decisionId: 'dec_nothing' })).statusCode,
      ).toBe(404);
      expect((await post('/v1/message/reports/rep_nothing/confirm', {})).statusCode).toBe(404);
    });

    it('takes reports:write to report and indicators:write to review or read them', async () => {
      const agent = await createKey(
        { app, mamoru, token, orgId: '', close: async () => {} } as TestServer,
        token,
        'agent',
      );
      expect((await post('/v1/message/reports', { label: 'fraud', text: 'x' }, agent)).statusCode).toBe(403);
      const reviewer = await createKey(
        { app, mamoru, token, orgId: '', close: async () => {} } as TestServer,
        token,
        'reviewer',
      );
      expect((await get('/v1/message/reports', reviewer)).statusCode).toBe(403);
      expect((await get('/v1/message/reports/labels', reviewer)).statusCode).toBe(403);
      const system = await createKey(
        { app, mamoru, token, orgId: '', close: async () => {} } as TestServer,
        token,
        'system',
      );
      expect((await post('/v1/message/reports', { label: 'fraud', text: 'x' }, system)).statusCode).toBe(201);
    });
  });
}

describe('the indicators a fraud report writes', () => {
  const tools = createExtractTools(createKeyedHasher('message-reports-test-key-012345'));
  it('takes the sender phone, every URL (obfuscation undone) and phone number in the text, never a domain', () => {
    const refs = reportIndicators(
      {
        sender: '080-5555-0000',
        text: '未払い料金があります hxxps://pay-fee[.]example/jp へ。至急 03-1234-5678 までお電話ください https://bit.ly/abc',
      },
      tools,
    );
    expect(refs.map((r) => `${r.type}:${r.value}`).sort()).toEqual([
      'phone:+81312345678',
      'phone:+818055550000',
      'url:https://bit.ly/abc',
      'url:https://pay-fee.example/jp',
    ]);
  });

  it('writes nothing for an alphanumeric sender and a text without links or numbers (near miss)', () => {
    expect(reportIndicators({ sender: 'AMAZON', text: 'お荷物のお届けについて' }, tools)).toEqual([]);
    expect(reportIndicators({ sender: null, text: null }, tools)).toEqual([]);
  });

  it('keys a report’s recipient as the subscribers are keyed', () => {
    const hasher = createKeyedHasher('message-reports-test-key-012345');
    expect(subscriberKey(hasher, '@Taro')).toBe(subscriberKey(hasher, 'taro'));
  });
});
