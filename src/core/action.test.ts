import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_LABELS, ACTIONS, CASE_ACTIONS, isAction, maxAction, opensCase, severity } from './action.ts';

describe('actions', () => {
  it('ranks actions from allow to freeze', () => {
    expect(ACTIONS.map(severity)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(severity('allow')).toBeLessThan(severity('warn'));
    expect(severity('block')).toBeLessThan(severity('freeze'));
  });

  it('takes the more severe of two actions, in either order', () => {
    expect(maxAction('warn', 'hold')).toBe('hold');
    expect(maxAction('hold', 'warn')).toBe('hold');
    expect(maxAction('review', 'review')).toBe('review');
    fc.assert(
      fc.property(fc.constantFrom(...ACTIONS), fc.constantFrom(...ACTIONS), (a, b) => {
        const m = maxAction(a, b);
        expect(m).toBe(maxAction(b, a));
        expect(severity(m)).toBe(Math.max(severity(a), severity(b)));
      }),
    );
  });

  it('recognises actions, and nothing else', () => {
    for (const a of ACTIONS) expect(isAction(a)).toBe(true);
    for (const near of [
      'Block',
      'block ',
      'stepup',
      'step-up',
      '',
      'toString',
      '__proto__',
      3,
      null,
      undefined,
    ]) {
      expect(isAction(near)).toBe(false);
    }
  });

  it('opens a case for step_up, review and hold only', () => {
    expect(ACTIONS.filter(opensCase)).toEqual([...CASE_ACTIONS]);
    expect(opensCase('block')).toBe(false);
    expect(opensCase('warn')).toBe(false);
  });

  it('labels every action in Japanese and English', () => {
    for (const a of ACTIONS) {
      expect(ACTION_LABELS[a].ja).not.toBe('');
      expect(ACTION_LABELS[a].en).not.toBe('');
    }
    expect(ACTION_LABELS.hold).toEqual({ ja: '保留', en: 'hold' });
  });
});
