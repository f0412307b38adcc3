import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { ERROR_CODES, type ErrorCode, type FieldIssue, isMamoruError, MamoruError } from '../core/index.ts';
import { japaneseMessage, japaneseOf } from '../core/messages-ja.ts';
import { pgErrorCode } from '../store/pg-error-code.ts';

/** The one place error codes become HTTP statuses. */
export const STATUS = {
  validation_failed: 400,
  invalid_policy: 400,
  invalid_indicator: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  unknown_channel: 404,
  conflict: 409,
  request_timeout: 408,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  header_too_large: 431,
  internal: 500,
  not_ready: 503,
} as const satisfies Record<ErrorCode, number>;

/** RFC 9457 problem details, with Mamoru's `code` and the fields at fault. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code: ErrorCode;
  readonly errors?: readonly FieldIssue[];
  /** Seconds to wait before trying again (429); also sent as the `Retry-After` header. */
  readonly retryAfter?: number;
}

/**
 * A 429: the caller may try again after `retryAfter` seconds.
 *
 * @example throw new RateLimitedError('too many failed authentications from this address', 42);
 */
export class RateLimitedError extends MamoruError {
  readonly retryAfter: number;

  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message);
    this.retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

export function problem(
  code: ErrorCode,
  detail: string,
  options: { instance?: string; errors?: readonly FieldIssue[]; retryAfter?: number } = {},
): Problem {
  const text = ERROR_CODES[code];
  // Japanese first: every field issue in both languages, and a 400's detail in Japanese, then English.
  const errors = options.errors?.map((e) => (e.ja ? e : { ...e, ja: japaneseOf(e) }));
  const status = STATUS[code];
  const bilingual =
    status !== 400
      ? detail
      : errors && errors.length > 0
        ? `${errors.map((e) => `${e.path}: ${e.ja}`).join('; ')} / ${detail}`
        : `${text.ja} / ${detail}`;
  return {
    type: `urn:mamoru:problem:${code}`,
    title: `${text.ja} (${text.en})`,
    status,
    detail: bilingual,
    ...(options.instance ? { instance: options.instance } : {}),
    code,
    ...(errors && errors.length > 0 ? { errors } : {}),
    ...(options.retryAfter === undefined ? {} : { retryAfter: options.retryAfter }),
  };
}

const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_failed',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
  FST_ERR_BAD_URL: 'validation_failed',
};

/**
 * SQLSTATE class 22, "data exception": a value the database cannot hold
 * (a NUL character, an unpaired surrogate, a date outside its range, a number
 * too large). Every value in a query comes from the request, so this is bad
 * input, answered 400 — a safety net under the schemas, which should refuse
 * such values first.
 */
function isDataException(error: unknown): boolean {
  const code = pgErrorCode(error);
  return code?.startsWith('22') === true;
}

/** Map any error to a problem. Bad input is never a 500; only a real fault is. */
export function toProblem(error: unknown, instance: string): Problem {
  if (error instanceof RateLimitedError)
    return problem(error.code, error.message, { instance, retryAfter: error.retryAfter });
  if (isMamoruError(error)) return problem(error.code, error.message, { instance, errors: error.issues });
  if (isDataException(error)) {
    const message =
      'a value cannot be stored (a NUL or unpaired surrogate character, or a date or number out of range)';
    return problem('validation_failed', message, { instance, errors: [{ path: '(request)', message }] });
  }
  const e = error as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(e)) {
    // Fastify names the query string `querystring`; Mamoru's field paths (and its docs) say `query`.
    const where = e.validationContext === 'querystring' ? 'query' : (e.validationContext ?? 'body');
    const errors = e.validation.map((v) => {
      const message = v.message ?? 'invalid';
      // The zod issue, rebuilt from what the type provider kept of it, gives zod's Japanese message.
      const issue = { ...v.params, code: v.keyword, message, path: [] } as unknown as z.core.$ZodIssue;
      return {
        path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message,
        ja: japaneseMessage(message, issue),
      };
    });
    return problem('validation_failed', errors.map((i) => `${i.path}: ${i.message}`).join('; '), {
      instance,
      errors,
    });
  }
  if (e && typeof e.code === 'string' && FASTIFY_CODES[e.code]) {
    const code = FASTIFY_CODES[e.code] as ErrorCode;
    const path = e.code === 'FST_ERR_BAD_URL' ? 'path' : 'body';
    const message = code === 'uri_too_long' ? URI_TOO_LONG : e.message;
    return problem(code, message, {
      instance: instance.length > MAX_INSTANCE ? `${instance.slice(0, MAX_INSTANCE)}…` : instance,
      ...(code === 'validation_failed' ? { errors: [{ path, message: e.message }] } : {}),
      ...(code === 'uri_too_long' ? { errors: [{ path: 'path', message: URI_TOO_LONG }] } : {}),
      ...(code === 'unsupported_media_type'
        ? {
            errors: [
              {
                path: 'content-type',
                message: 'send application/json (imports: text/csv or application/x-ndjson)',
                ja: 'application/json で送ってください（取り込みは text/csv か application/x-ndjson）',
              },
            ],
          }
        : {}),
    });
  }
  if (e instanceof SyntaxError || (e?.statusCode === 400 && typeof e.message === 'string')) {
    return problem('validation_failed', e.message, {
      instance,
      errors: [{ path: 'body', message: e.message }],
    });
  }
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    const code: ErrorCode =
      e.statusCode === 404
        ? 'not_found'
        : e.statusCode === 413
          ? 'payload_too_large'
          : e.statusCode === 415
            ? 'unsupported_media_type'
            : 'validation_failed';
    return { ...problem(code, e.message, { instance }), status: e.statusCode };
  }
  return problem('internal', 'An internal error occurred; it has been logged', { instance });
}

/** Longest URL (path and query) answered; a longer one is a 414. */
export const MAX_URL_LENGTH = 8192;
/** Longest path segment (an id, a channel); a longer one is a 414 — no id is that long. */
export const MAX_PATH_PARAM = 200;
const URI_TOO_LONG = `パスの各部分は ${MAX_PATH_PARAM} 文字まで、URL 全体は ${MAX_URL_LENGTH} 文字までです / a path parameter may be at most ${MAX_PATH_PARAM} characters, the URL at most ${MAX_URL_LENGTH}`;
/** An over-long URL is not echoed back whole. */
const MAX_INSTANCE = 300;

/** The 414 for a URL longer than {@link MAX_URL_LENGTH}. */
export function uriTooLong(url: string): Problem {
  return problem('uri_too_long', URI_TOO_LONG, {
    instance: url.length > MAX_INSTANCE ? `${url.slice(0, MAX_INSTANCE)}…` : url,
    errors: [{ path: 'path', message: URI_TOO_LONG }],
  });
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="mamoru"');
  if (p.retryAfter !== undefined) reply.header('retry-after', String(p.retryAfter));
  return reply.code(p.status).type('application/problem+json').send(p);
}

/**
 * A problem written straight to a socket, for errors Node's HTTP parser meets
 * before Fastify sees a request (headers over `maxHeaderSize`, a malformed
 * request line): the connection is closed after it.
 */
export function rawProblemResponse(p: Problem): string {
  const body = JSON.stringify(p);
  return [
    `HTTP/1.1 ${p.status} ${STATUS_TEXT[p.status] ?? 'Error'}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the request
 * before any route saw it. Headers past `maxHeaderSize` (16 KiB by default)
 * are a 431, or a 414 when the request line alone is that long; a request
 * that took too long to arrive is a 408; anything else a 400 — each as
 * problem+json, after which the connection is closed.
 */
export function onClientError(failure: Error, socket: Socket): void {
  const error = failure as Error & { code?: string; rawPacket?: unknown };
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let p: Problem;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    p = requestLineTooLong(Buffer.isBuffer(error.rawPacket) ? error.rawPacket : undefined)
      ? uriTooLong('')
      : problem(
          'header_too_large',
          'リクエストヘッダーの合計は 16 KiB までです / the request headers may take at most 16 KiB in all',
          { errors: [{ path: 'headers', message: 'larger than 16 KiB in all' }] },
        );
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    p = problem('request_timeout', 'the request did not arrive in time');
  } else {
    p = problem('validation_failed', 'malformed HTTP request', {
      errors: [{ path: '(request)', message: error.code ?? 'malformed HTTP request' }],
    });
  }
  if (socket.writable) socket.end(rawProblemResponse(p));
  // The peer may still be sending what made the request too large: do not wait on it for long.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Whether the bytes the parser choked on start with a request line longer than {@link MAX_URL_LENGTH}. */
function requestLineTooLong(raw: Buffer | undefined): boolean {
  if (!raw || !/^[A-Z]+ /.test(raw.subarray(0, 16).toString('latin1'))) return false;
  const end = raw.indexOf('\r\n');
  return end === -1 || end > MAX_URL_LENGTH;
}
