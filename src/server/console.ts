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
import type { FastifyReply, FastifyRequest } from 'fastify';
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
const PAGES = [
  '/',
  '/cases',
  '/decisions',
  '/screen',
  '/indicators',
  '/policies',
  '/admin',
  '/quarantine',
] as const;

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

/** A 503 problem: the console has not been built (the API is unaffected). */
function notBuilt(url: string) {
  return {
    type: 'about:blank',
    title: 'コンソールが未ビルドです / The console is not built',
    status: 503,
    detail: 'npm run build:console を実行してください（npm install が実行します）/ run npm run build:console',
    instance: url,
  };
}

/**
 * Serve the console. `index.html` and the favicon are read on each request and
 * the hashed assets are looked up as asked, so a rebuild (`npm run
 * build:console`) shows at the next reload without a restart. Without a build
 * the pages answer 503 with a problem that says how to build it.
 */
export async function consoleRoutes(app: App, dir = CONSOLE_DIR): Promise<void> {
  await app.register(async (scope) => {
    if (await consoleBuilt(dir)) {
      await scope.register(fastifyStatic, {
        root: `${dir}assets`,
        prefix: '/assets/',
        index: false,
        // The build writes .br and .gz twins (console/vite.config.ts): sent to browsers that accept them.
        preCompressed: true,
        schemaHide: true,
        decorateReply: false,
        setHeaders: (reply) => {
          const r = reply as unknown as FastifyReply;
          secure(r);
          // Vite names built assets by content hash: they never change.
          r.header('cache-control', 'public, max-age=31536000, immutable');
        },
      });
    }
    const file = (name: string, type: string) => async (request: FastifyRequest, reply: FastifyReply) => {
      secure(reply);
      const body = await readFile(`${dir}${name}`).catch(() => null);
      if (body === null) return reply.code(503).type('application/problem+json').send(notBuilt(request.url));
      return reply.header('cache-control', 'no-cache').type(type).send(body);
    };
    const page = file('index.html', 'text/html; charset=utf-8');
    for (const path of PAGES) {
      scope.get(path, { schema: { hide: true } }, page);
      if (path !== '/') scope.get(`${path}/*`, { schema: { hide: true } }, page);
    }
    scope.get('/favicon.svg', { schema: { hide: true } }, file('favicon.svg', 'image/svg+xml'));
  });
}
