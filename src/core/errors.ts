/**
 * The error catalogue: every error Mamoru raises on purpose has a stable `code`
 * listed here with its meaning in Japanese and English. Only the HTTP edge maps
 * codes to statuses (RFC 9457 problem details); `docs/errors.md` documents each
 * code and a test checks that none is missing.
 */
export const ERROR_CODES = {
  validation_failed: { ja: '入力が不正です', en: 'The input is not valid' },
  not_found: { ja: '見つかりません', en: 'Not found' },
  unauthenticated: { ja: '認証が必要です', en: 'Authentication is required' },
  forbidden: { ja: 'この操作の権限がありません', en: 'This role may not do this' },
  conflict: { ja: '現在の状態と矛盾します', en: 'Conflicts with the current state' },
  unknown_channel: { ja: '未知のチャネルです', en: 'Unknown channel' },
  invalid_policy: { ja: 'ポリシーが不正です', en: 'The policy is not valid' },
  invalid_indicator: { ja: '指標の値が不正です', en: 'The indicator value is not valid' },
  payload_too_large: { ja: '本文が大きすぎます', en: 'The body is too large' },
  uri_too_long: { ja: 'URL が長すぎます', en: 'The URL is too long' },
  header_too_large: { ja: 'ヘッダーが大きすぎます', en: 'The request headers are too large' },
  request_timeout: {
    ja: 'リクエストの受信が時間切れになりました',
    en: 'The request took too long to arrive',
  },
  unsupported_media_type: { ja: '未対応のメディアタイプです', en: 'Unsupported media type' },
  rate_limited: { ja: 'リクエストが多すぎます', en: 'Too many requests' },
  not_ready: { ja: '準備ができていません', en: 'Not ready' },
  internal: { ja: '内部エラー', en: 'Internal error' },
} as const satisfies Record<string, { ja: string; en: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem with one field of the input: `path` is a JSON pointer-like dotted path. */
export interface FieldIssue {
  readonly path: string;
  /** What is wrong, in English. */
  readonly message: string;
  /** The same in Japanese (Japanese first: a 400's problem details carry both). */
  readonly ja?: string;
}

/**
 * The one error class Mamoru throws on purpose. `code` is stable; `issues`
 * names the fields at fault when the input was bad.
 */
export class MamoruError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly FieldIssue[];

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: readonly FieldIssue[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MamoruError';
    this.code = code;
    this.issues = options?.issues ?? [];
  }
}

export function isMamoruError(error: unknown): error is MamoruError {
  return error instanceof MamoruError;
}

/** Shorthand for a validation error on one field. */
export function invalidField(path: string, message: string): MamoruError {
  return new MamoruError('validation_failed', `${path}: ${message}`, { issues: [{ path, message }] });
}

export function notFound(what: string): MamoruError {
  return new MamoruError('not_found', `${what} not found`);
}
