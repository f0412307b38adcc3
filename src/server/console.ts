/**
 * The web console (C4), served by the API server at `/`: the files Vite built
 * into `console/dist` and, for each of the console's own paths (`/cases/…`),
 * its `index.html`, so that a link or a reload opens the right page.
 *
 * Every console response carries a Content-Security-Policy that allows only the
 * server's own scripts and styles (no inline script, no `eval`, no other
 * origin) and forbids framing; the console calls nothing but `/v1`.
 */
import { access, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import type { App } from './route-kit.ts';

/** Where `npm install` (the `prepare` script) builds the console. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/dist/', import.meta.url));

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The console's pages (client-side routes): each answers `index.html`. */
const PAGES = ['/', '/cases', '/decisions', '/screen', '/indicators', '/policies', '/admin'] as const;

function secure(reply: FastifyReply): void {
  reply.header('content-security-policy', CONSOLE_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}

/** Whether the console has been built (`npm install` runs `npm run build:console`). */
export async function consoleBuilt(dir = CONSOLE_DIR): Promise<boolean> {
  return access(`${dir}index.html`).then(
    () => true,
    () => false,
  );
}

/**
 * Build the console when it is missing (a clone installed with scripts off, or
 * an edited source): Vite, a devDependency, is loaded only then. Returns what
 * happened, for the start-up log.
 */
export async function ensureConsoleBuilt(dir = CONSOLE_DIR): Promise<'present' | 'built' | 'unavailable'> {
  if (await consoleBuilt(dir)) return 'present';
  try {
    const vite = await import('vite');
    await vite.build({
      configFile: fileURLToPath(new URL('../../console/vite.config.ts', import.meta.url)),
      logLevel: 'warn',
    });
    return (await consoleBuilt(dir)) ? 'built' : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

/**
 * Serve the console. Without a build the pages answer 503 with a problem that
 * says how to build it; the API is unaffected.
 */
export async function consoleRoutes(app: App, dir = CONSOLE_DIR): Promise<void> {
  if (!(await consoleBuilt(dir))) {
    for (const page of PAGES) {
      app.get(page, { schema: { hide: true } }, async (request, reply) => {
        secure(reply);
        return reply.code(503).type('application/problem+json').send({
          type: 'about:blank',
          title: 'コンソールが未ビルドです / The console is not built',
          status: 503,
          detail: 'npm run build:console (npm install runs it) / run npm run build:console',
          instance: request.url,
        });
      });
    }
    return;
  }
  const index = await readFile(`${dir}index.html`);
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      // One route per built file: nothing else under `/` is served from disk.
      wildcard: false,
      index: false,
      schemaHide: true,
      decorateReply: false,
      setHeaders: (reply, path) => {
        secure(reply as unknown as FastifyReply);
        // Vite names built assets by content hash: they never change.
        (reply as unknown as FastifyReply).header(
          'cache-control',
          /[/\\]assets[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    const page = async (_request: unknown, reply: FastifyReply) => {
      secure(reply);
      reply.header('cache-control', 'no-cache');
      return reply.type('text/html; charset=utf-8').send(index);
    };
    for (const path of PAGES) {
      scope.get(path, { schema: { hide: true } }, page);
      if (path !== '/') scope.get(`${path}/*`, { schema: { hide: true } }, page);
    }
  });
}
