import { type IndicatorType, MamoruError } from '../core/index.ts';

/**
 * The error every normaliser throws for a value that is not of its type:
 * code `invalid_indicator`, naming the field (`value` unless told) and what
 * is wrong, so the HTTP edge can answer 400 with the reason.
 *
 * @example throw invalidIndicator('phone', 'is not a valid phone number')
 */
export function invalidIndicator(
  type: IndicatorType,
  message: string,
  path = 'value',
  cause?: unknown,
): MamoruError {
  return new MamoruError('invalid_indicator', `${type} ${path}: ${message}`, {
    issues: [{ path, message: `${type}: ${message}` }],
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The longest raw value any normaliser reads; longer input is refused before parsing. */
export const MAX_RAW_LENGTH = 8192;

/** Refuse non-strings and oversize input the same way for every type. */
export function checkRaw(type: IndicatorType, raw: unknown): string {
  if (typeof raw !== 'string') throw invalidIndicator(type, 'must be a string');
  if (raw.length > MAX_RAW_LENGTH)
    throw invalidIndicator(type, `is longer than ${MAX_RAW_LENGTH} characters`);
  return raw;
}
