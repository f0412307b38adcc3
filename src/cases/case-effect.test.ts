import { describe, expect, it } from 'vitest';
import { CASE_ACTIONS, type CaseAction } from '../core/action.ts';
import { type CaseEffect, caseEffect, LABEL_OF_RESOLUTION, type Resolution } from './case-effect.ts';

const TABLE: readonly [CaseAction, Resolution, CaseEffect][] = [
  ['hold', 'approved', 'release'],
  ['hold', 'denied', 'refuse'],
  ['review', 'approved', 'allow_once'],
  ['review', 'denied', 'refuse'],
  ['step_up', 'approved', 'allow_once'],
  ['step_up', 'denied', 'refuse'],
];

describe('caseEffect', () => {
  it.each(TABLE)('%s + %s → %s', (action, resolution, effect) => {
    expect(caseEffect(action, resolution)).toBe(effect);
  });

  it('covers every case action', () => {
    expect(new Set(TABLE.map(([a]) => a))).toEqual(new Set(CASE_ACTIONS));
  });

  it('only a hold is released; a review is allowed once, never released', () => {
    expect(caseEffect('review', 'approved')).not.toBe('release');
    expect(caseEffect('step_up', 'approved')).not.toBe('release');
  });

  it('labels approved as legit and denied as fraud', () => {
    expect(LABEL_OF_RESOLUTION).toEqual({ approved: 'legit', denied: 'fraud' });
  });
});
