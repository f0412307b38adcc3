import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { idTime, newId } from './id.ts';

const BODY = /^[0-9a-hjkmnp-tv-z]{26}$/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('newId', () => {
  it('has the prefix and 26 base32 characters', () => {
    const id = newId('dec');
    expect(id.startsWith('dec_')).toBe(true);
    expect(id.slice(4)).toMatch(BODY);
    expect(newId('case').slice(5)).toMatch(BODY);
  });

  it('carries the time it was made', () => {
    const before = Date.now();
    const t = idTime(newId('dec'));
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('is unique and sorts in the order made, many per millisecond', () => {
    const ids = Array.from({ length: 100_000 }, () => newId('dec'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('stays unique and ordered past 65,536 ids in one millisecond', () => {
    const now = Date.now() + 10_000;
    vi.spyOn(Date, 'now').mockReturnValue(now);
    const ids = Array.from({ length: 70_000 }, () => newId('dec'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(idTime(ids[0] as string)).toBe(now);
    expect(idTime(ids.at(-1) as string)).toBe(now + 1);
  });

  it('is unique and sortable by time whatever the clock does (property)', () => {
    let base = Date.now() + 20_000;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 200 }), (steps) => {
        // Each run starts later than the last, as a real clock would.
        base += 2_000;
        let clock = base;
        const spy = vi.spyOn(Date, 'now').mockImplementation(() => clock);
        const made: { id: string; at: number }[] = [];
        for (const step of steps) {
          clock += step;
          made.push({ id: newId('x'), at: clock });
        }
        spy.mockRestore();
        const ids = made.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect([...ids].sort()).toEqual(ids);
        for (const m of made) expect(idTime(m.id)).toBeGreaterThanOrEqual(m.at);
        // A clock that only moves forward is carried exactly.
        const last = made.at(-1) as { id: string; at: number };
        if (steps.every((s) => s > 0)) expect(idTime(last.id)).toBe(last.at);
      }),
    );
  });

  it('sorts ids made in later milliseconds after earlier ones', () => {
    const now = Date.now() + 3_600_000;
    const spy = vi.spyOn(Date, 'now');
    const ids = [0, 1, 31, 32, 1024, 86_400_000].map((d) => {
      spy.mockReturnValue(now + d);
      return newId('dec');
    });
    expect([...ids].sort()).toEqual(ids);
    expect(ids.map(idTime)).toEqual([0, 1, 31, 32, 1024, 86_400_000].map((d) => now + d));
  });
});
