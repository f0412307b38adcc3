import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

const SMS = {
  kind: 'sms',
  sender: '+81300000000',
  text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
};

describe('OpenAPI', () => {
  it('serves a valid OpenAPI 3.1 document', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/screen/message',
        '/v1/events',
        '/v1/decisions/{id}',
        '/v1/cases',
        '/v1/indicators',
        '/v1/policies/{channel}',
      ]),
    );
  });

  it('serves the browsable docs', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});

describe('screening', () => {
  it('returns a verdict with Japanese and English reasons for the sample request', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/message',
      headers: bearer(server.token),
      payload: SMS,
    });
    expect(res.statusCode).toBe(200);
    const v = res.json();
    expect(v.action).not.toBe('allow');
    expect(v.reasons.length).toBeGreaterThan(0);
    for (const r of v.reasons) {
      expect(r.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(r.en).toMatch(/[a-z]/i);
    }
    expect(v.hits.map((h: { signal: string }) => h.signal)).toContain('INTEL_MATCH_URL');
    const stored = await server.app.inject({
      method: 'GET',
      url: `/v1/decisions/${v.id}`,
      headers: bearer(server.token),
    });
    expect(stored.statusCode).toBe(200);
    expect(stored.json().verdict.id).toBe(v.id);
  });

  it('allows a harmless message and names no reason', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/message',
      headers: bearer(server.token),
      payload: { kind: 'sms', sender: '+819012345678', text: '明日の会議は10時からです。' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().action).toBe('allow');
    expect(res.json().reasons).toEqual([]);
  });

  it('screens a batch and gives a bad event its own problem without losing the others', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: bearer(server.token),
      payload: {
        events: [
          { channel: 'message', id: 'a', payload: SMS },
          { channel: 'message', id: 'b', payload: { kind: 'fax', text: 'x' } },
          { channel: 'nope', payload: {} },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(1);
    expect(body.rejected).toBe(2);
    expect(body.results[0].verdict.eventId).toBe('a');
    expect(body.results[1].problem.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['events.1.payload.kind', 'events.1.payload.sender']),
    );
    expect(body.results[2].problem.errors[0].path).toBe('events.2.channel');
  });
});

describe('problem details', () => {
  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    server.app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(server.token), 'content-type': 'application/json', ...headers },
      payload,
    });

  it('names the field of a validation error', async () => {
    const res = await post('/v1/screen/message', JSON.stringify({ ...SMS, kind: 'fax' }));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const p = res.json();
    expect(p).toMatchObject({
      status: 400,
      code: 'validation_failed',
      type: 'urn:mamoru:problem:validation_failed',
    });
    expect(p.errors[0].path).toBe('body.kind');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await post('/v1/screen/message', '{"kind": "sms",');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('body');
  });

  it('answers an empty body with 400', async () => {
    const res = await post('/v1/screen/message', '');
    expect(res.statusCode).toBe(400);
  });

  it('answers a too-large body with 413', async () => {
    const res = await post('/v1/screen/message', JSON.stringify({ ...SMS, text: 'あ'.repeat(600_000) }));
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await post('/v1/screen/message', 'kind=sms', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(res.statusCode).toBe(415);
  });

  it('answers CSV sent to a JSON route with 415 (the CSV parser belongs to the import route only)', async () => {
    const res = await post('/v1/screen/message', 'type,value\nphone,1', { 'content-type': 'text/csv' });
    expect(res.statusCode).toBe(415);
  });

  it('answers a NUL character in a path parameter or query with 400, not 500', async () => {
    const path = await server.app.inject({
      method: 'GET',
      url: '/v1/decisions/%00',
      headers: bearer(server.token),
    });
    expect(path.statusCode).toBe(400);
    const query = await server.app.inject({
      method: 'GET',
      url: '/v1/cases?assignee=%00',
      headers: bearer(server.token),
    });
    expect(query.statusCode).toBe(400);
  });

  it('answers an unknown route with 404', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: '/v1/nothing-here',
      headers: bearer(server.token),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
  });

  it('answers an unknown channel with 404 naming the channel', async () => {
    const res = await post('/v1/screen/fax', JSON.stringify({}));
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('unknown_channel');
  });

  it('asks for a key (401) without one, or with a bad one', async () => {
    const none = await server.app.inject({ method: 'GET', url: '/v1/decisions' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    const bad = await server.app.inject({
      method: 'GET',
      url: '/v1/decisions',
      headers: bearer('mk_nope_nope'),
    });
    expect(bad.statusCode).toBe(401);
  });

  it('serves health, readiness and metrics without a key', async () => {
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ok',
      database: 'pglite',
      cluster: 'listening',
    });
    const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('mamoru_verdicts_total');
    expect(metrics.body).toContain('mamoru_http_request_duration_seconds');
  });
});
