import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SALES_CHANNELS, SIM_TYPES } from '../../channels/contract/contract-schema.ts';
import { contractStoreOf } from '../../channels/contract/contract-store.ts';
import { importLines } from '../../channels/contract/lines-import.ts';
import { LINE_STATUSES, lineEventSchema } from '../../channels/contract/lines-schema.ts';
import { isMamoruError, MamoruError, parseInput } from '../../core/index.ts';
import { ImportReports } from '../../intel/import-reports.ts';
import type { Mamoru } from '../../mamoru.ts';
import { acceptImportBodies, importAnswer, importBody, importResultSchema } from '../import-body.ts';
import { type App, actorOf } from '../route-kit.ts';
import { errorResponses } from '../schemas.ts';

/**
 * Loading lines changes what every later screening counts (P2: line caps), so
 * it takes its own permission, `lines:write`: admin, analyst and system keys
 * (the carrier's provisioning); never a shop or agency key, nor HQ reviewers.
 */
const LINES_PERMISSION = 'lines:write';

/**
 * The lines import's request body in the OpenAPI document: one example per media type.
 * Documentation only: the stream itself is read by `importBody`.
 */
const LINE_IMPORT_BODY = {
  'text/csv': {
    schema: {
      type: 'string',
      description:
        'CSV: a header row (line_id and sim_type required), then one line per record (docs/contract.md)',
      examples: [
        'line_id,name,birth_date,address,sim_type,status,contracted_at,cancelled_at\n' +
          '+819012345678,山田 太郎,1985-04-12,東京都新宿区西新宿2-8-1,voice,active,2025-04-01,\n' +
          '+819087654321,山田 太郎,1985-04-12,東京都新宿区西新宿2-8-1,data_sms,cancelled,2025-04-01,2025-10-01\n',
      ],
    },
  },
  'application/x-ndjson': {
    schema: {
      type: 'string',
      description: 'JSON lines: one line event per line, the fields of POST /v1/contract/lines',
      examples: [
        '{"lineId":"+819012345678","holder":{"name":"山田 太郎","birthDate":"1985-04-12","address":"東京都新宿区西新宿2-8-1"},"simType":"voice","status":"active","contractedAt":"2025-04-01"}\n' +
          '{"lineId":"+819011112222","holderType":"corporation","corporateNumber":"7123456789012","simType":"data","status":"active"}\n',
      ],
    },
  },
};

const storedLineSchema = z.object({
  lineId: z.string(),
  holderKey: z.string(),
  simType: z.enum(SIM_TYPES),
  status: z.enum(LINE_STATUSES),
  contractedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  salesChannel: z.enum(SALES_CHANNELS).nullable(),
  outlet: z.string().nullable(),
  registeredUserKey: z.string().nullable(),
});

/**
 * The contract channel's lines (measure P2: counts of lines held stay true):
 * `POST /v1/contract/lines` records one line event (an activation, a
 * suspension, a cancellation) and `POST /v1/contract/lines/import` loads
 * many from CSV or JSON lines. Identities are hashed on arrival; the raw
 * attributes are never stored or returned.
 */
export async function contractRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  const lines = () => contractStoreOf(mamoru.channel('contract')).lines;

  app.post(
    '/v1/contract/lines',
    {
      attachValidation: true,
      schema: {
        tags: ['contract'],
        summary: '回線の開通・停止・解約を記録 / Record a line activation, suspension or cancellation',
        // `x-examples`: zod leaves `examples` out of the input schema of a schema that transforms.
        body: lineEventSchema.meta({
          'x-examples': {
            activation: {
              summary: '開通 / an activation',
              value: {
                lineId: '+819012345678',
                holder: { name: '山田 太郎', birthDate: '1985-04-12', address: '東京都新宿区西新宿2-8-1' },
                simType: 'voice',
                status: 'active',
                contractedAt: '2025-04-01',
                salesChannel: 'shop',
                outlet: 'shop:shop-shinjuku-01',
              },
            },
          },
        }),
        response: {
          200: z.object({ line: storedLineSchema, created: z.literal(false) }),
          201: z.object({ line: storedLineSchema, created: z.literal(true) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request, LINES_PERMISSION);
      try {
        // Validated again on failure, so that each field at fault (an unknown key too) is named.
        if (request.validationError) parseInput(lineEventSchema, request.body);
        const result = await lines().record(actor.orgId, request.body, { validated: true });
        return reply.code(result.created ? 201 : 200).send(result);
      } catch (error) {
        throw inBody(error);
      }
    },
  );

  // The CSV and JSON-lines parsers (streams, up to IMPORT_BODY_LIMIT) exist only for the import route.
  await app.register(async (scoped) => {
    acceptImportBodies(scoped);
    scoped.withTypeProvider<ZodTypeProvider>().post(
      '/v1/contract/lines/import',
      {
        schema: {
          tags: ['contract'],
          summary:
            '回線の一括取り込み（CSV・JSON Lines）/ Bulk-load lines (CSV with a header row, or JSON lines)',
          description:
            'Content-Type: text/csv または application/x-ndjson（256 MiB まで、ストリームで読みます）。回線 ID ごとに上書きします。件数と最初の 1,000 件の拒否行（行番号・項目・理由）を返し、全件は GET /v1/imports/{id}/rejections で読めます。\n\nStreamed (up to 256 MiB); upserted by line id. Answers the counts and the first 1,000 rejected lines with their line number, field and reason; every rejected line is at GET /v1/imports/{id}/rejections. Nothing is dropped silently.',
          body: z.unknown().meta({ content: LINE_IMPORT_BODY }),
          response: { 200: importResultSchema, ...errorResponses },
        },
      },
      async (request) => {
        const actor = actorOf(request, LINES_PERMISSION);
        const { input, format } = importBody(request);
        const reports = new ImportReports(mamoru.store.db);
        const result = await reports.run({ orgId: actor.orgId, kind: 'lines', actor: actor.id }, (report) =>
          importLines(lines(), actor.orgId, input, {
            format,
            rejections: report,
            onProgress: report.onProgress,
          }),
        );
        return importAnswer(result);
      },
    );
  });
}

/** Field issues raised after validation (an identity that cannot be keyed) are named under `body`, as the schema's are. */
function inBody(error: unknown): unknown {
  if (!isMamoruError(error) || error.code !== 'validation_failed') return error;
  const issues = error.issues.map((i) => ({ ...i, path: `body.${i.path}` }));
  return new MamoruError(error.code, issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
    issues,
    cause: error,
  });
}
