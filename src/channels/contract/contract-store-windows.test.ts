import { describe, expect, it } from 'vitest';
import {
  CONTRACT_WINDOW_DEFAULTS,
  contractWindows,
  linesBySimType,
  referenceTime,
} from './contract-store-windows.ts';

describe('contract windows', () => {
  it('defaults to 30 days of velocity and 7 days for shared addresses and devices', () => {
    expect(contractWindows()).toEqual({
      velocityDays: 30,
      sharedAddressDays: 7,
      sharedDeviceDays: 7,
      sharedIpDays: 1,
      sharedUserDays: 90,
    });
    expect(Object.isFrozen(CONTRACT_WINDOW_DEFAULTS)).toBe(true);
  });

  it('takes each valid override and keeps the default for a bad one', () => {
    expect(contractWindows({ velocityDays: 14, sharedAddressDays: 0, sharedDeviceDays: '3' })).toEqual({
      velocityDays: 14,
      sharedAddressDays: 7,
      sharedDeviceDays: 7,
      sharedIpDays: 1,
      sharedUserDays: 90,
    });
    expect(contractWindows({ velocityDays: 4000 }).velocityDays).toBe(30);
    expect(contractWindows({ velocityDays: 0.5 }).velocityDays).toBe(0.5);
  });

  it('sums requested lines by SIM type', () => {
    expect(
      linesBySimType([
        { simType: 'voice', count: 2 },
        { simType: 'data', count: 3 },
        { simType: 'voice', count: 1 },
      ]),
    ).toEqual({ voice: 3, data_sms: 0, data: 3 });
  });

  it('judges at the submission time, never later than now', () => {
    const now = new Date('2026-05-01T00:00:00Z');
    expect(referenceTime({}, now)).toBe(now);
    expect(referenceTime({ submittedAt: '2026-04-30T09:00:00+09:00' }, now).toISOString()).toBe(
      '2026-04-30T00:00:00.000Z',
    );
    expect(referenceTime({ submittedAt: '2027-01-01T00:00:00Z' }, now).getTime()).toBe(now.getTime());
  });

  it('places a back-dated application no more than two days back (it must not hide from later windows)', () => {
    const now = new Date('2026-05-01T00:00:00Z');
    expect(referenceTime({ submittedAt: '2026-04-29T01:00:00Z' }, now).toISOString()).toBe(
      '2026-04-29T01:00:00.000Z',
    );
    expect(referenceTime({ submittedAt: '2026-03-01T00:00:00Z' }, now).toISOString()).toBe(
      '2026-04-29T00:00:00.000Z',
    );
  });
});
