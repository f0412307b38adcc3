/**
 * End-to-end harness of the web console (C4): a REAL Mamoru server listening on
 * loopback (PGlite in memory; with DATABASE_URL, a fresh PostgreSQL database per
 * file), its logs kept in memory, keys for each kind of user, and Chromium
 * (Debian's `/usr/bin/chromium` through playwright-core) with one context per
 * actor. Every actor's page is watched for what the console must never do: call a
 * route that is not in `/openapi.json`, break the Content-Security-Policy, write
 * the key to `localStorage`, a cookie or the browser console.
 *
 * @example
 * const h = await openConsoleHarness();          // beforeAll
 * const agent = await h.actor('agent');          // signed in, on '/'
 * await agent.page.goto(h.url('/screen'));
 * await h.finish();                              // afterAll: checks + close
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe } from 'vitest';
import { LOG_REDACTION } from '../../src/cli/serve-command.ts';
import { loadConfig } from '../../src/config.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import { CONSOLE_DIR, consoleBuilt, ensureConsoleBuilt } from '../../src/server/console.ts';
import { freshDatabase } from './stores.ts';

export const CHROMIUM = process.env.MAMORU_CHROMIUM ?? '/usr/bin/chromium';

/** MAMORU_SKIP_BROWSER=1 skips the browser suites (a machine without Chromium); otherwise they must run. */
export const skipBrowser = process.env.MAMORU_SKIP_BROWSER === '1';

/** `describe` for suites that drive Chromium: skipped only when MAMORU_SKIP_BROWSER=1. */
export const describeBrowser: typeof describe = skipBrowser ? (describe.skip as typeof describe) : describe;

/** Each browser test's time limit: a loaded 2-core CI machine runs several Chromiums at once. */
export const E2E_TIMEOUT = 180_000;

/** The users of the scenarios: each role a key of its own. */
export type ActorName = 'admin' | 'analyst' | 'reviewer' | 'agent';

/** The agency the origin-bound agent key speaks for. */
export const AGENCY_ID = 'agency-urawa';
export const AGENCY_ORIGIN = `agency:${AGENCY_ID}`;

export interface ConsoleServer {
  readonly app: App;
  readonly mamoru: Mamoru;
  readonly orgId: string;
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly backend: 'pglite' | 'postgres';
  readonly tokens: Readonly<Record<ActorName, string>>;
  /** Every line the server logged (pino JSON), in order. */
  readonly logs: readonly string[];
  /** Call the API as an actor (the tests' own calls, never the console's). */
  api<T = unknown>(
    actor: ActorName,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/**
 * The console's built files: `npm install` builds them; when missing (a clone
 * installed without scripts) they are built here once, under a lock so that
 * parallel test files do not build over each other.
 */
export async function ensureConsole(): Promise<void> {
  if (await consoleBuilt()) return;
  const lock = join(tmpdir(), 'mamoru-console-build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`console build lock ${lock} held for 2 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    const state = await ensureConsoleBuilt();
    if (state === 'unavailable') throw new Error(`the console could not be built into ${CONSOLE_DIR}`);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** A real server on 127.0.0.1:<any free port> with the four actors' keys. */
export async function startConsoleServer(): Promise<ConsoleServer> {
  await ensureConsole();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(line);
      done();
    },
  });
  // As `mamoru serve` logs (same redaction), at debug: every request's line is kept.
  const logger = pino(
    {
      level: 'debug',
      redact: LOG_REDACTION,
    },
    sink,
  );
  const serverUrl = process.env.DATABASE_URL;
  const fresh = serverUrl ? await freshDatabase(serverUrl, 'mamoru_console') : undefined;
  const config = loadConfig(
    { dataDir: 'memory://', demo: 'true', ...(fresh ? { databaseUrl: fresh.url } : {}) },
    {},
  );
  const metrics = new Metrics({ defaults: false });
  let mamoru: Mamoru;
  try {
    mamoru = await Mamoru.open(config, { logger, metrics });
  } catch (error) {
    await fresh?.drop();
    throw error;
  }
  const boot = await mamoru.bootstrap({ demo: true });
  if (!boot) throw new Error('bootstrap created nothing');
  const app = await buildServer({ mamoru, metrics, logger });
  const base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');

  const call = async (token: string, method: string, path: string, body?: unknown, headers = {}) => {
    const raw = typeof body === 'string';
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': raw ? 'text/plain' : 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: the text.
    }
    return { status: res.status, body: parsed };
  };
  const key = async (name: string, role: string, origin?: string) => {
    const res = await call(boot.token, 'POST', '/v1/keys', { name, role, ...(origin ? { origin } : {}) });
    if (res.status !== 201) throw new Error(`create ${role} key: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { token: string }).token;
  };
  const tokens: Record<ActorName, string> = {
    admin: boot.token,
    analyst: await key('分析担当 / analyst', 'analyst'),
    reviewer: await key('本部審査 / HQ reviewer', 'reviewer'),
    agent: await key('浦和代理店 / Urawa agency', 'agent', AGENCY_ORIGIN),
  };
  let closed = false;
  return {
    app,
    mamoru,
    orgId: boot.orgId,
    base,
    backend: fresh ? 'postgres' : 'pglite',
    tokens,
    logs,
    api: (actor, method, path, body, headers) =>
      call(tokens[actor], method, path, body, headers) as Promise<{ status: number; body: never }>,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await mamoru.close();
      await fresh?.drop();
    },
  };
}

/** Chromium, or a clear failure where it is missing (CI installs it; MAMORU_SKIP_BROWSER=1 skips). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not at ${CHROMIUM}: install Debian's chromium (apt-get install chromium fonts-noto-cjk; .ci/run does), ` +
        'set MAMORU_CHROMIUM to its path, or skip the browser suites with MAMORU_SKIP_BROWSER=1',
    );
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** One request a console page sent. */
export interface SentRequest {
  readonly method: string;
  readonly url: string;
}

/** A user in a browser context of their own, watched. */
export interface ConsoleActor {
  readonly name: ActorName | 'anonymous';
  readonly token: string | undefined;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests the console sent (every page of the context). */
  readonly requests: SentRequest[];
  /** `securitypolicyviolation` events and console messages that report a CSP refusal. */
  readonly cspViolations: string[];
  /** Every browser console message, `type: text`. */
  readonly consoleMessages: string[];
  /** Uncaught page errors. */
  readonly pageErrors: string[];
}

export interface ActorOptions {
  readonly language?: 'ja' | 'en';
  readonly width?: number;
  readonly height?: number;
  /** Sign in after opening `/` (default true when the actor has a key). */
  readonly signIn?: boolean;
}

/** A fresh browser context for an actor, with the watchers installed. */
export async function openActor(
  browser: Browser,
  server: ConsoleServer,
  name: ActorName | 'anonymous',
  options: ActorOptions = {},
): Promise<ConsoleActor> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    locale: options.language === 'en' ? 'en-US' : 'ja-JP',
    timezoneId: 'Asia/Tokyo',
  });
  const token = name === 'anonymous' ? undefined : server.tokens[name];
  const actor: ConsoleActor = {
    name,
    token,
    context,
    page: await context.newPage(),
    requests: [],
    cspViolations: [],
    consoleMessages: [],
    pageErrors: [],
  };
  context.on('request', (request) => actor.requests.push({ method: request.method(), url: request.url() }));
  // A binding survives navigations and is not subject to the page's CSP.
  await context.exposeBinding('__mamoruCspViolation', (_source, text: string) => {
    actor.cspViolations.push(text);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __mamoruCspViolation?: (text: string) => void })
        .__mamoruCspViolation;
      report?.(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  if (options.language)
    await context.addInitScript((lang) => {
      try {
        if (!localStorage.getItem('mamoru.lang')) localStorage.setItem('mamoru.lang', lang);
      } catch {
        // No storage.
      }
    }, options.language);
  const watch = (page: Page) => {
    page.on('console', (message) => {
      const text = `${message.type()}: ${message.text()}`;
      actor.consoleMessages.push(text);
      if (/Content Security Policy|Refused to (execute|apply|load|connect|frame)/i.test(message.text()))
        actor.cspViolations.push(text);
    });
    page.on('pageerror', (error) => actor.pageErrors.push(String(error)));
  };
  watch(actor.page);
  context.on('page', watch);
  if (token && options.signIn !== false) {
    await actor.page.goto(`${server.base}/`);
    await signIn(actor.page, token);
  }
  return actor;
}

/** Fill the sign-in form with the key and submit; waits for the signed-in layout. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.locator('#api-key').fill(token);
  await page.locator('#api-key').press('Enter');
  // The signed-in layout's header (at 390 px the menu itself is folded away).
  await page.locator('header.topbar').waitFor({ state: 'visible', timeout: 30_000 });
}

/** Path templates of `/openapi.json` as matchers: `{id}` matches one path segment. */
export async function openApiRoutes(
  base: string,
): Promise<{ method: string; template: string; re: RegExp }[]> {
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes: { method: string; template: string; re: RegExp }[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    const re = new RegExp(
      `^${template
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}$`,
    );
    for (const method of Object.keys(ops))
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
        routes.push({ method: method.toUpperCase(), template, re });
  }
  return routes;
}

/**
 * The requests of `actors` to the server's `/v1` that no operation of
 * `/openapi.json` describes (method + path), as `METHOD /path`. Requests to other
 * paths of the server (the console's files) are not API calls.
 */
export async function undocumentedCalls(base: string, actors: readonly ConsoleActor[]): Promise<string[]> {
  const routes = await openApiRoutes(base);
  const bad = new Set<string>();
  for (const actor of actors)
    for (const request of actor.requests) {
      const url = new URL(request.url);
      if (url.origin !== new URL(base).origin) {
        bad.add(`${request.method} ${request.url} (another origin)`);
        continue;
      }
      if (!url.pathname.startsWith('/v1/')) continue;
      if (!routes.some((r) => r.method === request.method && r.re.test(url.pathname)))
        bad.add(`${request.method} ${url.pathname}`);
    }
  return [...bad].sort();
}

/** Where the key leaked: localStorage values, cookies, request URLs, the browser console (all must be none). */
export async function keyTraces(actor: ConsoleActor): Promise<string[]> {
  const found: string[] = [];
  const cookies = await actor.context.cookies();
  for (const cookie of cookies) found.push(`cookie ${cookie.name}`);
  for (const page of actor.context.pages()) {
    if (page.isClosed() || !page.url().startsWith('http')) continue;
    const stored = await page.evaluate(() => {
      const out: [string, string][] = [];
      for (let i = 0; i < localStorage.length; i++) {
        const k = localStorage.key(i);
        if (k !== null) out.push([k, localStorage.getItem(k) ?? '']);
      }
      return out;
    });
    for (const [k, v] of stored) if (actor.token && v.includes(actor.token)) found.push(`localStorage ${k}`);
  }
  if (actor.token)
    for (const request of actor.requests)
      if (request.url.includes(actor.token))
        found.push(`a request's URL: ${request.method} ${request.url.slice(0, 60)}`);
  if (actor.token)
    for (const message of actor.consoleMessages)
      if (message.includes(actor.token)) found.push(`console: ${message.slice(0, 80)}`);
  return found;
}

/**
 * One file's world: a server, a browser and the actors opened so far.
 * `finish()` checks what every scenario must respect, then closes everything:
 * no CSP violation, no uncaught page error, no key in localStorage/cookies/console
 * or in the server's logs, every `/v1` call documented in `/openapi.json`.
 */
export interface ConsoleHarness {
  readonly server: ConsoleServer;
  readonly browser: Browser;
  readonly actors: ConsoleActor[];
  url(path: string): string;
  /** A new signed-in actor; leave its context open: `finish()` reads its storage. */
  actor(name: ActorName | 'anonymous', options?: ActorOptions): Promise<ConsoleActor>;
  /** The problems `finish` would report, without closing. */
  problems(): Promise<string[]>;
  finish(): Promise<string[]>;
}

export async function openConsoleHarness(): Promise<ConsoleHarness> {
  const browser = await launchChromium();
  let server: ConsoleServer;
  try {
    server = await startConsoleServer();
  } catch (error) {
    await browser.close();
    throw error;
  }
  const actors: ConsoleActor[] = [];
  const problems = async () => {
    const found: string[] = [];
    for (const actor of actors) {
      for (const v of actor.cspViolations) found.push(`${actor.name}: CSP violation ${v}`);
      for (const e of actor.pageErrors) found.push(`${actor.name}: page error ${e}`);
      for (const trace of await keyTraces(actor)) found.push(`${actor.name}: key kept in ${trace}`);
    }
    for (const [name, token] of Object.entries(server.tokens))
      if (server.logs.some((line) => line.includes(token))) found.push(`server logs hold the ${name} key`);
    for (const call of await undocumentedCalls(server.base, actors))
      found.push(`not in /openapi.json: ${call}`);
    return found;
  };
  return {
    server,
    browser,
    actors,
    url: (path) => `${server.base}${path}`,
    async actor(name, options) {
      const actor = await openActor(browser, server, name, options);
      actors.push(actor);
      return actor;
    },
    problems,
    async finish() {
      let found: string[] = [];
      try {
        found = await problems();
      } finally {
        for (const actor of actors) await actor.context.close().catch(() => {});
        await browser.close().catch(() => {});
        await server.close();
      }
      return found;
    },
  };
}

/** Wait until `check` holds (polling), for what the server finishes after answering. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Screen one event on the console's `/screen` page as a clerk would: choose the
 * channel, replace the JSON, submit; answers the verdict's action shown.
 */
export async function screenOnPage(
  page: Page,
  base: string,
  channel: string,
  payload: unknown,
): Promise<{ action: string; caseLink: string | null }> {
  if (!page.url().startsWith(`${base}/screen`)) await page.goto(`${base}/screen`);
  const select = page.getByTestId('screen-channel');
  await select.waitFor({ timeout: 30_000 });
  if ((await select.inputValue()) !== channel) await select.selectOption(channel);
  const editor = page.getByTestId('screen-payload');
  await editor.fill(JSON.stringify(payload, null, 2));
  const result = page.getByTestId('screen-result');
  const answered = page.waitForResponse(
    (res) => res.request().method() === 'POST' && new URL(res.url()).pathname === `/v1/screen/${channel}`,
    { timeout: 30_000 },
  );
  await page.getByTestId('screen-submit').click();
  const response = await answered;
  if (response.status() !== 200)
    throw new Error(`screen ${channel}: ${response.status()} ${await response.text()}`);
  const verdictId = ((await response.json()) as { id: string }).id;
  // The shown verdict is the one just answered (its id is on the page).
  await result.getByText(verdictId).first().waitFor({ timeout: 30_000 });
  const action = result.getByTestId('verdict-action');
  const caseLink = await result
    .getByTestId('screen-case-link')
    .getAttribute('href', { timeout: 1_000 })
    .catch(() => null);
  return { action: (await action.getAttribute('data-action')) ?? '', caseLink };
}
