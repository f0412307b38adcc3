import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_HOURS, dueAt, slaHoursFor } from './sla.ts';

const from = new Date('2026-03-02T09:00:00.000Z');
const hours = (n: number) => new Date(from.getTime() + n * 3_600_000);

describe('case SLA', () => {
  it('defaults: step_up 1 h, review 24 h, hold 72 h', () => {
    expect(DEFAULT_SLA_HOURS).toEqual({ step_up: 1, review: 24, hold: 72 });
    expect(dueAt('step_up', from)).toEqual(hours(1));
    expect(dueAt('review', from)).toEqual(hours(24));
    expect(dueAt('hold', from)).toEqual(hours(72));
  });

  it("the policy's caseSlaHours overrides the default for that action only", () => {
    const sla = { review: 4, hold: 0.5 };
    expect(dueAt('review', from, sla)).toEqual(hours(4));
    expect(dueAt('hold', from, sla)).toEqual(hours(0.5));
    expect(dueAt('step_up', from, sla)).toEqual(hours(1));
  });

  it('ignores a value that is not a positive number', () => {
    expect(slaHoursFor('review', { review: 0 })).toBe(24);
    expect(slaHoursFor('review', { review: -3 })).toBe(24);
    expect(slaHoursFor('review', { review: Number.NaN })).toBe(24);
    expect(slaHoursFor('review', undefined)).toBe(24);
  });
});
