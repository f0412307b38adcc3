import type { z } from 'zod';
import { MamoruError } from '../core/index.ts';

/** Parse input with a schema; a failure becomes `validation_failed` naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((i) => {
    const path = i.path.map(String).join('.');
    // Name each unknown key as the field at fault, not the object holding it.
    if (i.code === 'unrecognized_keys')
      return i.keys.map((k) => ({ path: path ? `${path}.${k}` : k, message: 'is not a known field' }));
    return [{ path: path || '(body)', message: i.message }];
  });
  throw new MamoruError('validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
    issues,
  });
}
