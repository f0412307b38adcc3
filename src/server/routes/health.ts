import { sql } from 'kysely';
import { z } from 'zod';
import type { Mamoru } from '../../mamoru.ts';
import type { Metrics } from '../../metrics.ts';
import type { App } from '../route-kit.ts';
import { problemSchema } from '../schemas.ts';

/** Liveness, readiness (the database answers) and Prometheus metrics. No key needed. */
export async function healthRoutes(
  app: App,
  { mamoru, metrics }: { mamoru: Mamoru; metrics: Metrics },
): Promise<void> {
  const status = z.object({
    status: z.string(),
    database: z.string().optional(),
    cluster: z
      .enum(['listening', 'reconnecting'])
      .optional()
      .describe(
        '他のサーバーからの変更通知（LISTEN）を受けているか / whether this server hears the others (LISTEN); while reconnecting, caches fall back to their TTLs',
      ),
  });
  app.get(
    '/healthz',
    { schema: { tags: ['health'], security: [], response: { 200: status } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    { schema: { tags: ['health'], security: [], response: { 200: status, 503: problemSchema } } },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(mamoru.store.db);
        // Still ready while the listener reconnects (caches fall back to their TTLs), but an operator sees it.
        return {
          status: 'ok',
          database: mamoru.store.kind,
          cluster: mamoru.store.cluster.listening ? ('listening' as const) : ('reconnecting' as const),
        };
      } catch {
        return reply.code(503).type('application/problem+json').send({
          type: 'urn:mamoru:problem:not_ready',
          title: '準備ができていません (Not ready)',
          status: 503,
          detail: 'the database does not answer',
          code: 'not_ready',
        });
      }
    },
  );
  app.get('/metrics', { schema: { tags: ['health'], security: [], hide: true } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
