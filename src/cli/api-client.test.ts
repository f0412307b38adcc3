import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiProblem, chooseClient, findServer, writeServerFile } from './api-client.ts';

let dir: string;
let http: Server;
let base: string;
const seen: { method: string; url: string; auth: string; type: string; body: string }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamoru-api-client-'));
  http = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      auth: req.headers.authorization ?? '',
      type: req.headers['content-type'] ?? '',
      body,
    });
    if (req.url?.startsWith('/v1/bad')) {
      res.writeHead(400, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'urn:mamoru:problem:validation_failed',
          title: '入力が不正です (The input is not valid)',
          status: 400,
          detail: 'body.kind: unknown kind',
          code: 'validation_failed',
          errors: [{ path: 'body.kind', message: 'unknown kind' }],
        }),
      );
    } else if (req.url?.startsWith('/v1/slow-down')) {
      res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '30' });
      res.end(JSON.stringify({ title: 'Too many', status: 429, detail: 'wait' }));
    } else if (req.url?.startsWith('/v1/proxy')) {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad gateway</h1>');
    } else if (req.method === 'DELETE') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const address = http.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((r) => http.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('ApiClient', () => {
  it('sends the Bearer key, the query (repeated for a list, none for undefined) and a JSON body', async () => {
    const api = new ApiClient(`${base}/`, 'mk_test');
    expect(
      await api.request('POST', '/v1/cases', {
        query: { status: ['open', 'expired'], limit: 5, cursor: undefined },
        json: { a: 1 },
      }),
    ).toEqual({ ok: true });
    const last = seen.at(-1);
    expect(last).toMatchObject({
      method: 'POST',
      auth: 'Bearer mk_test',
      type: 'application/json',
      body: '{"a":1}',
    });
    expect(last?.url).toBe('/v1/cases?status=open&status=expired&limit=5');
    expect(await api.request('DELETE', '/v1/keys/k1')).toBeUndefined();
  });

  it('streams a body as it is read', async () => {
    const api = new ApiClient(base, 'mk_test');
    const lines = ['type,value\n', 'domain,a.example\n'];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = lines.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    await api.request('POST', '/v1/indicators/import', { stream, contentType: 'text/csv' });
    expect(seen.at(-1)).toMatchObject({ type: 'text/csv', body: 'type,value\ndomain,a.example\n' });
  });

  it('throws a problem with its status, title and each field, without repeating the detail', async () => {
    const api = new ApiClient(base, 'mk_test');
    const error = await api.request('GET', '/v1/bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect((error as ApiProblem).lines()).toEqual([
      '400: 入力が不正です (The input is not valid)',
      '  body.kind: unknown kind',
    ]);
    const limited = (await api.request('GET', '/v1/slow-down').catch((e: unknown) => e)) as ApiProblem;
    expect(limited.lines()[0]).toBe('429: Too many: wait');
    expect(limited.lines()[1]).toContain('try again in 30 seconds');
    const proxy = (await api.request('GET', '/v1/proxy').catch((e: unknown) => e)) as ApiProblem;
    expect(proxy.lines()).toEqual(['502: Bad Gateway: <h1>Bad gateway</h1>']);
  });

  it('answers the same through node:http for a request with no time limit (noTimeout)', async () => {
    const api = new ApiClient(base, 'mk_test');
    const untimed = { noTimeout: true } as const;
    expect(await api.request('POST', '/v1/decisions/verify', { ...untimed, json: { a: 1 } })).toEqual({
      ok: true,
    });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      auth: 'Bearer mk_test',
      type: 'application/json',
      body: '{"a":1}',
    });
    expect(await api.request('DELETE', '/v1/keys/k1', untimed)).toBeUndefined();
    const error = (await api.request('GET', '/v1/bad', untimed).catch((e: unknown) => e)) as ApiProblem;
    expect(error.lines()).toEqual([
      '400: 入力が不正です (The input is not valid)',
      '  body.kind: unknown kind',
    ]);
    const limited = (await api
      .request('GET', '/v1/slow-down', untimed)
      .catch((e: unknown) => e)) as ApiProblem;
    expect(limited.retryAfter).toBe('30');
    const gone = new ApiClient('http://127.0.0.1:9', 'mk_test', 'MAMORU_URL (--url)');
    const unreachable = await gone.request('GET', '/v1/cases', untimed).catch((e: unknown) => e);
    expect((unreachable as Error).message).toContain('cannot reach the Mamoru server at http://127.0.0.1:9');
  });

  it('says which server it could not reach and where its URL came from', async () => {
    const api = new ApiClient('http://127.0.0.1:9', 'mk_test', 'MAMORU_URL (--url)');
    await expect(api.request('GET', '/v1/me')).rejects.toThrow(
      /cannot reach the Mamoru server at http:\/\/127\.0\.0\.1:9 \(from MAMORU_URL \(--url\)\)/,
    );
  });

  it('refuses a URL that is not http or https, naming MAMORU_URL', () => {
    expect(() => new ApiClient('ftp://x', 't')).toThrow(/MAMORU_URL \(--url\)/);
    expect(() => new ApiClient('127.0.0.1:8787', 't')).toThrow(/MAMORU_URL/);
  });
});

describe('finding the server', () => {
  it('writes server.json owner-only, as loopback for a wildcard address, and removes it on stop', async () => {
    const data = join(dir, 'a');
    const forget = await writeServerFile(data, 'http://0.0.0.0:8787');
    const file = join(data, 'server.json');
    expect((await stat(file)).mode & 0o077).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      url: 'http://127.0.0.1:8787',
      pid: process.pid,
    });
    expect(await findServer(data)).toMatchObject({ url: 'http://127.0.0.1:8787' });
    await forget();
    expect(await findServer(data)).toBeUndefined();
  });

  it('follows no record whose process is gone, and none that is not JSON', async () => {
    const data = join(dir, 'b');
    await writeServerFile(data, 'http://127.0.0.1:8787');
    await writeFile(
      join(data, 'server.json'),
      JSON.stringify({ url: 'http://127.0.0.1:8787', pid: 999_999_999 }),
    );
    expect(await findServer(data)).toBeUndefined();
    await writeFile(join(data, 'server.json'), '{nope');
    expect(await findServer(data)).toBeUndefined();
  });

  it('chooses MAMORU_URL with its key; a found server with the demo key; else the database', async () => {
    const data = join(dir, 'c');
    expect(await chooseClient({ dataDir: data })).toBeUndefined();
    expect((await chooseClient({ url: base, apiKey: 'mk_1', dataDir: data }))?.url).toBe(base);
    // A key file on this machine is never sent to a URL someone typed.
    await expect(chooseClient({ url: base, dataDir: data })).rejects.toThrow(/MAMORU_API_KEY/);

    const forget = await writeServerFile(data, base);
    await expect(chooseClient({ dataDir: data })).rejects.toThrow(
      /a server is running at .* but there is no API key/,
    );
    await writeFile(join(data, 'demo-api-key'), 'mk_demo\n');
    const found = await chooseClient({ dataDir: data });
    expect(found?.url).toBe(base);
    expect(found?.source).toBe(join(data, 'server.json'));
    await found?.request('GET', '/v1/me');
    expect(seen.at(-1)?.auth).toBe('Bearer mk_demo');
    await (await chooseClient({ dataDir: data, apiKey: 'mk_mine' }))?.request('GET', '/v1/me');
    expect(seen.at(-1)?.auth).toBe('Bearer mk_mine');
    await forget();
    expect(await chooseClient({ dataDir: data })).toBeUndefined();
  });
});
