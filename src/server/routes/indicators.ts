import { Readable } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { INDICATOR_TYPES, INDICATOR_VERDICTS, SHARING_SCOPES } from '../../core/index.ts';
import { importIndicators } from '../../intel/import-indicators.ts';
import { ImportReports } from '../../intel/import-reports.ts';
import { EXPORT_FORMATS, exportIndicators } from '../../intel/indicator-export.ts';
import {
  indicatorInputSchema,
  indicatorLookupSchema,
  indicatorPatchSchema,
  indicatorQuerySchema,
  indicatorSchema,
  indicatorVerdictSchema,
  sharingScopeSchema,
} from '../../intel/indicator-schemas.ts';
import type { Mamoru } from '../../mamoru.ts';
import { acceptImportBodies, importAnswer, importBody, importResultSchema } from '../import-body.ts';
import { type App, actorOf } from '../route-kit.ts';
import { errorResponses, idParams } from '../schemas.ts';

/**
 * The indicator import's request body in the OpenAPI document: one example per media type (the
 * files of docs/intel.md, shortened). Documentation only: the stream itself is read by `importBody`.
 */
const INDICATOR_IMPORT_BODY = {
  'text/csv': {
    schema: {
      type: 'string',
      description:
        'CSV: a header row (type and value required), then one indicator per record; tags separated by ;',
      examples: [
        'type,value,verdict,confidence,source,scope,tags\n' +
          'url,https://amazon-co-jp.account-verify.example/login,malicious,95,jpcert-feed,partners,phishing;amazon\n' +
          'domain,account-verify.example,malicious,90,jpcert-feed,partners,phishing\n' +
          'phone,090-1234-5678,suspicious,70,analyst,org,smishing\n',
      ],
    },
  },
  'application/x-ndjson': {
    schema: {
      type: 'string',
      description: 'JSON lines: one indicator object per line, the fields of POST /v1/indicators',
      examples: [
        '{"type":"url","value":"https://amazon-co-jp.account-verify.example/login","confidence":95,"tags":["phishing"]}\n' +
          '{"type":"identity","value":{"name":"山田 太郎","birthdate":"1980-01-02","address":"東京都新宿区西新宿2-8-1"},"source":"case"}\n' +
          '{"type":"bank_account","value":"0001-123 普通 12345","verdict":"malicious","expiresAt":"2027-01-01T00:00:00+09:00"}\n',
      ],
    },
  },
};

const matchSchema = z.object({
  id: z.string(),
  type: z.enum(INDICATOR_TYPES),
  value: z.string(),
  verdict: z.enum(INDICATOR_VERDICTS),
  confidence: z.number(),
  source: z.string(),
  scope: z.enum(SHARING_SCOPES),
  orgId: z.string(),
});

/**
 * Indicators: CRUD, lookup (own, partners' and public) and bulk import (CSV,
 * JSON lines). A `public` indicator reaches every organisation's screening,
 * so only the operator organisation may publish one.
 */
export async function indicatorRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  const refusePublic = (orgId: string, scope: string | undefined, path: string) =>
    mamoru.assertMayPublish(orgId, scope, path);

  app.get(
    '/v1/indicators',
    {
      schema: {
        tags: ['indicators'],
        summary: '指標の一覧 / List indicators',
        querystring: indicatorQuerySchema,
        response: {
          200: z.object({ items: z.array(indicatorSchema).readonly(), nextCursor: z.string().nullable() }),
          ...errorResponses,
        },
      },
    },
    async (request) => mamoru.intel.list(actorOf(request, 'indicators:read').orgId, request.query),
  );
  app.get(
    '/v1/indicators/export',
    {
      schema: {
        tags: ['indicators'],
        summary: '指標の書き出し（CSV・JSON Lines）/ Export indicators (CSV or JSON lines)',
        description:
          '組織の指標のうち条件に合うものすべてを、取り込み（POST /v1/indicators/import）がそのまま読める形でストリームで返します。機微な種類の値は鍵付きハッシュ（hashed）のままです。 / ' +
          'Every indicator of the organisation that matches the filters, streamed (newest first), in the form the import (POST /v1/indicators/import) reads back: CSV with a header row of the import’s columns, or JSON lines of POST /v1/indicators bodies. Values are the stored ones: normalised, keyed hashes for bank_account, card and identity (`hashed`). Needs indicators:read.',
        querystring: indicatorQuerySchema.omit({ limit: true, cursor: true }).extend({
          format: z.enum(EXPORT_FORMATS).default('jsonl').describe('jsonl (default) or csv'),
        }),
        response: {
          200: z.unknown().meta({
            description: 'The indicators, as an attachment (indicators-<date>.jsonl or .csv)',
            content: {
              'application/x-ndjson': {
                schema: { type: 'string', description: 'one POST /v1/indicators body per line' },
              },
              'text/csv': {
                schema: {
                  type: 'string',
                  description:
                    'a header row (type,value,verdict,confidence,source,scope,expires_at,tags,description,hashed,first_seen,last_seen), then one indicator per record; tags separated by ;',
                },
              },
            },
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request, 'indicators:read');
      const { format, ...filter } = request.query;
      const date = new Date().toISOString().slice(0, 10);
      const lines = await exportIndicators((q) => mamoru.intel.list(actor.orgId, q), filter, format);
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="indicators-${date}.${format}"`)
        .send(Readable.from(lines));
    },
  );
  app.post(
    '/v1/indicators',
    {
      schema: {
        tags: ['indicators'],
        summary: '指標を登録（既知なら更新）/ Create or refresh an indicator',
        body: indicatorInputSchema,
        response: { 200: indicatorSchema, 201: indicatorSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request, 'indicators:write');
      await refusePublic(actor.orgId, request.body.scope, 'body.scope');
      const { indicator, created } = await mamoru.intel.upsert(actor.orgId, request.body);
      return reply.code(created ? 201 : 200).send(indicator);
    },
  );
  app.post(
    '/v1/indicators/lookup',
    {
      schema: {
        tags: ['indicators'],
        summary: '値を照会（自組織・提携先・公開）/ Look up a value: own, partners’ and public indicators',
        body: indicatorLookupSchema,
        response: { 200: z.object({ matches: z.array(matchSchema).readonly() }), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'indicators:read');
      const { type, value, hashed } = request.body;
      return { matches: await mamoru.intel.lookupRaw(actor.orgId, type, value, hashed ? { hashed } : {}) };
    },
  );
  // The CSV and JSON-lines parsers (streams, up to IMPORT_BODY_LIMIT) exist only for the import route.
  await app.register(async (scoped) => {
    acceptImportBodies(scoped);
    scoped.withTypeProvider<ZodTypeProvider>().post(
      '/v1/indicators/import',
      {
        schema: {
          tags: ['indicators'],
          summary: '一括取り込み（CSV・JSON Lines）/ Bulk import (CSV with a header row, or JSON lines)',
          description:
            'Content-Type: text/csv または application/x-ndjson（256 MiB まで、ストリームで読みます）。件数と最初の 1,000 件の拒否行（行番号・項目・理由）を返し、全件は GET /v1/imports/{id}/rejections で読めます。\n\nStreamed (up to 256 MiB). Answers the counts and the first 1,000 rejected lines with their line number, field and reason; every rejected line is at GET /v1/imports/{id}/rejections. Nothing is dropped silently.',
          body: z.unknown().meta({ content: INDICATOR_IMPORT_BODY }),
          querystring: z.object({
            source: z.string().min(1).max(200).optional(),
            scope: sharingScopeSchema.optional(),
            verdict: indicatorVerdictSchema.optional(),
          }),
          response: {
            200: importResultSchema,
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const actor = actorOf(request, 'indicators:write');
        const { input, format } = importBody(request);
        const { source, scope, verdict } = request.query;
        const target = await mamoru.importTarget(actor.orgId, scope, 'query.scope');
        const reports = new ImportReports(mamoru.store.db);
        const result = await reports.run(
          { orgId: actor.orgId, kind: 'indicators', actor: actor.id },
          (report) =>
            importIndicators(target, actor.orgId, input, {
              format,
              defaults: {
                ...(source ? { source } : {}),
                ...(scope ? { scope } : {}),
                ...(verdict ? { verdict } : {}),
              },
              rejections: report,
              onProgress: report.onProgress,
            }),
        );
        return importAnswer(result);
      },
    );
  });
  app.get(
    '/v1/indicators/:id',
    {
      schema: {
        tags: ['indicators'],
        summary: '指標を取得 / Get an indicator',
        params: idParams,
        response: { 200: indicatorSchema, ...errorResponses },
      },
    },
    async (request) => mamoru.intel.get(actorOf(request, 'indicators:read').orgId, request.params.id),
  );
  app.patch(
    '/v1/indicators/:id',
    {
      schema: {
        tags: ['indicators'],
        summary: '指標を更新 / Update an indicator',
        params: idParams,
        body: indicatorPatchSchema,
        response: { 200: indicatorSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'indicators:write');
      await refusePublic(actor.orgId, request.body.scope, 'body.scope');
      return mamoru.intel.update(actor.orgId, request.params.id, request.body);
    },
  );
  app.delete(
    '/v1/indicators/:id',
    {
      schema: {
        tags: ['indicators'],
        summary: '指標を削除 / Delete an indicator',
        params: idParams,
        response: { 204: z.undefined(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await mamoru.intel.delete(actorOf(request, 'indicators:write').orgId, request.params.id);
      return reply.code(204).send();
    },
  );
}
