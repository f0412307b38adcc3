import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, createOrg, startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let a: { orgId: string; token: string };
let b: { orgId: string; token: string };
const ids: { decision?: string; case?: string; indicator?: string } = {};

const REVIEW_POLICY = {
  id: 'message.strict',
  channel: 'message',
  thresholds: { warn: null, review: 0.5, block: 100 },
};

beforeAll(async () => {
  server = await startTestServer({ demo: false });
  a = await createOrg(server, 'Carrier A');
  b = await createOrg(server, 'Carrier B');
  const ind = await server.app.inject({
    method: 'POST',
    url: '/v1/indicators',
    headers: bearer(a.token),
    payload: {
      type: 'phone',
      value: '090-1111-2222',
      verdict: 'suspicious',
      confidence: 80,
      source: 'a-reports',
    },
  });
  expect(ind.statusCode).toBe(201);
  ids.indicator = ind.json().id;
  const put = await server.app.inject({
    method: 'PUT',
    url: '/v1/policies/message',
    headers: bearer(a.token),
    payload: { document: REVIEW_POLICY, comment: 'review anything suspicious' },
  });
  expect(put.statusCode).toBe(200);
  expect(put.json().version).toBe(1);
  const screen = await server.app.inject({
    method: 'POST',
    url: '/v1/screen/message',
    headers: bearer(a.token),
    payload: { kind: 'sms', sender: '09011112222', text: '至急ご連絡ください' },
  });
  expect(screen.statusCode).toBe(200);
  expect(screen.json().action).toBe('review');
  ids.decision = screen.json().id;
  const cases = await server.app.inject({ method: 'GET', url: '/v1/cases', headers: bearer(a.token) });
  ids.case = cases.json().items.find((c: { decisionId: string }) => c.decisionId === ids.decision)?.id;
  expect(ids.case).toBeDefined();
});
afterAll(async () => server.close());

describe('tenant isolation: organisation B never sees organisation A', () => {
  const get = (url: string, token: string) =>
    server.app.inject({ method: 'GET', url, headers: bearer(token) });

  it('A sees its own decision, case, indicator and policy version', async () => {
    expect((await get(`/v1/decisions/${ids.decision}`, a.token)).statusCode).toBe(200);
    expect((await get(`/v1/cases/${ids.case}`, a.token)).statusCode).toBe(200);
    expect((await get(`/v1/indicators/${ids.indicator}`, a.token)).statusCode).toBe(200);
    expect((await get('/v1/policies/message/versions/1', a.token)).statusCode).toBe(200);
  });

  it("answers 404 to B for A's decision, case, indicator and policy", async () => {
    expect((await get(`/v1/decisions/${ids.decision}`, b.token)).statusCode).toBe(404);
    expect((await get(`/v1/cases/${ids.case}`, b.token)).statusCode).toBe(404);
    expect((await get(`/v1/indicators/${ids.indicator}`, b.token)).statusCode).toBe(404);
    expect((await get('/v1/policies/message/versions/1', b.token)).statusCode).toBe(404);
    expect((await get('/v1/policies/message', b.token)).json().version).toBe(0);
  });

  it("answers 404 to B acting on A's case and indicator", async () => {
    const resolve = await server.app.inject({
      method: 'POST',
      url: `/v1/cases/${ids.case}/resolve`,
      headers: bearer(b.token),
      payload: { resolution: 'approved', reason: 'not mine' },
    });
    expect(resolve.statusCode).toBe(404);
    const del = await server.app.inject({
      method: 'DELETE',
      url: `/v1/indicators/${ids.indicator}`,
      headers: bearer(b.token),
    });
    expect(del.statusCode).toBe(404);
  });

  it("lists nothing of A's for B", async () => {
    expect((await get('/v1/decisions', b.token)).json().items).toEqual([]);
    expect((await get('/v1/cases', b.token)).json().items).toEqual([]);
    expect((await get('/v1/indicators', b.token)).json().items).toEqual([]);
  });

  it("does not match A's org-scope indicator when B screens", async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/message',
      headers: bearer(b.token),
      payload: { kind: 'sms', sender: '09011112222', text: '至急ご連絡ください' },
    });
    expect(res.json().hits).toEqual([]);
  });
});

describe('roles', () => {
  it('an agent key cannot resolve a case (403) but can comment', async () => {
    const agent = await createKey(server, a.token, 'agent');
    const resolve = await server.app.inject({
      method: 'POST',
      url: `/v1/cases/${ids.case}/resolve`,
      headers: bearer(agent),
      payload: { resolution: 'approved', reason: 'family plan' },
    });
    expect(resolve.statusCode).toBe(403);
    expect(resolve.json().code).toBe('forbidden');
    const comment = await server.app.inject({
      method: 'POST',
      url: `/v1/cases/${ids.case}/comments`,
      headers: bearer(agent),
      payload: { text: 'お客様は家族用と説明しています' },
    });
    expect(comment.statusCode).toBe(201);
  });

  it('an agent cannot change policies or create keys', async () => {
    const agent = await createKey(server, a.token, 'agent');
    const put = await server.app.inject({
      method: 'PUT',
      url: '/v1/policies/message',
      headers: bearer(agent),
      payload: { document: REVIEW_POLICY },
    });
    expect(put.statusCode).toBe(403);
    const key = await server.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(agent),
      payload: { name: 'x', role: 'admin' },
    });
    expect(key.statusCode).toBe(403);
  });

  it('a reviewer resolves the case, and the history records it', async () => {
    const reviewer = await createKey(server, a.token, 'reviewer');
    const resolve = await server.app.inject({
      method: 'POST',
      url: `/v1/cases/${ids.case}/resolve`,
      headers: bearer(reviewer),
      payload: { resolution: 'denied', reason: '詐欺と判断' },
    });
    expect(resolve.statusCode).toBe(200);
    expect(resolve.json()).toMatchObject({ status: 'resolved', resolution: 'denied', effect: 'refuse' });
    const again = await server.app.inject({
      method: 'POST',
      url: `/v1/cases/${ids.case}/resolve`,
      headers: bearer(reviewer),
      payload: { resolution: 'approved', reason: 'changed my mind' },
    });
    expect(again.statusCode).toBe(409);
    const detail = await server.app.inject({
      method: 'GET',
      url: `/v1/cases/${ids.case}`,
      headers: bearer(reviewer),
    });
    expect(detail.json().history.map((h: { type: string }) => h.type)).toEqual(
      expect.arrayContaining(['opened', 'commented', 'resolved']),
    );
  });

  it('only the operator organisation creates organisations', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/orgs',
      headers: bearer(a.token),
      payload: { name: 'C' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('a revoked key stops working', async () => {
    const analyst = await createKey(server, a.token, 'analyst');
    const keys = await server.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(a.token) });
    const id = keys.json().items.find((k: { role: string }) => k.role === 'analyst').id;
    expect(
      (await server.app.inject({ method: 'DELETE', url: `/v1/keys/${id}`, headers: bearer(a.token) }))
        .statusCode,
    ).toBe(204);
    expect(
      (await server.app.inject({ method: 'GET', url: '/v1/decisions', headers: bearer(analyst) })).statusCode,
    ).toBe(401);
  });
});

describe('policies', () => {
  it('dry-runs a draft against recent decisions and lists the verdicts that would change', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/policies/message/dry-run',
      headers: bearer(a.token),
      payload: {
        document: {
          id: 'message.lenient',
          channel: 'message',
          thresholds: { warn: null, review: 50, block: 100 },
        },
        limit: 100,
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.checked).toBeGreaterThanOrEqual(1);
    expect(body.changes.find((c: { decisionId: string }) => c.decisionId === ids.decision)).toMatchObject({
      from: { action: 'review' },
      to: { action: 'allow' },
    });
    expect(body.transitions['review->allow']).toBeGreaterThanOrEqual(1);
  });

  it('rejects a policy naming an unknown signal, naming the field', async () => {
    const res = await server.app.inject({
      method: 'PUT',
      url: '/v1/policies/message',
      headers: bearer(a.token),
      payload: { document: { id: 'x', channel: 'message', signals: { NOPE_SIGNAL: { weight: 3 } } } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('signals.NOPE_SIGNAL');
  });

  it('normalises allow/deny values so they match what the extractor yields', async () => {
    const org = await createOrg(server, 'Carrier D');
    const put = await server.app.inject({
      method: 'PUT',
      url: '/v1/policies/message',
      headers: bearer(org.token),
      payload: {
        document: {
          id: 'message.deny',
          channel: 'message',
          overrides: { deny: [{ type: 'phone', value: '090-7777-8888' }] },
        },
      },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().document.overrides.deny[0].value).toBe('+819077778888');
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/message',
      headers: bearer(org.token),
      payload: { kind: 'sms', sender: '+81 90 7777 8888', text: 'こんにちは' },
    });
    expect(res.json()).toMatchObject({ action: 'block', forced: { kind: 'deny_override' } });
    const bad = await server.app.inject({
      method: 'PUT',
      url: '/v1/policies/message',
      headers: bearer(org.token),
      payload: {
        document: {
          id: 'message.deny',
          channel: 'message',
          overrides: { deny: [{ type: 'phone', value: 'not a phone' }] },
        },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('overrides.deny.0.value');
  });

  it('keeps the history of who changed what', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: '/v1/policies/message/versions',
      headers: bearer(a.token),
    });
    expect(res.json().items[0]).toMatchObject({ version: 1, comment: 'review anything suspicious' });
  });
});
