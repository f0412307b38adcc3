import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Actor } from '../cases/roles.ts';
import { isMamoruError, MamoruError } from '../core/index.ts';
import { safeError } from '../core/safe-error.ts';
import type { Mamoru } from '../mamoru.ts';
import type { Metrics } from '../metrics.ts';
import { clientOf } from './client-address.ts';
import { consoleRoutes } from './console.ts';
import { lazyChildLogger } from './lazy-child-logger.ts';
import {
  MAX_PATH_PARAM,
  MAX_URL_LENGTH,
  onClientError,
  problem,
  RateLimitedError,
  sendProblem,
  toProblem,
  uriTooLong,
} from './problem.ts';

export type { App } from './route-kit.ts';

import type { App } from './route-kit.ts';
import { adminRoutes } from './routes/admin.ts';
import { caseRoutes } from './routes/cases.ts';
import { channelRoutes } from './routes/channels.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { healthRoutes } from './routes/health.ts';
import { importRoutes } from './routes/imports.ts';
import { indicatorRoutes } from './routes/indicators.ts';
import { operationRoutes } from './routes/operations.ts';
import { policyRoutes } from './routes/policies.ts';
import { screenRoutes } from './routes/screen.ts';
import { statsRoutes } from './routes/stats.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

export interface ServerOptions {
  readonly mamoru: Mamoru;
  readonly metrics: Metrics;
  readonly logger?: Logger | false;
  readonly bodyLimit?: number;
  /**
   * Which proxies' `X-Forwarded-For` to believe for the client address (Fastify's
   * `trustProxy`: true, a hop count, or addresses and CIDR ranges). Off by
   * default: the client is the peer of the connection.
   */
  readonly trustProxy?: boolean | number | string | readonly string[];
  /** Serve the web console at `/` (default true; its files come from `console/dist`). */
  readonly console?: boolean;
}

/**
 * Build the HTTP API (Fastify + zod): one zod schema per body is the request
 * validation, the TypeScript type and the OpenAPI 3.1 document served at
 * `/openapi.json` (browsable at `/docs`).
 */
export async function buildServer(options: ServerOptions): Promise<App> {
  const { mamoru, metrics } = options;
  const app = Fastify({
    loggerInstance: (options.logger || undefined) as FastifyBaseLogger | undefined,
    logger: options.logger ? undefined : false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Requests are logged by our own hook: route, status and time only, never bodies or headers.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => crypto.randomUUID(),
    // A request's logger is made when it first logs (most never do): pino's child per request costs
    // about 5 µs, a twentieth of a screening (issue 8, item 10).
    childLoggerFactory: lazyChildLogger,
    // A path parameter longer than any id is a 414, answered by the router (see `frameworkErrors`).
    routerOptions: { maxParamLength: MAX_PATH_PARAM },
    // Errors met before a route runs (a parameter too long, a malformed URL) are problems too.
    frameworkErrors: (error, request, reply) => {
      sendProblem(reply as unknown as FastifyReply, toProblem(error, request.url));
    },
    // And those Node's HTTP parser meets before Fastify sees a request (headers too large…).
    clientErrorHandler: onClientError,
    trustProxy: (options.trustProxy ?? false) as boolean,
  }).withTypeProvider<ZodTypeProvider>();

  // JSON bodies only (the import routes add their own media types in their own scope): text/plain, which
  // Fastify accepts by default, would reach the schemas as a string and read as a 400 instead of a 415.
  app.removeContentTypeParser('text/plain');

  app.setValidatorCompiler(validatorCompiler);
  // Responses are built from typed domain objects; plain JSON.stringify keeps the hot path fast.
  app.setSerializerCompiler(() => jsonBody);

  // The channels served are the registered ones: the document names them, as its routes do.
  const served = {
    ja: mamoru
      .channels()
      .map((c) => c.title.ja)
      .join('、'),
    en: mamoru
      .channels()
      .map((c) => c.title.en)
      .join('; '),
  };
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mamoru API',
        version: '0.1.0',
        description: `Mamoru（守る）不正対策プラットフォームの API。${served.ja}を審査し、判定を日本語と英語で説明します。\n\nMamoru anti-fraud platform API: screens events (${served.en}) and explains every verdict in Japanese and English.`,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API key `mk_…`' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async function authenticate(request) {
    (request as FastifyRequest & { startedAt: number }).startedAt = performance.now();
    if (request.url.length > MAX_URL_LENGTH) throw new MamoruError('uri_too_long', 'URL too long');
    if (!request.url.startsWith('/v1/')) return;
    const header = request.headers.authorization;
    if (!header) throw new MamoruError('unauthenticated', 'missing Authorization: Bearer <API key>');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new MamoruError('unauthenticated', 'Authorization must be "Bearer <API key>"');
    const client = clientOf(request.ip);
    // A client past its failures gets 429 for the next ones; the secret is checked first all the same, so a
    // right one always passes.
    const limited = mamoru.store.keys.retryAfterMs(client) > 0;
    const key = await mamoru.store.keys.verify(match[1], { client });
    if (!key) {
      const wait = mamoru.store.keys.retryAfterMs(client);
      if (limited && wait > 0)
        throw new RateLimitedError(
          '認証の失敗が多すぎます。しばらく待ってから再試行してください / too many failed authentications from this address; wait before trying again',
          wait / 1000,
        );
      throw new MamoruError('unauthenticated', 'unknown or revoked API key');
    }
    request.actor = {
      id: key.id,
      role: key.role,
      orgId: key.orgId,
      ...(key.origin === null ? {} : { origin: key.origin }),
    };
  });

  app.addHook('onResponse', async function observeRequest(request, reply) {
    const started = (request as FastifyRequest & { startedAt?: number }).startedAt;
    if (started === undefined) return;
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = (performance.now() - started) / 1000;
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      seconds,
    );
    request.log.debug(
      { method: request.method, route, status: reply.statusCode, ms: seconds * 1000 },
      'request',
    );
  });

  app.setErrorHandler((error, request, reply) => {
    const p =
      isMamoruError(error) && error.code === 'uri_too_long'
        ? uriTooLong(request.url)
        : toProblem(error, request.url);
    if (p.status >= 500) request.log.error({ err: safeError(error), reqId: request.id }, 'request failed');
    return sendProblem(reply, p);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem('not_found', `no route ${request.method} ${request.url.split('?')[0]}`, {
        instance: request.url,
      }),
    ),
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await healthRoutes(app, { mamoru, metrics });
  await screenRoutes(app, { mamoru });
  await decisionRoutes(app, { mamoru });
  await caseRoutes(app, { mamoru });
  await indicatorRoutes(app, { mamoru });
  await policyRoutes(app, { mamoru });
  await adminRoutes(app, { mamoru });
  await operationRoutes(app, { mamoru });
  await channelRoutes(app, { mamoru });
  await statsRoutes(app, { mamoru });
  await importRoutes(app, { mamoru });
  if (options.console !== false) await consoleRoutes(app);
  await app.ready();
  return app;
}

/** A response body as JSON (named, so that CPU profiles show it). */
function jsonBody(data: unknown): string {
  return JSON.stringify(data);
}
