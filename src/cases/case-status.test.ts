import { describe, expect, it } from 'vitest';
import { MamoruError } from '../core/errors.ts';
import {
  assertActive,
  assertTransition,
  CASE_STATUSES,
  type CaseStatus,
  canTransition,
  isActive,
} from './case-status.ts';

const LEGAL: readonly (readonly [CaseStatus, CaseStatus])[] = [
  ['open', 'in_review'],
  ['open', 'resolved'],
  ['open', 'expired'],
  ['in_review', 'resolved'],
  ['in_review', 'expired'],
];

describe('case lifecycle', () => {
  for (const from of CASE_STATUSES) {
    for (const to of CASE_STATUSES) {
      const legal = LEGAL.some(([f, t]) => f === from && t === to);
      it(`${from} → ${to} is ${legal ? 'legal' : 'a conflict'}`, () => {
        expect(canTransition(from, to)).toBe(legal);
        if (legal) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to)).toThrow(expect.objectContaining({ code: 'conflict' }));
      });
    }
  }

  it('resolved and expired are final; open and in_review wait for a person', () => {
    expect(CASE_STATUSES.filter(isActive)).toEqual(['open', 'in_review']);
    expect(() => assertActive('open', 'comment')).not.toThrow();
    expect(() => assertActive('expired', 'comment')).toThrow(MamoruError);
  });
});
