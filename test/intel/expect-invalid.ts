import { expect } from 'vitest';
import { isMamoruError } from '../../src/core/index.ts';

/** Assert that `fn` throws MamoruError('invalid_indicator') and return its message. */
export function expectInvalid(fn: () => unknown, pattern?: RegExp): string {
  try {
    fn();
  } catch (error) {
    expect(isMamoruError(error), String(error)).toBe(true);
    if (!isMamoruError(error)) throw error;
    expect(error.code).toBe('invalid_indicator');
    expect(error.issues.length).toBeGreaterThan(0);
    if (pattern) expect(error.message).toMatch(pattern);
    return error.message;
  }
  throw new Error('expected an invalid_indicator error, got a value');
}

/** Run `fn`; a thrown error must be a MamoruError with code invalid_indicator (the normaliser contract). */
export function onlyInvalidIndicator<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!isMamoruError(error) || error.code !== 'invalid_indicator') throw error;
    return undefined;
  }
}
