import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MamoruError } from '../core/index.ts';
import type { ByteInput } from '../intel/bulk-import.ts';
import type { ReportedImport } from '../intel/import-reports.ts';

/**
 * The body of a bulk-import route (indicators, a channel's records operation): CSV with a
 * header row or JSON lines, streamed. The parsers are registered only in the
 * import route's own scope, so no other route accepts these media types, and
 * they hand the route the request stream itself: the import reads it only
 * as fast as rows are written, so memory stays bounded whatever the size.
 */
const IMPORT_TYPES = {
  'text/csv': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
} as const;

/**
 * Largest import body: 256 MiB (some millions of rows). The body is
 * streamed, so the limit bounds an import's duration, not its memory. A body
 * that says it is larger (`Content-Length`) is refused before anything is
 * written; a chunked body that grows past it stops there with a 413, the
 * lines before it imported (upserts: the same file split and sent again
 * converges).
 */
export const IMPORT_BODY_LIMIT = 256 * 1024 * 1024;

/** Rejections are read in full at `GET /v1/imports/{id}/rejections`. */
export const rejectionsUrl = (importId: string) => `/v1/imports/${importId}/rejections`;

/** What an import answers: counts, the first 1,000 rejected lines, and where the full report is. */
export const importResultSchema = z.object({
  importId: z.string().describe('取り込み ID / Import id: GET /v1/imports/{id}'),
  processed: z.number().int(),
  imported: z.number().int(),
  updated: z.number().int(),
  rejected: z.number().int(),
  rejections: z
    .array(z.object({ line: z.number().int(), field: z.string(), message: z.string() }))
    .readonly()
    .describe(
      '最初の 1,000 件の拒否行（全件は rejectionsUrl）/ The first 1,000 rejected lines; every one at rejectionsUrl',
    ),
  rejectionsUrl: z.string().describe('拒否行の全件 / Every rejected line, page by page or as NDJSON'),
});

/** The answer of an import route. */
export function importAnswer(result: ReportedImport): z.infer<typeof importResultSchema> {
  return { ...result, rejectionsUrl: rejectionsUrl(result.importId) };
}

/** Accept CSV and JSON-lines bodies as streams in this (route) scope. */
export function acceptImportBodies(scope: FastifyInstance): void {
  for (const type of Object.keys(IMPORT_TYPES)) {
    scope.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }
}

/**
 * The import's byte stream and format from the request's media type.
 *
 * @throws MamoruError `unsupported_media_type` (415) for any other media type;
 *   `payload_too_large` (413) when `Content-Length` is over `limit` — and,
 *   from the stream, as soon as a chunked body grows past it.
 */
export function importBody(
  request: FastifyRequest,
  limit = IMPORT_BODY_LIMIT,
): { input: ByteInput; format: 'csv' | 'jsonl' } {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const format = Object.hasOwn(IMPORT_TYPES, type)
    ? IMPORT_TYPES[type as keyof typeof IMPORT_TYPES]
    : undefined;
  const body = request.body as Readable | undefined;
  if (!format || !body || typeof body.iterator !== 'function') {
    throw new MamoruError('unsupported_media_type', 'send text/csv or application/x-ndjson', {
      issues: [{ path: 'content-type', message: 'send text/csv or application/x-ndjson' }],
    });
  }
  const charset = charsetOf(request.headers['content-type'] ?? '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii') {
    const message = `charset=${charset} is not read: send UTF-8 (save the file as UTF-8)`;
    throw new MamoruError(
      'unsupported_media_type',
      `UTF-8 で送ってください（${charset} は読めません） / ${message}`,
      { issues: [{ path: 'content-type', message }] },
    );
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  // Not destroyed when the import stops early (a bad header, a 413): the answer still goes out.
  return { input: { bytes: limitBytes(body.iterator({ destroyOnReturn: false }), limit) }, format };
}

/**
 * The `charset` parameter of a media type, lower-cased and unquoted, if any.
 * An import is read as UTF-8 only: one declared in another charset
 * (Shift_JIS, Excel's default in Japan) is refused, never read garbled
 * (found by H8).
 */
function charsetOf(contentType: string): string | undefined {
  for (const param of contentType.split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq !== -1 && param.slice(0, eq).trim().toLowerCase() === 'charset')
      return param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase()
        .slice(0, 40);
  }
  return undefined;
}

/**
 * The chunks of `bytes` while they total at most `limit` bytes.
 *
 * @throws MamoruError `payload_too_large` at the chunk that goes past it.
 */
export async function* limitBytes(
  bytes: AsyncIterable<Uint8Array | string>,
  limit: number,
): AsyncGenerator<Uint8Array | string> {
  let total = 0;
  for await (const chunk of bytes) {
    total += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (total > limit) throw tooLarge(limit);
    yield chunk;
  }
}

function tooLarge(limit: number): MamoruError {
  const mib = Math.floor(limit / (1024 * 1024));
  return new MamoruError(
    'payload_too_large',
    `取り込みは ${mib} MiB まで。ファイルを分けて送ってください / an import body is at most ${mib} MiB: split the file`,
    { issues: [{ path: 'body', message: `larger than ${mib} MiB` }] },
  );
}
