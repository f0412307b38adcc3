import { z } from 'zod';
import { ACTIONS, notFound } from '../../core/index.ts';
import type { Mamoru } from '../../mamoru.ts';
import { type App, actorOf } from '../app.ts';
import { errorResponses } from '../schemas.ts';

const channelParams = z.object({ channel: z.string().min(1).max(50) });
const policyVersionSchema = z
  .object({
    channel: z.string(),
    version: z.number().int().describe('0 is the channel default, before the organisation stores its own'),
    document: z.record(z.string(), z.unknown()),
    createdBy: z.string(),
    createdAt: z.string(),
    comment: z.string().optional(),
  })
  .meta({ id: 'PolicyVersion' });
const draftBody = z.object({
  document: z
    .record(z.string(), z.unknown())
    .describe('A complete policy document (see GET for the current one)'),
  comment: z.string().max(2000).optional(),
});

/** Policies as versioned data: read, put a new version, list versions, dry-run a draft. */
export async function policyRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  const view = (
    channel: string,
    v: {
      version: number;
      document: unknown;
      createdBy?: string;
      createdAt?: string;
      comment?: string | undefined;
    },
  ) => ({
    channel,
    version: v.version,
    document: v.document as Record<string, unknown>,
    createdBy: v.createdBy ?? 'mamoru',
    createdAt: v.createdAt ?? new Date(0).toISOString(),
    ...(v.comment ? { comment: v.comment } : {}),
  });

  app.get(
    '/v1/policies/:channel',
    {
      schema: {
        tags: ['policies'],
        summary: '現在のポリシー / Current policy',
        params: channelParams,
        response: { 200: policyVersionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'policies:read');
      const { channel } = request.params;
      mamoru.channel(channel);
      const stored = await mamoru.store.policies.current(actor.orgId, channel);
      return view(channel, stored ?? { version: 0, document: mamoru.defaultPolicy(channel) });
    },
  );
  app.get(
    '/v1/policies/:channel/versions',
    {
      schema: {
        tags: ['policies'],
        summary: 'ポリシーの履歴（誰がいつ何を変えたか）/ Version history: who changed what, when',
        params: channelParams,
        response: { 200: z.object({ versions: z.array(policyVersionSchema).readonly() }), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'policies:read');
      mamoru.channel(request.params.channel);
      const versions = await mamoru.store.policies.history(actor.orgId, request.params.channel);
      return { versions: versions.map((v) => view(request.params.channel, v)) };
    },
  );
  app.get(
    '/v1/policies/:channel/versions/:version',
    {
      schema: {
        tags: ['policies'],
        summary: 'ポリシーの特定の版 / One policy version',
        params: channelParams.extend({ version: z.coerce.number().int().min(1).max(1_000_000) }),
        response: { 200: policyVersionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'policies:read');
      const { channel, version } = request.params;
      mamoru.channel(channel);
      const v = await mamoru.store.policies.get(actor.orgId, channel, version);
      if (!v) throw notFound(`policy ${channel} version ${version}`);
      return view(channel, v);
    },
  );
  app.put(
    '/v1/policies/:channel',
    {
      schema: {
        tags: ['policies'],
        summary: '新しい版を保存 / Store a new version',
        params: channelParams,
        body: draftBody,
        response: { 200: policyVersionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const v = await mamoru.putPolicy(
        actor,
        request.params.channel,
        request.body.document,
        request.body.comment,
      );
      return view(request.params.channel, v);
    },
  );
  app.post(
    '/v1/policies/:channel/dry-run',
    {
      schema: {
        tags: ['policies'],
        summary: '下書きを直近の判定で試す / Dry-run a draft against recent decisions',
        params: channelParams,
        body: z.object({
          document: draftBody.shape.document,
          limit: z
            .number()
            .int()
            .min(1)
            .max(100_000)
            .default(1000)
            .describe('How many recent decisions to re-score'),
        }),
        response: {
          200: z.object({
            channel: z.string(),
            checked: z.number().int(),
            changed: z.number().int(),
            incomplete: z.number().int(),
            transitions: z.record(z.string(), z.number().int()),
            changes: z
              .array(
                z.object({
                  decisionId: z.string(),
                  createdAt: z.string(),
                  from: z.object({ action: z.enum(ACTIONS), score: z.number() }),
                  to: z.object({ action: z.enum(ACTIONS), score: z.number() }),
                }),
              )
              .readonly(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return mamoru.dryRun(actor, request.params.channel, request.body.document, request.body.limit);
    },
  );
}
