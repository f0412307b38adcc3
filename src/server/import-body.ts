import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MamoruError } from '../core/index.ts';

/**
 * The body of a bulk-import route (indicators, contract lines): CSV with a
 * header row or JSON lines, as text, up to 64 MiB. The parsers (and their
 * larger limit) are registered only in the import route's own scope, so no
 * other route accepts these media types.
 */
const IMPORT_TYPES = {
  'text/csv': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
} as const;

/**
 * A bulk import is far larger than a screening request; a full load of
 * millions of rows goes through the CLI (`mamoru intel import`,
 * `mamoru contract import-lines`).
 */
export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

/** What an import answers: counts, and every rejected line with its number, field and reason. */
export const importResultSchema = z.object({
  processed: z.number().int(),
  imported: z.number().int(),
  updated: z.number().int(),
  rejected: z.number().int(),
  rejections: z
    .array(z.object({ line: z.number().int(), field: z.string(), message: z.string() }))
    .readonly(),
});

/** Accept CSV and JSON-lines bodies as text in this (route) scope. */
export function acceptImportBodies(scope: FastifyInstance): void {
  for (const type of Object.keys(IMPORT_TYPES)) {
    scope.addContentTypeParser(
      type,
      { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT },
      (_req, body, done) => done(null, body),
    );
  }
}

/**
 * The import's text and format from the request's media type.
 *
 * @throws MamoruError `unsupported_media_type` (415) for any other media type.
 */
export function importBody(request: FastifyRequest): { text: string; format: 'csv' | 'jsonl' } {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const format = Object.hasOwn(IMPORT_TYPES, type)
    ? IMPORT_TYPES[type as keyof typeof IMPORT_TYPES]
    : undefined;
  if (!format || typeof request.body !== 'string') {
    throw new MamoruError('unsupported_media_type', 'send text/csv or application/x-ndjson');
  }
  return { text: request.body, format };
}
