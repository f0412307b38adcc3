import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The OpenAPI document is valid, every route that takes a body carries a
 * request example for each media type it accepts, and every example is one
 * the route accepts as it is: sent to the server, none is refused as input.
 */

interface Media {
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface Operation {
  requestBody?: { content: Record<string, Media> };
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
}

let server: TestServer;
let doc: Doc;
beforeAll(async () => {
  server = await startTestServer();
  doc = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Doc;
});
afterAll(async () => server.close());

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every (method, path, media type, example) of the document. */
function examples(): { method: string; path: string; type: string; example: unknown }[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).flatMap(([method, op]) =>
      Object.entries(op.requestBody?.content ?? {}).flatMap(([type, media]) => {
        const all = [
          ...(media.example === undefined ? [] : [media.example]),
          ...Object.values(media.examples ?? {}).map((e) => e.value),
        ];
        return all.map((example) => ({ method: method.toUpperCase(), path, type, example }));
      }),
    ),
  );
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('gives a request example for every body of every route, per media type', () => {
    const missing: string[] = [];
    let bodies = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
          bodies++;
          if (media.example === undefined && Object.keys(media.examples ?? {}).length === 0)
            missing.push(`${method.toUpperCase()} ${path} ${type}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(bodies).toBeGreaterThanOrEqual(20);
    const named = new Set(examples().map((e) => `${e.method} ${e.path} ${e.type}`));
    for (const route of [
      'POST /v1/screen/contract application/json',
      'POST /v1/screen/message application/json',
      'POST /v1/events application/json',
      'POST /v1/keys application/json',
      'POST /v1/indicators application/json',
      'POST /v1/indicators/import text/csv',
      'POST /v1/indicators/import application/x-ndjson',
      'POST /v1/contract/lines/import text/csv',
      'POST /v1/contract/lines/import application/x-ndjson',
      'POST /v1/cases/{id}/assign application/json',
      'POST /v1/cases/{id}/comments application/json',
      'POST /v1/cases/{id}/resolve application/json',
      'PUT /v1/policies/{channel} application/json',
      'POST /v1/policies/{channel}/dry-run application/json',
    ]) {
      expect(named, route).toContain(route);
    }
  });

  it('gives only examples the routes accept as they are', async () => {
    const list = examples();
    expect(list.length).toBeGreaterThanOrEqual(18);
    // A decision id in a body (a campaign's message) is a placeholder, as a path's {id} is: it names
    // a decision this set-up made — the message route's own example, screened — so the operation runs.
    // Received now: a message older than the campaign table keeps rows is swept from it once recorded.
    const screenMessage = list.find((e) => e.method === 'POST' && e.path === '/v1/screen/message');
    const screened = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/message',
      headers: bearer(server.token),
      payload: { ...(screenMessage!.example as object), receivedAt: new Date().toISOString() },
    });
    expect(screened.statusCode, screened.body).toBe(200);
    const decisionId = (screened.json() as { id: string }).id;
    let withDecision = 0;
    for (const { method, path, type, example } of list) {
      // Path parameters: a channel that exists, an id that does not (the body is validated before the lookup: 404).
      const url = path.replace('{channel}', 'contract').replace('{id}', 'x_unknown');
      const body =
        isRecord(example) && typeof example.decisionId === 'string' ? { ...example, decisionId } : example;
      if (body !== example) withDecision++;
      const res = await server.app.inject({
        method: method as 'POST',
        url,
        headers: { ...bearer(server.token), 'content-type': type },
        payload: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const where = `${method} ${path} ${type}: ${res.body.slice(0, 400)}`;
      expect([200, 201, 204, 404], where).toContain(res.statusCode);
      if (res.statusCode === 404) expect(path, where).toContain('{id}');
      const answer = res.body === '' ? {} : (res.json() as { rejected?: number });
      // An import example imports every one of its lines.
      if (path.endsWith('/import')) expect(answer.rejected, where).toBe(0);
    }
    expect(withDecision, 'examples naming a decision in their body').toBeGreaterThan(0);
  });

  it('would notice an example a route refuses (the check can fail)', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/indicators/import',
      headers: { ...bearer(server.token), 'content-type': 'text/csv' },
      payload: 'type,value\nphone,not a phone\n',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().rejected).toBe(1);
    const bad = await server.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(server.token),
      payload: { name: 'x', role: 'agent', outlet: 'nowhere' },
    });
    expect(bad.statusCode).toBe(400);
  });
});
