import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestServer, type TestServer } from '../helpers/server.ts';

/** 4xx answers name the field as the docs do: `query.<name>`, `content-type`, a cursor that is not one. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ demo: false });
});
afterAll(async () => server.close());

describe('field paths of 4xx answers', () => {
  it('a cursor that is not one of the list is a 400 on query.cursor, in both languages', async () => {
    const res = await server.app.inject({ url: '/v1/indicators?cursor=zzz', headers: bearer(server.token) });
    expect(res.statusCode).toBe(400);
    const body = res.json() as { errors: { path: string; ja: string }[] };
    expect(body.errors[0]!.path).toBe('query.cursor');
    expect(body.errors[0]!.ja).toContain('カーソル');
  });

  it('the case queue names a bad cursor query.cursor too', async () => {
    const res = await server.app.inject({ url: '/v1/cases?cursor=zzz', headers: bearer(server.token) });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { errors: { path: string }[] }).errors[0]!.path).toBe('query.cursor');
  });

  it('a bad query parameter is named query.<name>, never querystring.<name>', async () => {
    const res = await server.app.inject({ url: '/v1/decisions?limit=0', headers: bearer(server.token) });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { errors: { path: string }[] }).errors[0]!.path).toBe('query.limit');
  });

  it('a 415 names the content-type it refused', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/message',
      headers: { ...bearer(server.token), 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(res.statusCode).toBe(415);
    expect((res.json() as { errors: { path: string }[] }).errors[0]!.path).toBe('content-type');
  });
});
