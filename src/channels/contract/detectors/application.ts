import type { Detector, DetectorContext } from '../../../core/index.ts';
import type {
  ApprovedException,
  ContractContext,
  RecentApplication,
  SimCounts,
} from '../contract-context.ts';
import type { ContractKeySet } from '../contract-keys.ts';
import { type ContractApplication, SIM_TYPES } from '../contract-schema.ts';
import { linesBySimType, referenceTime } from '../contract-store-windows.ts';
import { CONTRACT_HISTORY } from '../history.ts';
import { type ReadSettings, readContractSettings } from '../settings.ts';

/** A contract detector: reads the application, the loaded `ContractContext` and the settings. */
export type ContractDetector = Detector<ContractApplication, ContractKeySet>;
export type ContractDetectorContext = DetectorContext<ContractKeySet>;

export const DAY_MS = 86_400_000;
/** Japan has one time zone and no daylight saving: dates of rules and documents are Japan dates. */
const JST_MS = 9 * 3_600_000;

const NO_LINES: SimCounts = Object.freeze({ voice: 0, data_sms: 0, data: 0 });

/**
 * What the detectors see when no context was loaded (a channel evaluated
 * without its store): no lines held, no history. Checks that need history
 * then fire on the application alone; `contextMissing` lets them say so.
 */
const EMPTY_CONTEXT: ContractContext = Object.freeze({
  keys: Object.freeze({ holder: '', identity: '', address: '', registeredUsers: Object.freeze([]) }),
  holderType: 'person',
  existingLines: NO_LINES,
  holderApplications: Object.freeze([]),
  recentlyCancelled: 0,
  addressHolders: Object.freeze([]),
  deviceHolders: Object.freeze([]),
  ipHolders: Object.freeze([]),
  sharedUsers: Object.freeze([]),
});

/**
 * The holder's history (`contract.history`, which every detector calling
 * this `needs`), or an empty one when a detector runs without it (its own
 * tests, a channel evaluated without its store).
 */
export function servicesOf(ctx: ContractDetectorContext): ContractContext {
  return historyOf(ctx) ?? EMPTY_CONTEXT;
}

/** Evidence noting that no history was loaded, when none was. */
export function contextEvidence(ctx: ContractDetectorContext): string[] {
  return historyOf(ctx) === undefined ? ['context=missing (no history loaded)'] : [];
}

/** Whether the holder's history was loaded (checks of lines held need the carrier's lines). */
export function hasHistory(ctx: ContractDetectorContext): boolean {
  return historyOf(ctx) !== undefined;
}

function historyOf(ctx: ContractDetectorContext): ContractContext | undefined {
  try {
    return ctx.enriched(CONTRACT_HISTORY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The settings, read once per policy version (see `readContractSettings`). */
export function settingsOf(ctx: ContractDetectorContext): ReadSettings {
  return readContractSettings(ctx.settings);
}

/** Lines requested by SIM type. */
export function requestedLines(app: ContractApplication): SimCounts {
  return linesBySimType(app.lines);
}

/** The application's time: its `submittedAt`, or now; never later than now (as the store loads windows). */
export function applicationTime(app: ContractApplication, now: Date): Date {
  return referenceTime(app, now);
}

/** A time's date in Japan (`YYYY-MM-DD`). */
export function japanDate(at: Date): string {
  return new Date(at.getTime() + JST_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (0 when `from` is later). */
export function daysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}

/** `voice:6,data_sms:0,data:0` */
export function countsText(counts: SimCounts): string {
  return SIM_TYPES.map((t) => `${t}:${counts[t]}`).join(',');
}

/** The first 12 hex digits of a keyed hash, enough to tell holders apart in evidence. */
export function shortKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 12)}…` : key;
}

/**
 * HQ's approved exception for this application, when it covers every line
 * requested now: each SIM type at most as many as approved, and the lines
 * held now plus those requested at most what was held when approved plus the
 * approved lines. Re-screening the approved application passes for the
 * approved lines only (P2), and once they are active the exception is used
 * up: asking again would go past what HQ approved.
 */
export function coveringException(
  app: ContractApplication,
  context: ContractContext,
): ApprovedException | undefined {
  const exception = context.exception;
  if (!exception) return undefined;
  const requested = requestedLines(app);
  const held = context.existingLines;
  const covered = SIM_TYPES.every(
    (t) =>
      requested[t] <= exception.lines[t] && held[t] + requested[t] <= exception.held[t] + exception.lines[t],
  );
  return covered ? exception : undefined;
}

/** Evidence lines describing an exception. */
export function exceptionEvidence(exception: ApprovedException): string[] {
  return [
    `exception_case=${exception.caseId}`,
    `approved_by=${exception.approvedBy}`,
    `approved_at=${exception.approvedAt}`,
    `approved_lines=${countsText(exception.lines)}`,
    `held_when_approved=${countsText(exception.held)}`,
  ];
}

/** One recent application as evidence. */
export function applicationEvidence(a: RecentApplication): string {
  return `application=${a.applicationId} holder=${shortKey(a.holderKey)} outlet=${a.outlet} channel=${a.salesChannel} lines=${a.lines} sms_lines=${a.smsLines} at=${a.submittedAt} action=${a.action}`;
}

/** Applications at or after a time. */
export function within(apps: readonly RecentApplication[], since: Date): RecentApplication[] {
  const t = since.getTime();
  return apps.filter((a) => {
    const at = Date.parse(a.submittedAt);
    return Number.isFinite(at) && at >= t;
  });
}

/**
 * The date the KYC rules and document expiry are judged at: the
 * application's time (`submittedAt`, never later than now), but never before
 * the identity verification was performed, and now when `submittedAt` is
 * more than `maxBackdateDays` back — so an application dated back cannot
 * choose an older, laxer rule set or hide an expired document.
 *
 * An added line (追加回線, P3) is the exception: the verification sent with
 * it is the holder's original one, judged by the rules of the day it was
 * performed (a method legal then does not block an added line now).
 */
export function ruleTime(
  app: ContractApplication,
  now: Date,
  maxBackdateDays: number,
): { readonly at: Date; readonly evidence: string } {
  // The date the application says, within `maxBackdateDays` (checked below): an application made on
  // 31 March and screened on 2 April is judged by the March rules.
  const submitted = app.submittedAt === undefined ? Number.NaN : Date.parse(app.submittedAt);
  const at = Number.isFinite(submitted) && submitted < now.getTime() ? new Date(submitted) : now;
  // The identity was verified at `performedAt`: the rules of that day apply at the least, whatever the
  // application's date says (a back-dated application must not choose an older rule set or an unexpired document).
  const performed = app.identityVerification ? Date.parse(app.identityVerification.performedAt) : Number.NaN;
  if (app.addedLine !== undefined && Number.isFinite(performed)) {
    const verified = new Date(Math.min(performed, now.getTime()));
    return {
      at: verified,
      evidence: `rule_date=${japanDate(verified)} (added line: the holder's identity verified at ${app.identityVerification!.performedAt})`,
    };
  }
  if (Number.isFinite(performed) && performed > at.getTime()) {
    const verified = new Date(Math.min(performed, now.getTime()));
    return {
      at: verified,
      evidence: `rule_date=${japanDate(verified)} (identity verified at ${app.identityVerification!.performedAt})`,
    };
  }
  if (app.submittedAt === undefined) return { at, evidence: `rule_date=${japanDate(at)} (now)` };
  if (now.getTime() - at.getTime() > maxBackdateDays * DAY_MS) {
    return {
      at: now,
      evidence: `rule_date=${japanDate(now)} (now: submittedAt ${app.submittedAt} is more than ${maxBackdateDays} days back)`,
    };
  }
  return { at, evidence: `rule_date=${japanDate(at)} (submittedAt ${app.submittedAt})` };
}
