import { describe, expect, it } from 'vitest';
import { ERROR_CODES, invalidField, isMamoruError, MamoruError, notFound } from './errors.ts';

describe('errors', () => {
  it('documents every code in Japanese and English', () => {
    for (const [code, text] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(text.ja).not.toBe('');
      expect(text.en).not.toBe('');
    }
  });

  it('carries a code, the fields at fault and the cause', () => {
    const cause = new Error('root');
    const e = new MamoruError('conflict', 'already resolved', { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('MamoruError');
    expect(e.code).toBe('conflict');
    expect(e.cause).toBe(cause);
    expect(e.issues).toEqual([]);
    expect(isMamoruError(e)).toBe(true);
    expect(isMamoruError(new Error('x'))).toBe(false);
    expect(isMamoruError({ code: 'conflict' })).toBe(false);
  });

  it('names the field of a validation error', () => {
    const e = invalidField('payload.to', 'not a phone number');
    expect(e.code).toBe('validation_failed');
    expect(e.message).toBe('payload.to: not a phone number');
    expect(e.issues).toEqual([{ path: 'payload.to', message: 'not a phone number' }]);
    expect(notFound('case case_1')).toMatchObject({ code: 'not_found', message: 'case case_1 not found' });
  });
});
