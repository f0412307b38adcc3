import type { FastifyError, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERROR_CODES, type ErrorCode, type FieldIssue, isMamoruError } from '../core/index.ts';
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
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
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
}

export function problem(
  code: ErrorCode,
  detail: string,
  options: { instance?: string; errors?: readonly FieldIssue[] } = {},
): Problem {
  const text = ERROR_CODES[code];
  return {
    type: `urn:mamoru:problem:${code}`,
    title: `${text.ja} (${text.en})`,
    status: STATUS[code],
    detail,
    ...(options.instance ? { instance: options.instance } : {}),
    code,
    ...(options.errors && options.errors.length > 0 ? { errors: options.errors } : {}),
  };
}

const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation_failed',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation_failed',
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
  if (isMamoruError(error)) return problem(error.code, error.message, { instance, errors: error.issues });
  if (isDataException(error)) {
    const message =
      'a value cannot be stored (a NUL or unpaired surrogate character, or a date or number out of range)';
    return problem('validation_failed', message, { instance, errors: [{ path: '(request)', message }] });
  }
  const e = error as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const where = e.validationContext ?? 'body';
    const errors = e.validation.map((v) => ({
      path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return problem('validation_failed', errors.map((i) => `${i.path}: ${i.message}`).join('; '), {
      instance,
      errors,
    });
  }
  if (e && typeof e.code === 'string' && FASTIFY_CODES[e.code]) {
    const code = FASTIFY_CODES[e.code] as ErrorCode;
    return problem(code, e.message, {
      instance,
      ...(code === 'validation_failed' ? { errors: [{ path: 'body', message: e.message }] } : {}),
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

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="mamoru"');
  return reply.code(p.status).type('application/problem+json').send(p);
}
