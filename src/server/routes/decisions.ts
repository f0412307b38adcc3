import { z } from 'zod';
import { ACTIONS, notFound } from '../../core/index.ts';
import type { Mamoru } from '../../mamoru.ts';
import { type App, actorOf } from '../app.ts';
import { decisionSchema, errorResponses, idParams } from '../schemas.ts';

/** The decision log, read back: one decision, or the newest first. */
export async function decisionRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  app.get(
    '/v1/decisions/:id',
    {
      schema: {
        tags: ['decisions'],
        summary: '判定を取得 / Get a decision',
        params: idParams,
        response: { 200: decisionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'decisions:read');
      const record = await mamoru.store.decisions.get(actor.orgId, request.params.id);
      if (!record) throw notFound(`decision ${request.params.id}`);
      return record;
    },
  );
  app.get(
    '/v1/decisions',
    {
      schema: {
        tags: ['decisions'],
        summary: '判定の一覧（新しい順）/ List decisions, newest first',
        querystring: z.object({
          channel: z.string().max(50).optional(),
          action: z.enum(ACTIONS).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          before: z.coerce
            .number()
            .int()
            .min(0)
            .optional()
            .describe('seq of the last decision of the previous page'),
        }),
        response: {
          200: z.object({ decisions: z.array(decisionSchema).readonly(), next: z.number().int().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'decisions:read');
      const q = request.query;
      const decisions = await mamoru.store.decisions.list(actor.orgId, {
        limit: q.limit,
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.before !== undefined ? { beforeSeq: q.before } : {}),
      });
      const last = decisions.at(-1);
      return { decisions, next: decisions.length === q.limit && last ? last.seq : null };
    },
  );
}
