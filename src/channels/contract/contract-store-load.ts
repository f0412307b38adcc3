import { sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type {
  ApprovedException,
  ContractContext,
  NamedLineState,
  RecentApplication,
  SharedUser,
} from './contract-context.ts';
import { type ContractKeySet, outletOf } from './contract-keys.ts';
import type { ContractApplication, SalesChannel, SimType } from './contract-schema.ts';
import { type ContractWindows, referenceTime } from './contract-store-windows.ts';
import type { ContractDb } from './tables.ts';

/** At most this many of the holder's recent applications are loaded (newest first). */
export const MAX_RECENT_APPLICATIONS = 100;
/** At most this many distinct other holders per address or device are loaded. */
export const MAX_SHARED_HOLDERS = 100;
const DAY_MS = 86_400_000;

/** The columns of an application read as evidence. */
const EVIDENCE = [
  'application_id',
  'holder_key',
  'sales_channel',
  'outlet',
  'voice_lines',
  'data_sms_lines',
  'data_lines',
  'submitted_at',
  'action',
] as const;

/**
 * Load a contract context in one statement (one round trip): each part is a
 * subquery on an index that leads with the organisation —
 * `contract_lines_holder` (index-only: lines held and cancelled by SIM type
 * and status), `contract_applications_holder`, `_address`, `_device`, and
 * `contract_exceptions_application`.
 */
export async function loadContractContext(
  db: ContractDb,
  orgId: string,
  app: ContractApplication,
  keys: ContractKeySet,
  now: Date,
  w: ContractWindows,
): Promise<ContractContext> {
  const at = referenceTime(app, now).getTime();
  const namedLines = app.addedLine?.lineNumber ? lineIdCandidates(app.addedLine.lineNumber) : [];
  const userKeys = [...new Set(keys.registeredUsers.filter((k): k is string => k !== undefined))];
  const since = (days: number) => new Date(at - days * DAY_MS);
  const velocitySince = since(w.velocityDays);
  const apps = db.selectFrom('contract_applications').where('org_id', '=', orgId);
  // One row per other holder (their latest application) on the address or device within the window.
  const otherHolders = (column: 'address_key' | 'device_key' | 'ip_key', key: string, days: number) =>
    apps
      .select(EVIDENCE)
      .distinctOn('holder_key')
      .where(column, '=', key)
      .where('submitted_at', '>=', since(days))
      .where('holder_key', '<>', keys.holder)
      .orderBy('holder_key')
      .orderBy('submitted_at', 'desc')
      .limit(MAX_SHARED_HOLDERS);
  const row = await db
    .selectNoFrom((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('contract_lines')
          .select((l) => [
            'sim_type',
            'status',
            l.fn.countAll<number>().as('n'),
            sql<number>`count(*) filter (where cancelled_at >= ${velocitySince})`.as('recent'),
          ])
          .where('org_id', '=', orgId)
          .where('holder_key', '=', keys.holder)
          .groupBy(['sim_type', 'status']),
      ).as('lines'),
      jsonArrayFrom(
        apps
          .select(EVIDENCE)
          .where('holder_key', '=', keys.holder)
          .where('submitted_at', '>=', velocitySince)
          // This application itself (same id at the same outlet) is not its own history.
          .where((eb) =>
            eb.or([
              eb('application_id', '<>', app.applicationId),
              eb('outlet', '<>', outletOf(app.salesChannel)),
            ]),
          )
          .orderBy('submitted_at', 'desc')
          .limit(MAX_RECENT_APPLICATIONS),
      ).as('holder_apps'),
      jsonArrayFrom(otherHolders('address_key', keys.address, w.sharedAddressDays)).as('address_apps'),
      keys.device
        ? jsonArrayFrom(otherHolders('device_key', keys.device, w.sharedDeviceDays)).as('device_apps')
        : sql<ApplicationEvidence[]>`'[]'::json`.as('device_apps'),
      keys.ip
        ? jsonArrayFrom(otherHolders('ip_key', keys.ip, w.sharedIpDays)).as('ip_apps')
        : sql<ApplicationEvidence[]>`'[]'::json`.as('ip_apps'),
      // The existing line an added line names (P3): who holds it, as the carrier's lines say.
      namedLines.length > 0
        ? jsonArrayFrom(
            eb
              .selectFrom('contract_lines')
              .select(['holder_key', 'status'])
              .where('org_id', '=', orgId)
              .where('line_id', 'in', namedLines)
              .limit(namedLines.length),
          ).as('named_line')
        : sql<{ holder_key: string; status: string }[]>`'[]'::json`.as('named_line'),
      // Registered users (P6): the other holders each is registered under, in the carrier's lines
      // (held) and in applications within the window.
      userKeys.length > 0
        ? sql<{ user_key: string; holders: number | string }[]>`coalesce((select json_agg(u) from (
            select user_key, count(distinct holder_key) as holders from (
              select registered_user_key as user_key, holder_key from contract_lines
               where org_id = ${orgId} and registered_user_key in (${sql.join(userKeys)})
                 and status <> 'cancelled' and holder_key <> ${keys.holder}
              union all
              select k as user_key, holder_key from contract_applications, unnest(user_keys) as k
               where org_id = ${orgId} and user_keys && array[${sql.join(userKeys)}]::text[]
                 and submitted_at >= ${since(w.sharedUserDays)} and holder_key <> ${keys.holder}
                 and action not in ('block', 'freeze')
            ) s where user_key in (${sql.join(userKeys)}) group by user_key) u), '[]'::json)`.as(
            'user_holders',
          )
        : sql<{ user_key: string; holders: number | string }[]>`'[]'::json`.as('user_holders'),
      jsonObjectFrom(
        eb
          .selectFrom('contract_exceptions')
          .select(['case_id', 'approved_by', 'approved_at', 'lines', 'held'])
          .where('org_id', '=', orgId)
          .where('application_id', '=', app.applicationId)
          .where('holder_key', '=', keys.holder)
          // The person HQ approved: for a corporation, the same representative.
          .where('identity_key', '=', keys.identity)
          // Used once: an exception a decision already used covers nothing more.
          .where('used_decision_id', 'is', null)
          .orderBy('approved_at', 'desc')
          .limit(1),
      ).as('exception'),
    ])
    .executeTakeFirstOrThrow();

  const existing = { voice: 0, data_sms: 0, data: 0 };
  let recentlyCancelled = 0;
  for (const l of row.lines) {
    const simType = l.sim_type as SimType;
    if ((l.status === 'active' || l.status === 'suspended') && simType in existing)
      existing[simType] += Number(l.n);
    if (l.status === 'cancelled') recentlyCancelled += Number(l.recent);
  }
  const byTime = (a: RecentApplication, b: RecentApplication) => b.submittedAt.localeCompare(a.submittedAt);
  return {
    keys,
    holderType: app.holder.type,
    existingLines: existing,
    holderApplications: row.holder_apps.map(recentApplication),
    recentlyCancelled,
    addressHolders: row.address_apps.map(recentApplication).sort(byTime),
    deviceHolders: row.device_apps.map(recentApplication).sort(byTime),
    ipHolders: row.ip_apps.map(recentApplication).sort(byTime),
    namedLine: app.addedLine?.lineNumber ? namedLineState(row.named_line, keys.holder) : undefined,
    sharedUsers: sharedUsers(keys.registeredUsers, row.user_holders),
    exception: row.exception ? approvedException(row.exception) : undefined,
  };
}

/**
 * The forms a carrier's line id may take for an E.164 number: `+819012345678`,
 * `819012345678` and the national `09012345678` (line ids are the carrier's
 * own text; imports keep them as given).
 */
export function lineIdCandidates(e164: string): string[] {
  const digits = e164.replace(/^\+/, '');
  const forms = [e164, digits];
  if (digits.startsWith('81')) forms.push(`0${digits.slice(2)}`);
  return forms;
}

/** Held by the applicant (active or suspended) beats any other row; then another holder's; then cancelled. */
function namedLineState(
  rows: readonly { holder_key: string; status: string }[],
  holder: string,
): NamedLineState {
  if (rows.some((r) => r.holder_key === holder && r.status !== 'cancelled')) return 'held';
  if (rows.some((r) => r.holder_key !== holder && r.status !== 'cancelled')) return 'other_holder';
  if (rows.length > 0) return 'cancelled';
  return 'unknown';
}

function sharedUsers(
  registered: readonly (string | undefined)[],
  rows: readonly { user_key: string; holders: number | string }[],
): SharedUser[] {
  const holders = new Map(rows.map((r) => [r.user_key, Number(r.holders)]));
  const out: SharedUser[] = [];
  registered.forEach((userKey, line) => {
    const otherHolders = userKey === undefined ? 0 : (holders.get(userKey) ?? 0);
    if (userKey !== undefined && otherHolders > 0) out.push({ line, userKey, otherHolders });
  });
  return out;
}

/** A contract_applications row as `load` reads it (inside JSON, timestamps arrive as text). */
interface ApplicationEvidence {
  readonly application_id: string;
  readonly holder_key: string;
  readonly sales_channel: string;
  readonly outlet: string;
  readonly voice_lines: number;
  readonly data_sms_lines: number;
  readonly data_lines: number;
  readonly submitted_at: Date | string;
  readonly action: string;
}

function recentApplication(row: ApplicationEvidence): RecentApplication {
  return {
    applicationId: row.application_id,
    holderKey: row.holder_key,
    salesChannel: row.sales_channel as SalesChannel,
    outlet: row.outlet,
    lines: row.voice_lines + row.data_sms_lines + row.data_lines,
    smsLines: row.voice_lines + row.data_sms_lines,
    submittedAt: new Date(row.submitted_at).toISOString(),
    action: row.action,
  };
}

function approvedException(row: {
  case_id: string;
  approved_by: string;
  approved_at: Date | string;
  lines: unknown;
  held: unknown;
}): ApprovedException {
  return {
    caseId: row.case_id,
    approvedBy: row.approved_by,
    approvedAt: new Date(row.approved_at).toISOString(),
    lines: simCounts(row.lines),
    held: simCounts(row.held),
  };
}

/** `{ voice, data_sms, data }` from stored JSON (a missing count is 0). */
function simCounts(json: unknown): { voice: number; data_sms: number; data: number } {
  const stored = ((typeof json === 'string' ? JSON.parse(json) : json) ?? {}) as Record<string, unknown>;
  const count = (t: SimType) => (typeof stored[t] === 'number' ? (stored[t] as number) : 0);
  return { voice: count('voice'), data_sms: count('data_sms'), data: count('data') };
}
