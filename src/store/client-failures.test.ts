import { describe, expect, it } from 'vitest';
import { ClientFailures } from './client-failures.ts';

describe('ClientFailures', () => {
  const t0 = Date.parse('2026-03-02T09:00:00Z');

  it('limits a client after max failures until its window ends, and only that client', () => {
    const failures = new ClientFailures({ max: 3, windowMs: 60_000, capacity: 10 });
    for (let i = 0; i < 2; i++) failures.add('a', t0);
    expect(failures.retryAfterMs('a', t0)).toBe(0);
    failures.add('a', t0 + 10_000);
    expect(failures.retryAfterMs('a', t0 + 10_000)).toBe(50_000);
    expect(failures.retryAfterMs('b', t0 + 10_000)).toBe(0);
    expect(failures.retryAfterMs('a', t0 + 60_000)).toBe(0);
  });

  it('takes back a failure counted before its check', () => {
    const failures = new ClientFailures({ max: 2, windowMs: 60_000, capacity: 10 });
    failures.add('a', t0);
    failures.add('a', t0);
    failures.remove('a', t0);
    expect(failures.retryAfterMs('a', t0)).toBe(0);
  });

  it('cannot be flushed: live windows are never pushed out, a newcomer to a full table is limited instead', () => {
    const failures = new ClientFailures({ max: 5, windowMs: 60_000, capacity: 100 });
    for (let i = 0; i < 5; i++) failures.add('hot', t0);
    expect(failures.retryAfterMs('hot', t0)).toBe(60_000);
    // 10,000 other clients, one failure each, within the window.
    for (let i = 0; i < 10_000; i++) failures.add(`c${i}`, t0 + 1_000);
    expect(failures.size).toBe(100);
    expect(failures.retryAfterMs('hot', t0 + 1_000)).toBe(59_000);
    // A client that is not tracked waits until the oldest window ends.
    expect(failures.retryAfterMs('c9999', t0 + 1_000)).toBe(59_000);
    // Ended windows make room again (absent once over).
    expect(failures.retryAfterMs('hot', t0 + 61_000)).toBe(0);
    failures.add('new', t0 + 61_001);
    expect(failures.retryAfterMs('new', t0 + 61_001)).toBe(0);
    expect(failures.size).toBeLessThanOrEqual(100);
  });
});
