import { describe, expect, it } from 'vitest';
import type { MamoruError } from '../core/errors.ts';
import { listCasesQuerySchema, parseInput, resolveCaseSchema } from './case-schemas.ts';

const fails = (fn: () => unknown): MamoruError => {
  try {
    fn();
  } catch (error) {
    return error as MamoruError;
  }
  throw new Error('expected a validation error');
};

describe('resolveCaseSchema', () => {
  it('defaults label to true and shareIndicators to none', () => {
    expect(parseInput(resolveCaseSchema, { resolution: 'denied', reason: ' mule account ' })).toEqual({
      resolution: 'denied',
      reason: 'mule account',
      label: true,
      shareIndicators: 'none',
    });
  });

  it('accepts a reason of exactly 2000 characters and refuses 2001', () => {
    expect(() =>
      parseInput(resolveCaseSchema, { resolution: 'approved', reason: 'x'.repeat(2000) }),
    ).not.toThrow();
    const error = fails(() =>
      parseInput(resolveCaseSchema, { resolution: 'approved', reason: 'x'.repeat(2001) }),
    );
    expect(error.code).toBe('validation_failed');
    expect(error.issues.map((i) => i.path)).toEqual(['reason']);
  });

  it('refuses a missing or blank reason, an unknown resolution and unknown fields, naming each', () => {
    const error = fails(() =>
      parseInput(resolveCaseSchema, { resolution: 'maybe', reason: '   ', extra: 1 }),
    );
    expect(error.issues.map((i) => i.path).sort()).toEqual(['extra', 'reason', 'resolution']);
    expect(fails(() => parseInput(resolveCaseSchema, { resolution: 'approved' })).issues[0]?.path).toBe(
      'reason',
    );
  });
});

describe('listCasesQuerySchema', () => {
  it('reads a query string: limit and overdue as text', () => {
    expect(parseInput(listCasesQuerySchema, { limit: '10', overdue: 'true', status: 'open' })).toMatchObject({
      limit: 10,
      overdue: true,
      status: 'open',
      order: 'due',
    });
    expect(parseInput(listCasesQuerySchema, { overdue: 'false' }).overdue).toBe(false);
  });

  it('refuses a limit above 200 and an unknown status', () => {
    expect(fails(() => parseInput(listCasesQuerySchema, { limit: '201' })).issues[0]?.path).toBe('limit');
    expect(fails(() => parseInput(listCasesQuerySchema, { status: 'closed' })).issues[0]?.path).toBe(
      'status',
    );
  });
});
