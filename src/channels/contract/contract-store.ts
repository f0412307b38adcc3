import { sql } from 'kysely';
import type { ScreenEvent, Verdict } from '../../core/index.ts';
import type { KeyedHasher } from '../../intel/keyed-hash.ts';
import type { DecisionReader } from '../../store/store.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import type { ContractContext, ContractKeys, SimCounts } from './contract-context.ts';
import { type ContractKeySet, contractKeys, outletOf } from './contract-keys.ts';
import type { ContractApplication } from './contract-schema.ts';
import { type ContractOutcome, recordException } from './contract-store-exceptions.ts';
import { loadContractContext } from './contract-store-load.ts';
import {
  CONTRACT_WINDOW_DEFAULTS,
  type ContractWindows,
  contractWindows,
  linesBySimType,
  referenceTime,
} from './contract-store-windows.ts';
import { LineStore } from './lines-store.ts';
import type { ContractDb, ContractTables } from './tables.ts';

export type { ContractOutcome } from './contract-store-exceptions.ts';
export { MAX_RECENT_APPLICATIONS, MAX_SHARED_HOLDERS } from './contract-store-load.ts';
export {
  CONTRACT_WINDOW_DEFAULTS,
  type ContractWindows,
  contractWindows,
  linesBySimType,
} from './contract-store-windows.ts';

/**
 * The contract channel's data (measures P2, P6): the carrier's lines, the
 * screened applications and HQ's approved exceptions, all by keyed hash.
 * Every query is filtered by organisation.
 *
 * - `load` gathers everything the detectors read, in one indexed statement.
 * - `record` keeps the screened application (re-screening its id updates it).
 * - `onOutcome` turns an approved exception case into an exception row.
 * - `lines` imports the carrier's lines and records line events.
 *
 * @example
 * const store = new ContractStore({ db: mamoruStore.db, hasher, decisions: mamoruStore.decisions });
 * const ctx = await store.load(event, now, contractWindows(settings));
 * await store.record(verdict, event.payload, ctx.keys);
 */
export class ContractStore {
  readonly lines: LineStore;
  readonly #db: ContractDb;
  readonly #decisions: DecisionReader;
  readonly #hasher: KeyedHasher;

  /** Built on the core's database: the contract tables are added to its type here (they are the channel's own). */
  constructor(deps: Pick<ChannelDeps, 'db' | 'hasher' | 'decisions'>) {
    this.#db = deps.db.$extendTables<ContractTables>();
    this.#decisions = deps.decisions;
    this.#hasher = deps.hasher;
    this.lines = new LineStore({ db: this.#db, hasher: deps.hasher });
  }

  /**
   * The keys of an application (the channel makes them once per screening, in `begin`).
   *
   * @throws MamoruError `validation_failed` naming an identity field that cannot be keyed.
   */
  keys(app: ContractApplication): ContractKeySet {
    return contractKeys(app, this.#hasher);
  }

  /**
   * What the detectors read for one application: the holder's lines held now
   * by SIM type (active and suspended — a suspended line can be resumed, so it
   * counts toward a cap), the holder's other applications and cancelled lines
   * within the velocity window, the distinct other holders seen on the
   * address and the device within their windows, and HQ's approved exception
   * for this application id and holder. Windows end at the application's
   * `submittedAt` (or now). One statement, one round trip.
   */
  load(
    event: ScreenEvent<ContractApplication>,
    now: Date,
    windows: Readonly<Partial<ContractWindows>> = CONTRACT_WINDOW_DEFAULTS,
    keys: ContractKeySet = this.keys(event.payload),
  ): Promise<ContractContext> {
    return loadContractContext(this.#db, event.orgId, event.payload, keys, now, contractWindows(windows));
  }

  /**
   * Keep the screened application (and its holder): the evidence later
   * screenings read. One row per application id, holder and outlet:
   * re-screening the same application (same holder, same shop) replaces the
   * row with the latest screening, so it is never counted twice; the same id
   * for another person or at another outlet is another application, so reuse
   * cannot erase history. `held` is what the holder held when screened (an
   * approved exception covers held + approved).
   */
  async record(
    verdict: Verdict,
    app: ContractApplication,
    keys: ContractKeys,
    held: SimCounts = { voice: 0, data_sms: 0, data: 0 },
  ): Promise<void> {
    const submitted = referenceTime(app, new Date(verdict.createdAt));
    const lines = linesBySimType(app.lines);
    await this.#db
      .with('holder', (db) =>
        db
          .insertInto('contract_holders')
          .values({
            org_id: verdict.orgId,
            holder_key: keys.holder,
            holder_type: app.holder.type,
            corporate_number: app.holder.corporation?.corporateNumber ?? null,
            first_seen: submitted,
          })
          .onConflict((oc) => oc.columns(['org_id', 'holder_key']).doNothing()),
      )
      .insertInto('contract_applications')
      .values({
        org_id: verdict.orgId,
        application_id: app.applicationId,
        holder_key: keys.holder,
        holder_type: app.holder.type,
        address_key: keys.address,
        device_key: keys.device ?? null,
        sales_channel: app.salesChannel.type,
        outlet: outletOf(app.salesChannel),
        voice_lines: lines.voice,
        data_sms_lines: lines.data_sms,
        data_lines: lines.data,
        submitted_at: submitted,
        decision_id: verdict.id,
        action: verdict.action,
        identity_key: keys.identity,
        held_voice: held.voice,
        held_data_sms: held.data_sms,
        held_data: held.data,
        ip_key: keys.ip ?? null,
        user_keys: userKeysArray(keys.registeredUsers),
      })
      .onConflict((oc) =>
        oc.columns(['org_id', 'application_id', 'holder_key', 'outlet']).doUpdateSet((eb) => ({
          holder_type: eb.ref('excluded.holder_type'),
          address_key: eb.ref('excluded.address_key'),
          device_key: eb.ref('excluded.device_key'),
          sales_channel: eb.ref('excluded.sales_channel'),
          identity_key: eb.ref('excluded.identity_key'),
          held_voice: eb.ref('excluded.held_voice'),
          held_data_sms: eb.ref('excluded.held_data_sms'),
          held_data: eb.ref('excluded.held_data'),
          ip_key: eb.ref('excluded.ip_key'),
          user_keys: eb.ref('excluded.user_keys'),
          voice_lines: eb.ref('excluded.voice_lines'),
          data_sms_lines: eb.ref('excluded.data_sms_lines'),
          data_lines: eb.ref('excluded.data_lines'),
          submitted_at: eb.ref('excluded.submitted_at'),
          decision_id: eb.ref('excluded.decision_id'),
          action: eb.ref('excluded.action'),
        })),
      )
      .execute();
    await this.#useException(verdict);
  }

  /**
   * One exception, one use (P2): when a screening passed on HQ's approved
   * exception (the lines are granted now), the exception is marked used by
   * that decision, and a later screening of the application is judged
   * afresh. A verdict that still stops the lines (a step-up, a block) uses
   * nothing.
   */
  async #useException(verdict: Verdict): Promise<void> {
    if (verdict.action !== 'allow' && verdict.action !== 'warn') return;
    const cases = new Set<string>();
    for (const h of verdict.hits) {
      const caseId = h.signal === 'CONTRACT_EXCEPTION_APPROVED' ? h.params?.caseId : undefined;
      if (typeof caseId === 'string') cases.add(caseId);
    }
    if (cases.size === 0) return;
    await this.#db
      .updateTable('contract_exceptions')
      .set({ used_decision_id: verdict.id, used_at: new Date(verdict.createdAt) })
      .where('org_id', '=', verdict.orgId)
      .where('case_id', 'in', [...cases])
      .where('used_decision_id', 'is', null)
      .execute();
  }

  /**
   * A contract case closed. Approved: an exception row records the lines of
   * the application the case was opened on, so re-screening the same
   * application id passes for those lines only. Denied or expired: nothing is
   * allowed and nothing is written.
   */
  onOutcome(outcome: ContractOutcome): Promise<void> {
    return recordException(this.#db, this.#decisions, outcome);
  }
}

/** The user keys of an application's registered users, as a `text[]` value. */
function userKeysArray(keys: readonly (string | undefined)[]) {
  const present = [...new Set(keys.filter((k): k is string => k !== undefined))];
  return present.length === 0
    ? sql<string[]>`'{}'::text[]`
    : sql<string[]>`array[${sql.join(present)}]::text[]`;
}
