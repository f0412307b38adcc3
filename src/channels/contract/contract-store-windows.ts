import type { SimCounts } from './contract-context.ts';
import type { ContractApplication, SimType } from './contract-schema.ts';

/** Look-back windows of the velocity and shared address / device checks, in days. */
export interface ContractWindows {
  /** The holder's other applications and cancelled lines (P6 velocity, cancel-and-reapply). */
  readonly velocityDays: number;
  /** Other holders applying from the same address (resale rings). */
  readonly sharedAddressDays: number;
  /** Other holders applying from the same device. */
  readonly sharedDeviceDays: number;
  /** Other holders signing up online from the same IP address. */
  readonly sharedIpDays: number;
  /** Other holders under whom a registered user is registered (applications; the carrier's lines always). */
  readonly sharedUserDays: number;
}

/** Default windows: 30 days of velocity, 7 days for shared addresses and devices, 1 for IPs, 90 for registered users. */
export const CONTRACT_WINDOW_DEFAULTS: ContractWindows = Object.freeze({
  velocityDays: 30,
  sharedAddressDays: 7,
  sharedDeviceDays: 7,
  sharedIpDays: 1,
  sharedUserDays: 90,
});

/** Longest window accepted (ten years); anything else falls back to the default. */
const MAX_WINDOW_DAYS = 3650;

/**
 * Windows from channel settings: each given value that is a number of days in
 * (0, 3650] replaces the default; anything else keeps the default (a bad
 * setting never breaks screening).
 *
 * @example contractWindows({ velocityDays: 14 }) // { velocityDays: 14, sharedAddressDays: 7, sharedDeviceDays: 7, sharedIpDays: 1, sharedUserDays: 90 }
 */
export function contractWindows(
  overrides?: Readonly<Partial<Record<keyof ContractWindows, unknown>>>,
): ContractWindows {
  const pick = (name: keyof ContractWindows): number => {
    const value = overrides?.[name];
    return typeof value === 'number' && value > 0 && value <= MAX_WINDOW_DAYS
      ? value
      : CONTRACT_WINDOW_DEFAULTS[name];
  };
  return Object.freeze({
    velocityDays: pick('velocityDays'),
    sharedAddressDays: pick('sharedAddressDays'),
    sharedDeviceDays: pick('sharedDeviceDays'),
    sharedIpDays: pick('sharedIpDays'),
    sharedUserDays: pick('sharedUserDays'),
  });
}

/** Requested lines by SIM type. */
export function linesBySimType(lines: readonly { simType: SimType; count: number }[]): SimCounts {
  const counts = { voice: 0, data_sms: 0, data: 0 };
  for (const line of lines) counts[line.simType] += line.count;
  return counts;
}

/**
 * How far back an application's `submittedAt` may place it for its windows
 * and its record: a carrier screens at the moment of contract, so more lag
 * than a queue's is a back-dated application, which would otherwise hide
 * from the rings and velocity of the applications after it.
 */
export const MAX_SUBMISSION_LAG_MS = 48 * 3_600_000;

/**
 * The time an application is judged and recorded at: when it was submitted,
 * or now; never later than now (a clock ahead of ours must not hide the
 * recent past) and never more than `MAX_SUBMISSION_LAG_MS` before now (a
 * back-dated application must not hide from the windows of later ones).
 */
export function referenceTime(app: Pick<ContractApplication, 'submittedAt'>, now: Date): Date {
  if (app.submittedAt === undefined) return now;
  const submitted = Date.parse(app.submittedAt);
  const t = Math.min(Math.max(submitted, now.getTime() - MAX_SUBMISSION_LAG_MS), now.getTime());
  return Number.isFinite(t) ? new Date(t) : now;
}
