import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, consoleRoutes } from '../../src/server/console.ts';
import type { App } from '../../src/server/route-kit.ts';
import { ensureConsole } from '../helpers/console.ts';

/**
 * How the server serves the console (C4): its pages answer index.html with the
 * CSP; hashed assets come precompressed when the browser accepts it; nothing
 * outside the build is served; without a build the pages say how to build it.
 */
describe('console files', () => {
  let app: App;
  let script: string;
  beforeAll(async () => {
    await ensureConsole();
    app = Fastify() as unknown as App;
    await consoleRoutes(app);
    await app.ready();
    const index = await app.inject({ method: 'GET', url: '/' });
    script = /src="(\/assets\/[^"]+\.js)"/.exec(index.body)?.[1] ?? '';
    expect(script).not.toBe('');
  });
  afterAll(() => app.close());

  it('answers every console path with index.html and the CSP, no inline script', async () => {
    for (const url of [
      '/',
      '/cases',
      '/cases/case_123',
      '/decisions/dec_1?channel=message',
      '/policies/message',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.body).toContain('<div id="root">');
      // Every script is a file of the build.
      for (const tag of res.body.match(/<script[^>]*>[\s\S]*?<\/script>/g) ?? [])
        expect(tag).toMatch(/^<script[^>]*src="\/assets\/[^"]+"[^>]*><\/script>$/);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe');
  });

  it('sends assets precompressed when accepted, the same bytes as the file, immutable', async () => {
    const plain = await app.inject({ method: 'GET', url: script });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toContain('immutable');
    expect(plain.headers['content-security-policy']).toBe(CONSOLE_CSP);
    const gz = await app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toContain('accept-encoding');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    expect(gz.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    const br = await app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
  });

  it('serves nothing outside the build', async () => {
    for (const url of [
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/package.json',
      '/src/main.tsx',
    ])
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
  });

  it('answers 503 with how to build it when there is no build', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mamoru-no-console-'));
    const bare = Fastify() as unknown as App;
    try {
      await consoleRoutes(bare, `${empty}/`);
      const res = await bare.inject({ method: 'GET', url: '/cases' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().detail).toContain('npm run build:console');
    } finally {
      await bare.close();
      await rm(empty, { recursive: true });
    }
  });
});
