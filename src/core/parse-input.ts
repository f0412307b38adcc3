import type { z } from 'zod';
import { type ErrorCode, type FieldIssue, MamoruError } from './errors.ts';
import { japaneseMessage, rememberJapanese } from './messages-ja.ts';

/** Field issues from zod's issues: each unknown key is named as the field at fault, not the object holding it. */
export function fieldIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((i) => {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => ({ path: path ? `${path}.${k}` : k, message: 'is not a known field' }));
    }
    // The Japanese is kept aside (`japaneseOf`): the HTTP edge answers both languages.
    return [rememberJapanese({ path: path || '(body)', message: i.message }, japaneseMessage(i.message, i))];
  });
}

/** A validation error (or another code) that names each field zod found at fault. */
export function validationError(
  issues: readonly z.core.$ZodIssue[],
  code: Extract<
    ErrorCode,
    'validation_failed' | 'invalid_policy' | 'invalid_indicator'
  > = 'validation_failed',
): MamoruError {
  const named = fieldIssues(issues);
  return new MamoruError(code, named.map((i) => `${i.path}: ${i.message}`).join('; '), { issues: named });
}

/** Parse input with a schema; a failure becomes `validation_failed` naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw validationError(parsed.error.issues);
}
