import type { z } from 'zod';
import { MamoruError } from '../core/index.ts';

/** Parse input with a schema; a failure becomes `validation_failed` naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(body)',
    message: i.message,
  }));
  throw new MamoruError('validation_failed', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { issues });
}
