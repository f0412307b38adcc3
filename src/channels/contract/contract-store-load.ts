import { type Kysely, sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Database } from '../../store/schema.ts';
import type { ApprovedException, ContractContext, RecentApplication } from './contract-context.ts';
import { type ContractKeySet, outletOf } from './contract-keys.ts';
import type { ContractApplication, SalesChannel, SimType } from './contract-schema.ts';
import { type ContractWindows, referenceTime } from './contract-store-windows.ts';

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
  db: Kysely<Database>,
  orgId: string,
  app: ContractApplication,
  keys: ContractKeySet,
  now: Date,
  w: ContractWindows,
): Promise<ContractContext> {
  const at = referenceTime(app, now).getTime();
  const since = (days: number) => new Date(at - days * DAY_MS);
  const velocitySince = since(w.velocityDays);
  const apps = db.selectFrom('contract_applications').where('org_id', '=', orgId);
  // One row per other holder (their latest application) on the address or device within the window.
  const otherHolders = (column: 'address_key' | 'device_key', key: string, days: number) =>
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
      jsonObjectFrom(
        eb
          .selectFrom('contract_exceptions')
          .select(['case_id', 'approved_by', 'approved_at', 'lines', 'held'])
          .where('org_id', '=', orgId)
          .where('application_id', '=', app.applicationId)
          .where('holder_key', '=', keys.holder)
          // The person HQ approved: for a corporation, the same representative.
          .where('identity_key', '=', keys.identity)
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
    exception: row.exception ? approvedException(row.exception) : undefined,
  };
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
