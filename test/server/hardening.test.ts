import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createKey, startTestServer, type TestServer } from '../helpers/server.ts';

/** What hostile use found (issue 7): guessing, over-long URLs and headers, non-JSON bodies, misleading text. */
let server: TestServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer({ demo: false });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  port = (server.app.server.address() as AddressInfo).port;
});
afterAll(async () => server.close());

const me = (token: string, remoteAddress: string) =>
  server.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token), remoteAddress });

/** Send raw bytes and read the whole answer (the server closes the connection after a client error). */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString('utf8');
    });
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.setTimeout(5000, () => reject(new Error(`no answer: ${answer}`)));
    socket.write(request);
  });
}

function parseRaw(answer: string): { status: number; headers: string; body: Record<string, unknown> } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) };
}

describe('guessing at keys', () => {
  it('answers 429 with Retry-After to a client past 20 failures, and still lets the right key through', async () => {
    const token = await createKey(server, server.token, 'agent');
    const wrong = (i: number) => `${token.slice(0, -43)}${String(i).padStart(43, 'Z')}`;
    const attacker = '198.51.100.23';
    for (let i = 0; i < 20; i++) expect((await me(wrong(i), attacker)).statusCode).toBe(401);
    const limited = await me(wrong(20), attacker);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    // The right secret passes, from the limited address as well; other addresses are not limited.
    expect((await me(token, attacker)).statusCode).toBe(200);
    expect((await me(wrong(99), '203.0.113.50')).statusCode).toBe(401);
    expect((await me(token, '203.0.113.50')).statusCode).toBe(200);
    // One IPv6 network (/64) is one client: moving within it does not reset the count.
    for (let i = 0; i < 20; i++) await me(wrong(i), `2001:db8:aa:1::${i + 1}`);
    expect((await me(wrong(0), '2001:db8:aa:1:ffff::9')).statusCode).toBe(429);
    expect((await me(wrong(0), '2001:db8:aa:2::1')).statusCode).toBe(401);
  });
});

describe('over-long URLs and headers are problem+json', () => {
  it('a path parameter longer than 200 characters is a 414; one of 200 is not (absent)', async () => {
    const long = await server.app.inject({
      method: 'GET',
      url: `/v1/cases/${'x'.repeat(201)}`,
      headers: bearer(server.token),
    });
    expect(long.statusCode).toBe(414);
    expect(long.headers['content-type']).toContain('application/problem+json');
    expect(long.json()).toMatchObject({ code: 'uri_too_long', errors: [{ path: 'path' }] });
    const fits = await server.app.inject({
      method: 'GET',
      url: `/v1/cases/${'x'.repeat(200)}`,
      headers: bearer(server.token),
    });
    expect(fits.statusCode).toBe(404);
    expect(fits.json().code).toBe('not_found');
  });

  it('a URL longer than 8192 characters is a 414, before authentication', async () => {
    const res = await server.app.inject({ method: 'GET', url: `/v1/cases?assignee=${'a'.repeat(8200)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json().code).toBe('uri_too_long');
    expect(res.json().instance.length).toBeLessThan(400);
  });

  it('a malformed percent-encoding is a 400 problem', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: '/v1/cases/%E0%A4%A',
      headers: bearer(server.token),
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('validation_failed');
  });

  it('headers over 16 KiB are a 431 problem, written by the server before any route (raw socket)', async () => {
    const answer = parseRaw(
      await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`),
    );
    expect(answer.status).toBe(431);
    expect(answer.headers).toContain('content-type: application/problem+json');
    expect(answer.body).toMatchObject({ code: 'header_too_large', status: 431 });
  });

  it('a request line over 16 KiB is a 414 problem (raw socket); a normal request still works', async () => {
    const answer = parseRaw(await raw(`GET /v1/cases?q=${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(answer.status).toBe(414);
    expect(answer.body).toMatchObject({ code: 'uri_too_long' });
    const ok = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(ok.startsWith('HTTP/1.1 200')).toBe(true);
  });

  it('a malformed request line is a 400 problem (raw socket)', async () => {
    const answer = parseRaw(await raw('GARBAGE\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'validation_failed' });
  });
});

describe('JSON bodies only', () => {
  it('answers 415 to text/plain, forms and no media type on a JSON route; JSON is accepted (absent)', async () => {
    const post = (type: string | undefined, payload: string) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/keys',
        headers: { ...bearer(server.token), ...(type ? { 'content-type': type } : {}) },
        payload,
      });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'text/csv', undefined]) {
      const res = await post(type, '{"name":"k","role":"agent"}');
      expect(res.statusCode, String(type)).toBe(415);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('unsupported_media_type');
    }
    expect((await post('application/json; charset=utf-8', '{"name":"k","role":"agent"}')).statusCode).toBe(
      201,
    );
  });

  it('an import declared in another charset than UTF-8 is a 415 naming content-type, not read as UTF-8', async () => {
    // Found by H8: text/csv; charset=shift_jis was read as UTF-8 and imported garbled.
    const post = (type: string) =>
      server.app.inject({
        method: 'POST',
        url: '/v1/indicators/import',
        headers: { ...bearer(server.token), 'content-type': type },
        payload: 'type,value\nurl,https://h8.example/\n',
      });
    for (const type of ['text/csv; charset=shift_jis', 'application/x-ndjson; charset="Windows-31J"']) {
      const res = await post(type);
      expect(res.statusCode, type).toBe(415);
      expect(res.json().errors[0]).toMatchObject({ path: 'content-type' });
      expect(res.json().detail).toContain('UTF-8');
    }
    for (const type of ['text/csv; charset=UTF-8', 'text/csv; charset="utf-8"', 'text/csv; header=present']) {
      expect((await post(type)).statusCode, type).toBe(200);
    }
  });
});

describe('names and free text that would mislead a reader', () => {
  const cases = [
    { url: '/v1/keys', method: 'POST', payload: { name: 'shop\u202Egnp', role: 'agent' }, path: 'body.name' },
    { url: '/v1/orgs', method: 'POST', payload: { name: 'Bank\u200B A' }, path: 'body.name' },
    { url: '/v1/orgs', method: 'POST', payload: { name: 'Bank\u0000' }, path: 'body.name' },
    { url: '/v1/orgs', method: 'POST', payload: { name: 'Bank\uD800' }, path: 'body.name' },
    {
      url: '/v1/indicators',
      method: 'POST',
      payload: { type: 'domain', value: 'evil.example', description: 'safe\u2066 really' },
      path: 'body.description',
    },
    {
      url: '/v1/policies/message',
      method: 'PUT',
      payload: { document: {}, comment: 'ok\u202D' },
      path: 'body.comment',
    },
  ] as const;

  it('answers 400 naming the field, the code point and where', async () => {
    for (const c of cases) {
      const res = await server.app.inject({
        method: c.method,
        url: c.url,
        headers: bearer(server.token),
        payload: c.payload,
      });
      expect(res.statusCode, c.url).toBe(400);
      const body = res.json();
      expect(body.code).toBe('validation_failed');
      expect(body.errors[0].path).toBe(c.path);
      expect(body.errors[0].message).toMatch(/U\+[0-9A-F]{4} at index \d+/);
    }
  });

  it('applies the same rule to a contract application’s names and addresses', async () => {
    const example = server.mamoru.channel('contract').example as {
      holder: { identity: { name: string; address: string } };
    };
    const hidden = structuredClone(example);
    hidden.holder.identity.name = '山田\u200B太郎';
    const res = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/contract',
      headers: bearer(server.token),
      payload: hidden,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('body.holder.identity.name');
    expect(res.json().errors[0].message).toContain('U+200B at index 2');
  });

  it('accepts Japanese names, emoji and line breaks in comments (absent)', async () => {
    const org = await server.app.inject({
      method: 'POST',
      url: '/v1/orgs',
      headers: bearer(server.token),
      payload: { name: '渋谷信用金庫 👩‍💻' },
    });
    expect(org.statusCode).toBe(201);
    const key = await server.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: bearer(server.token),
      payload: { name: '本部 審査', role: 'reviewer' },
    });
    expect(key.statusCode).toBe(201);
  });
});

describe('one list shape', () => {
  it('pages keys, organisations and decisions as { items, nextCursor } with ?cursor=', async () => {
    for (let i = 0; i < 3; i++) await createKey(server, server.token, 'analyst');
    for (const url of ['/v1/keys', '/v1/orgs', '/v1/decisions', '/v1/cases', '/v1/indicators']) {
      const res = await server.app.inject({ method: 'GET', url, headers: bearer(server.token) });
      expect(res.statusCode, url).toBe(200);
      expect(Object.keys(res.json()).sort(), url).toEqual(['items', 'nextCursor']);
    }
    const all = (
      await server.app.inject({ method: 'GET', url: '/v1/keys?limit=500', headers: bearer(server.token) })
    ).json();
    expect(all.nextCursor).toBeNull();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await server.app.inject({
          method: 'GET',
          url: `/v1/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          headers: bearer(server.token),
        })
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((k: { id: string }) => k.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((k: { id: string }) => k.id));
    const bad = await server.app.inject({
      method: 'GET',
      url: '/v1/keys?cursor=bm9wZQ',
      headers: bearer(server.token),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].path).toBe('query.cursor');
  });
});
