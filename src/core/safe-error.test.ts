import { describe, expect, it } from 'vitest';
import { safeError } from './safe-error.ts';

describe('safeError', () => {
  it('drops SQL parameters, query text and detail, and masks long digit runs', () => {
    const error = Object.assign(new Error('invalid input for 4111 1111 1111 1111'), {
      code: '22021',
      query: 'select * from cases where assignee = $1',
      params: ['顧客カード4111111111111111'],
      detail: 'Key (value)=(4111111111111111) already exists',
    });
    const logged = JSON.stringify(safeError(error));
    expect(logged).not.toContain('4111');
    expect(logged).not.toContain('select');
    expect(logged).toContain('22021');
    expect(logged).toContain('[16 digits]');
  });

  it('keeps short numbers and the error type', () => {
    expect(safeError(new TypeError('port 8787 is busy'))).toMatchObject({
      type: 'TypeError',
      message: 'port 8787 is busy',
    });
    expect(safeError('not an error')).toEqual({ type: 'string' });
  });
});
