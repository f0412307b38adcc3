import { z } from 'zod';
import { ACTIONS, CASE_ACTIONS, notFound, policyDocumentSchema, textField } from '../../core/index.ts';
import type { Mamoru } from '../../mamoru.ts';
import { DRY_RUN_MODES } from '../../policy-dry-run.ts';
import type { PolicyView } from '../../policy-service.ts';
import { pageFrom, pageQuery, pageSchema } from '../paging.ts';
import { type App, actorOf } from '../route-kit.ts';
import { errorResponses } from '../schemas.ts';
import { channelSignalSchema, channelSignals } from './channels.ts';

const channelParams = z.object({ channel: z.string().min(1).max(50) });
const localizedText = z.object({ ja: z.string(), en: z.string() });
const documentSchema = z.record(z.string(), z.unknown());
const policyVersionSchema = z
  .object({
    channel: z.string(),
    version: z.number().int().describe('0 is the channel default, before the organisation stores its own'),
    document: documentSchema.describe(
      'The layer the organisation stored over the channel default ({} for version 0): what PUT takes back',
    ),
    effective: documentSchema.describe(
      'The policy that runs: the layer over the channel default (read only)',
    ),
    fromDefault: z.array(z.string()).readonly().describe('Paths of effective that come from the default'),
    createdBy: z.string(),
    createdAt: z.string(),
    comment: z.string().optional(),
  })
  .meta({ id: 'PolicyVersion' });
const SETTINGS_ONLY = { settings: { lineCaps: { person: { voice: 6 } } } };
const draftBody = z
  .object({
    document: documentSchema.describe(
      'A policy layer: only what differs from the channel default; null removes a default (docs/policies.md)',
    ),
    comment: textField('text', 2000, { min: 0 }).optional(),
    // The rest of GET's answer, so that it is accepted as it is: channel is checked, effective must be as shown.
    channel: z.string().max(50).optional(),
    version: z.number().int().optional(),
    effective: documentSchema.optional().describe('As GET printed it; read only: edits go in document'),
    fromDefault: z.array(z.string()).optional(),
    createdBy: z.string().optional(),
    createdAt: z.string().optional(),
  })
  .meta({ examples: [{ document: SETTINGS_ONLY, comment: '家族プラン向けに音声上限を6回線へ' }] });
const dryRunChangeSchema = z.object({
  decisionId: z.string(),
  createdAt: z.string(),
  mode: z.enum(DRY_RUN_MODES),
  from: z.object({ action: z.enum(ACTIONS), score: z.number() }),
  to: z.object({ action: z.enum(ACTIONS), score: z.number() }),
  replayed: z.object({ action: z.enum(ACTIONS), score: z.number() }).optional(),
  note: localizedText.optional(),
});
const dryRunReportSchema = z
  .object({
    channel: z.string(),
    checked: z.number().int(),
    changed: z.number().int(),
    transitions: z.record(z.string(), z.number().int()),
    actions: z
      .object({
        before: z.partialRecord(z.enum(ACTIONS), z.number().int()),
        after: z.partialRecord(z.enum(ACTIONS), z.number().int()),
      })
      .describe(
        '試したすべての判定の件数（記録された判定と下書きでの判定）/ every decision checked, by action: as recorded and under the draft',
      ),
    changes: z.array(dryRunChangeSchema).readonly(),
    mode: z.enum(['rescore', 'reevaluate', 'rescore_only', 'mixed']),
    modes: z.object({
      rescored: z.number().int(),
      reevaluated: z.number().int(),
      rescored_only: z.number().int(),
    }),
    reevaluate: z.array(z.string()).readonly(),
    rescoredOnly: z.object({
      count: z.number().int(),
      note: localizedText.optional(),
      decisionIds: z.array(z.string()).readonly(),
    }),
    incomplete: z.number().int(),
    drifted: z.number().int(),
    summary: localizedText,
  })
  .meta({ id: 'PolicyDryRun' });

/** The stored view, with the channel as the route names it. */
function view(v: PolicyView) {
  return {
    channel: v.channel,
    version: v.version,
    document: { ...v.document },
    effective: v.effective as Record<string, unknown>,
    fromDefault: v.fromDefault,
    createdBy: v.createdBy,
    createdAt: v.createdAt,
    ...(v.comment ? { comment: v.comment } : {}),
  };
}

const policySchemaAnswer = z
  .object({
    channel: z.string(),
    document: documentSchema.describe(
      'ポリシー文書の JSON Schema（入力として）/ the JSON Schema (2020-12) of a policy document, as input',
    ),
    signals: z.array(channelSignalSchema).readonly(),
    actions: z.array(z.enum(ACTIONS)).readonly(),
    caseActions: z.array(z.enum(CASE_ACTIONS)).readonly(),
    defaults: documentSchema.describe(
      'チャネルの既定ポリシー（版 0 の effective）/ the channel default policy (the effective of version 0)',
    ),
  })
  .meta({ id: 'PolicySchema' });

/** The JSON Schema of a policy document as input: the same for every channel, made once. */
let documentJsonSchema: Record<string, unknown> | undefined;

/** Policies as versioned data: read, put a new version, list versions, dry-run a draft, roll back. */
export async function policyRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  app.get(
    '/v1/policies/:channel/schema',
    {
      schema: {
        tags: ['policies'],
        summary:
          'ポリシーの書き方（スキーマ・シグナル・既定）/ What a policy may say: schema, signals, defaults',
        description:
          'ポリシー文書の JSON Schema、チャネルのシグナル（/v1/channels と同じ）、判定の種類、既定ポリシー。 / ' +
          'The JSON Schema of a policy document (as input), the channel’s signals (as GET /v1/channels lists them), the actions, the actions that open a case, and the channel default policy.',
        params: channelParams,
        response: { 200: policySchemaAnswer, ...errorResponses },
      },
    },
    async (request) => {
      actorOf(request, 'policies:read');
      const channel = mamoru.channel(request.params.channel);
      documentJsonSchema ??= z.toJSONSchema(policyDocumentSchema, {
        io: 'input',
        unrepresentable: 'any',
      }) as Record<string, unknown>;
      return {
        channel: channel.name,
        document: documentJsonSchema,
        signals: channelSignals(channel),
        actions: [...ACTIONS],
        caseActions: [...CASE_ACTIONS],
        defaults: mamoru.policies.default(channel.name) as Record<string, unknown>,
      };
    },
  );
  app.post(
    '/v1/policies/:channel/rollback',
    {
      schema: {
        tags: ['policies'],
        summary: '以前の版に戻す / Roll back to an earlier version',
        description:
          '指定した版の文書を新しい版として保存します（0 はチャネルの既定に戻す）。履歴には誰がいつ戻したかが残ります。 / ' +
          'Stores a NEW version whose document is that version’s (0: back to the channel default, the empty layer); the history says who rolled back and when. The comment defaults to “rollback to vN”. 404 naming body.version when there is no such version. Needs policies:write.',
        params: channelParams,
        body: z
          .object({
            version: z.number().int().min(0).max(1_000_000),
            comment: textField('text', 2000, { min: 0 }).optional(),
          })
          .meta({ examples: [{ version: 0, comment: '既定のポリシーに戻す' }] }),
        response: { 200: policyVersionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'policies:write');
      const { version, comment } = request.body;
      return view(await mamoru.policies.rollback(actor, request.params.channel, version, comment));
    },
  );
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
      return view(await mamoru.policies.show(actor.orgId, request.params.channel));
    },
  );
  app.get(
    '/v1/policies/:channel/versions',
    {
      schema: {
        tags: ['policies'],
        summary: 'ポリシーの履歴（誰がいつ何を変えたか）/ Version history: who changed what, when',
        params: channelParams,
        querystring: pageQuery({ max: 500, fallback: 100 }),
        response: { 200: pageSchema(policyVersionSchema), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'policies:read');
      const versions = await mamoru.policies.history(actor.orgId, request.params.channel);
      return pageFrom(versions.map(view), (v) => String(v.version), request.query);
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
      const v = await mamoru.policies.version(actor.orgId, channel, version);
      if (!v) throw notFound(`policy ${channel} version ${version}`);
      return view(v);
    },
  );
  app.put(
    '/v1/policies/:channel',
    {
      schema: {
        tags: ['policies'],
        summary: '新しい版を保存 / Store a new version',
        description:
          '既定ポリシーとの差分だけを書きます（null で既定を外す）。GET の応答はそのまま受け付けます。 / ' +
          "Give only what differs from the channel default (null removes a default); GET's answer is accepted as it is.",
        params: channelParams,
        body: draftBody,
        response: { 200: policyVersionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { comment, ...given } = request.body;
      return view(await mamoru.policies.put(actor, request.params.channel, given, comment));
    },
  );
  app.post(
    '/v1/policies/:channel/dry-run',
    {
      schema: {
        tags: ['policies'],
        summary: '下書きを直近の判定で試す / Dry-run a draft against recent decisions',
        params: channelParams,
        body: draftBody
          .omit({ comment: true })
          .extend({
            limit: z
              .number()
              .int()
              .min(1)
              .max(100_000)
              .default(1000)
              .describe('How many recent decisions to try'),
          })
          .meta({ examples: [{ document: SETTINGS_ONLY, limit: 1000 }] }),
        response: {
          200: dryRunReportSchema,
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { limit, ...draft } = request.body;
      return mamoru.policies.dryRun(actor, request.params.channel, draft, limit);
    },
  );
}
