import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createOrg, startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let a: { orgId: string; token: string };
let b: { orgId: string; token: string };

beforeAll(async () => {
  server = await startTestServer({ demo: false });
  a = await createOrg(server, 'Bank A');
  b = await createOrg(server, 'Bank B');
});
afterAll(async () => server.close());

const inject = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  token: string,
  payload?: unknown,
  headers = {},
) =>
  server.app.inject({
    method,
    url,
    headers: { ...bearer(token), ...headers },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });

describe('indicators API', () => {
  it('creates, refreshes, reads, updates and deletes, normalising the value', async () => {
    const created = await inject('POST', '/v1/indicators', a.token, {
      type: 'url',
      value: 'HTTP://Evil.EXAMPLE/a/../login#x',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().value).toBe('http://evil.example/login');
    const again = await inject('POST', '/v1/indicators', a.token, {
      type: 'url',
      value: 'http://evil.example/login',
      confidence: 90,
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: created.json().id, confidence: 90 });
    const patched = await inject('PATCH', `/v1/indicators/${created.json().id}`, a.token, {
      verdict: 'suspicious',
    });
    expect(patched.json().verdict).toBe('suspicious');
    expect((await inject('DELETE', `/v1/indicators/${created.json().id}`, a.token)).statusCode).toBe(204);
    expect((await inject('GET', `/v1/indicators/${created.json().id}`, a.token)).statusCode).toBe(404);
  });

  it('stores card numbers only as keyed hashes', async () => {
    const res = await inject('POST', '/v1/indicators', a.token, {
      type: 'card',
      value: '4111 1111 1111 1111',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().value).toMatch(/^[0-9a-f]{64}$/);
    expect(res.json().hashed).toBe(true);
    expect(res.body).not.toContain('4111');
  });

  it('rejects a bad value naming the field', async () => {
    const res = await inject('POST', '/v1/indicators', a.token, {
      type: 'card',
      value: '4111 1111 1111 1112',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toContain('value');
  });

  it('imports CSV, reporting every rejected line with its number and field', async () => {
    const csv = [
      'type,value,verdict,confidence',
      'phone,090-1234-5678,malicious,80',
      'phone,not-a-number,malicious,80',
      'domain,phish.example,malicious,bad',
    ].join('\n');
    const res = await inject('POST', '/v1/indicators/import?source=feed', a.token, csv, {
      'content-type': 'text/csv',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ processed: 3, imported: 1, rejected: 2 });
    expect(body.rejections.map((r: { line: number; field: string }) => [r.line, r.field])).toEqual([
      [3, 'value'],
      [4, 'confidence'],
    ]);
  });

  it('imports JSON lines', async () => {
    const lines = [
      JSON.stringify({ type: 'email', value: 'Scam@Example.com' }),
      JSON.stringify({ type: 'ip', value: '192.0.2.1' }),
    ].join('\n');
    const res = await inject('POST', '/v1/indicators/import', a.token, lines, {
      'content-type': 'application/x-ndjson',
    });
    expect(res.json()).toMatchObject({ imported: 2, rejected: 0 });
  });

  it('only the operator organisation publishes public indicators', async () => {
    const res = await inject('POST', '/v1/indicators', a.token, {
      type: 'domain',
      value: 'x.example',
      scope: 'public',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().errors[0].path).toBe('body.scope');
    const line = JSON.stringify({ type: 'domain', value: 'y.example', scope: 'public' });
    const imp = await inject('POST', '/v1/indicators/import', a.token, line, {
      'content-type': 'application/x-ndjson',
    });
    expect(imp.json()).toMatchObject({ imported: 0, rejected: 1, rejections: [{ line: 1, field: 'scope' }] });
    const own = await inject('POST', '/v1/indicators', a.token, { type: 'domain', value: 'z.example' });
    const patch = await inject('PATCH', `/v1/indicators/${own.json().id}`, a.token, { scope: 'public' });
    expect(patch.statusCode).toBe(403);
    expect(patch.json().errors[0].path).toBe('body.scope');
    const op = await inject('POST', '/v1/indicators', server.token, {
      type: 'domain',
      value: 'public-phish.example',
      scope: 'public',
    });
    expect(op.statusCode).toBe(201);
    const lookup = await inject('POST', '/v1/indicators/lookup', b.token, {
      type: 'domain',
      value: 'PUBLIC-PHISH.example',
    });
    expect(lookup.json().matches).toHaveLength(1);
  });

  it("shares partner-scope indicators with partners only, and they fire in the partner's screening", async () => {
    const ind = await inject('POST', '/v1/indicators', a.token, {
      type: 'phone',
      value: '03-9999-0000',
      scope: 'partners',
      verdict: 'malicious',
      confidence: 90,
    });
    expect(ind.statusCode).toBe(201);
    const before = await inject('POST', '/v1/indicators/lookup', b.token, {
      type: 'phone',
      value: '0399990000',
    });
    expect(before.json().matches).toEqual([]);
    const partner = await inject('POST', `/v1/orgs/${a.orgId}/partners`, server.token, {
      partnerOrgId: b.orgId,
    });
    expect(partner.statusCode).toBe(204);
    const after = await inject('POST', '/v1/indicators/lookup', b.token, {
      type: 'phone',
      value: '0399990000',
    });
    expect(after.json().matches).toHaveLength(1);
    const screen = await inject('POST', '/v1/screen/message', b.token, {
      kind: 'sms',
      sender: '0399990000',
      text: 'お支払いが確認できません',
    });
    expect(screen.json().hits.map((h: { signal: string }) => h.signal)).toContain('INTEL_MATCH_PHONE');
  });
});
