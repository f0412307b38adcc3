import { z } from 'zod';
import { ACTIONS, notFound } from '../../core/index.ts';
import type { Mamoru } from '../../mamoru.ts';
import { CheckpointIssuer } from '../../store/checkpoint-issuer.ts';
import { loadSigningKey, publicKeyPem } from '../../store/checkpoint-key.ts';
import { CHECKPOINT_TYPE, keyId } from '../../store/decision-checkpoint.ts';
import { type App, actorOf } from '../app.ts';
import { pageSchema } from '../paging.ts';
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
          cursor: z
            .string()
            .regex(/^\d{1,15}$/, 'must be the nextCursor of the previous page')
            .optional()
            .describe('前のページの nextCursor / the nextCursor of the previous page'),
          before: z.coerce
            .number()
            .int()
            .min(0)
            .optional()
            .describe('旧名（cursor と同じ）/ deprecated: the same as cursor'),
        }),
        response: { 200: pageSchema(decisionSchema), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'decisions:read');
      const q = request.query;
      const before = q.cursor !== undefined ? Number(q.cursor) : q.before;
      const items = await mamoru.store.decisions.list(actor.orgId, {
        limit: q.limit,
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(before !== undefined ? { beforeSeq: before } : {}),
      });
      const last = items.at(-1);
      return { items, nextCursor: items.length === q.limit && last ? String(last.seq) : null };
    },
  );
  // The signing key is loaded (created in the data folder) on the first checkpoint asked for.
  let issuer: Promise<{ issuer: CheckpointIssuer; key: string; publicKey: string }> | undefined;
  const checkpoints = () => {
    if (issuer === undefined) {
      issuer = loadSigningKey(mamoru.config, true).then((key) => ({
        issuer: new CheckpointIssuer(mamoru.store, key),
        key: keyId(key),
        publicKey: publicKeyPem(key),
      }));
      // A key that could not be loaded is tried again on the next request.
      issuer.catch(() => {
        issuer = undefined;
      });
    }
    return issuer;
  };
  app.get(
    '/v1/decisions/checkpoint',
    {
      schema: {
        tags: ['decisions'],
        summary: '判定ログの署名付きチェックポイント / A signed checkpoint of the decision log',
        description:
          'The head of the whole decision log (every organisation: its length and the hash of its last row, no content), signed with Ed25519 (X1). Keep it outside the operator: `mamoru audit verify --against <file>` later shows the log truncated or its tail rewritten. Save the body as it is. 409 when the chain head does not match the last decision. Needs decisions:audit (admin).',
        response: { 200: checkpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      actorOf(request, 'decisions:audit');
      return (await checkpoints()).issuer.issue('head');
    },
  );
  app.get(
    '/v1/decisions/checkpoint/key',
    {
      schema: {
        tags: ['decisions'],
        summary: 'チェックポイントの公開鍵 / The public key checkpoints are signed with',
        description:
          'Keep it with the checkpoints (`mamoru audit verify --against <file> --public-key <pem>`). Needs decisions:audit (admin).',
        response: {
          200: z.object({ key: z.string(), algorithm: z.literal('Ed25519'), publicKey: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      actorOf(request, 'decisions:audit');
      const { key, publicKey } = await checkpoints();
      return { key, algorithm: 'Ed25519' as const, publicKey };
    },
  );
}

const checkpointSchema = z
  .object({
    type: z.literal(CHECKPOINT_TYPE),
    version: z.literal(1),
    log: z.string().describe('the log id'),
    seq: z.number().int().describe('decisions vouched for: the head seq'),
    hash: z.string().describe('SHA-256 (hex) of decision seq, covering every row before it'),
    time: z.string().describe('when it was signed (ISO 8601)'),
    key: z.string().describe('signing key id: ed25519:<32 hex digits>'),
    signature: z.string().describe('Ed25519 signature of the canonical JSON of the other fields, base64url'),
  })
  .meta({ id: 'DecisionLogCheckpoint' });
