import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isPermission, type Permission } from '../../cases/roles.ts';
import {
  type AnyChannel,
  isMamoruError,
  type JsonOperation,
  MamoruError,
  matchOperation,
  type OperationContext,
  operationIssues,
  operationMethod,
  parseInput,
  pathParams,
  type QueryOperation,
  type RecordsOperation,
} from '../../core/index.ts';
import { japaneseOf } from '../../core/messages-ja.ts';
import { ImportReports } from '../../intel/import-reports.ts';
import type { Mamoru } from '../../mamoru.ts';
import {
  acceptImportBodies,
  IMPORT_BODY_LIMIT,
  importAnswer,
  importBody,
  importResultSchema,
} from '../import-body.ts';
import { type App, actorOf } from '../route-kit.ts';
import { errorResponses } from '../schemas.ts';

/**
 * Every registered channel's operations as routes (issue 8, item 2):
 * `<method> /v1/<channel>/<path>`, with the operation's permission, its zod
 * input validated (each field at fault named under `body.` or `query.`), RFC
 * 9457 problems, 201 or 200 as the operation says, and its OpenAPI entry
 * (tagged with the channel, with its examples and, for a records input, its
 * media types). A records operation reads CSV or JSON lines streamed (up to
 * 256 MiB) and keeps its import report, as `POST /v1/indicators/import` does.
 *
 * @throws Error when a channel declares a malformed operation (a programming error, found at start).
 */
export async function operationRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  for (const channel of mamoru.channels()) {
    const operations = channel.operations ?? [];
    const issues = operationIssues(channel.name, operations);
    for (const op of operations) {
      if (!isPermission(op.permission))
        issues.push(`${channel.name}.${op.name}: unknown permission ${op.permission}`);
    }
    if (issues.length > 0) throw new Error(`channel ${channel.name}: ${issues.join('; ')}`);
    for (const op of operations) {
      await matchOperation<void | Promise<void>>(op, {
        json: (json) => valueRoute(app, channel, json),
        query: (query) => valueRoute(app, channel, query),
        records: (records) => recordsRoute(app, mamoru, channel, records),
      });
    }
  }
}

/** A route on a JSON body or a query: validated, run, answered with the operation's status. */
function valueRoute(app: App, channel: AnyChannel, op: JsonOperation | QueryOperation): void {
  const where = op.input.kind === 'json' ? 'body' : 'query';
  const schema = op.input.schema;
  const examples = op.input.kind === 'json' ? op.input.examples : undefined;
  app.route({
    method: operationMethod(op),
    url: urlOf(channel, op),
    // Validated again on failure, so that each field at fault (an unknown key too) is named.
    attachValidation: true,
    schema: {
      tags: [channel.name],
      summary: `${op.summary.ja} / ${op.summary.en}`,
      ...(op.description ? { description: `${op.description.ja}\n\n${op.description.en}` } : {}),
      ...paramsOf(op),
      // `x-examples`: zod leaves `examples` out of the input schema of a schema that transforms.
      ...(where === 'body'
        ? { body: examples ? schema.meta({ 'x-examples': examples }) : schema }
        : { querystring: schema }),
      response: { ...successOf(op, op.output), ...errorResponses },
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const ctx = contextOf(request, reply, op.permission as Permission);
      const given = where === 'body' ? request.body : request.query;
      try {
        const failed = request.validationError as (Error & { validationContext?: string }) | undefined;
        if (failed && failed.validationContext !== (where === 'body' ? 'body' : 'querystring')) throw failed;
        const output = await op.run(failed ? parseInput(schema, given) : given, ctx);
        return reply.code(op.status?.(output) ?? 200).send(output);
      } catch (error) {
        throw under(error, where);
      }
    },
  });
}

/** A records route: the body streamed from CSV or JSON lines, with its import report. */
async function recordsRoute(
  app: App,
  mamoru: Mamoru,
  channel: AnyChannel,
  op: RecordsOperation,
): Promise<void> {
  const mib = IMPORT_BODY_LIMIT / (1024 * 1024);
  const { formats } = op.input;
  // The CSV and JSON-lines parsers (streams, up to IMPORT_BODY_LIMIT) exist only in the import route's scope.
  await app.register(async (scoped) => {
    acceptImportBodies(scoped);
    scoped.withTypeProvider<ZodTypeProvider>().route({
      method: 'POST',
      url: urlOf(channel, op),
      schema: {
        tags: [channel.name],
        summary: `${op.summary.ja} / ${op.summary.en}`,
        description:
          `${op.description ? `${op.description.ja}\n\n` : ''}Content-Type: text/csv または application/x-ndjson（${mib} MiB まで、ストリームで読みます）。件数と最初の 1,000 件の拒否行（行番号・項目・理由）を返し、全件は GET /v1/imports/{id}/rejections で読めます。\n\n` +
          `${op.description ? `${op.description.en} ` : ''}Streamed (up to ${mib} MiB). Answers the counts and the first 1,000 rejected lines with their line number, field and reason; every rejected line is at GET /v1/imports/{id}/rejections. Nothing is dropped silently.`,
        ...paramsOf(op),
        // Documentation only: the stream itself is read by `importBody`.
        body: z.unknown().meta({
          content: {
            'text/csv': {
              schema: {
                type: 'string',
                description: formats.csv.description,
                examples: [formats.csv.example],
              },
            },
            'application/x-ndjson': {
              schema: {
                type: 'string',
                description: formats.jsonl.description,
                examples: [formats.jsonl.example],
              },
            },
          },
        }),
        response: { 200: importResultSchema, ...errorResponses },
      },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const ctx = contextOf(request, reply, op.permission as Permission);
        const { input, format } = importBody(request);
        const reports = new ImportReports(mamoru.store.db);
        const result = await reports.run(
          { orgId: ctx.actor.orgId, kind: op.input.importKind, actor: ctx.actor.id },
          (report) =>
            op.run(
              { format, bytes: input.bytes },
              { ...ctx, rejections: report, onProgress: report.onProgress },
            ),
        );
        return importAnswer(result);
      },
    });
  });
}

/** `/v1/<channel>/<path>`: Fastify reads `:name` segments as path parameters, as the operation writes them. */
function urlOf(channel: AnyChannel, op: { readonly path: string }): string {
  return `/v1/${channel.name}/${op.path}`;
}

/** The path parameters' schema: each an id of 1 to 200 characters. */
function paramsOf(op: { readonly path: string }): { params?: z.ZodType } {
  const names = pathParams(op.path);
  if (names.length === 0) return {};
  return { params: z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1).max(200)]))) };
}

/** The success answers of the OpenAPI entry: 200, and 201 when the operation may create. */
function successOf(op: { readonly status?: unknown }, output: z.ZodType): Record<number, z.ZodType> {
  return op.status ? { 200: output, 201: output } : { 200: output };
}

/** The caller (with the operation's permission, or a 403), the path's parameters, and an abort on hang-up. */
function contextOf(request: FastifyRequest, reply: FastifyReply, permission: Permission): OperationContext {
  const actor = actorOf(request, permission);
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return {
    actor: { id: actor.id, orgId: actor.orgId, role: actor.role, origin: actor.origin },
    params: (request.params ?? {}) as Readonly<Record<string, string>>,
    signal: controller.signal,
  };
}

/**
 * Field issues of the input are named where the input is (`body.holder.name`,
 * `query.limit`), as the schema's own are; paths already placed are kept.
 */
function under(error: unknown, where: 'body' | 'query'): unknown {
  if (!isMamoruError(error) || error.code !== 'validation_failed' || error.issues.length === 0) return error;
  const placed = /^(body|query|params|content-type)(\.|$)/;
  const issues = error.issues.map((i) =>
    placed.test(i.path)
      ? i
      : { path: i.path === '(body)' ? where : `${where}.${i.path}`, message: i.message, ja: japaneseOf(i) },
  );
  return new MamoruError(error.code, issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
    issues,
    cause: error,
  });
}
