import { type Selectable, sql } from 'kysely';
import { parseInput } from '../../core/index.ts';
import type { KeyedHasher } from '../../intel/keyed-hash.ts';
import { arrayParam } from '../../intel/pg-array.ts';
import { upsertRounds } from '../../intel/upsert-rounds.ts';
import { toIso } from '../../store/to-iso.ts';
import type { SimCounts } from './contract-context.ts';
import { corporationKey, identityKey, userKey } from './contract-keys.ts';
import type { HolderType, SalesChannel, SimType } from './contract-schema.ts';
import { fastLineEvent } from './line-event-fast.ts';
import { type LineEvent, type LineStatus, lineEventSchema } from './lines-schema.ts';
import type { ContractDb, ContractLinesTable } from './tables.ts';

/**
 * Lines per bulk upsert statement. The lines travel as one array per column
 * (`unnest`), so a statement has a dozen parameters however many it holds.
 */
export const LINE_BATCH = 5_000;

/** A line event validated and keyed, ready to store: no raw identity left. */
export interface PreparedLine {
  readonly lineId: string;
  readonly holderKey: string;
  readonly holderType: HolderType;
  readonly corporateNumber: string | null;
  readonly simType: SimType;
  readonly status: LineStatus;
  readonly contractedAt: Date | null;
  readonly cancelledAt: Date | null;
  readonly salesChannel: SalesChannel | null;
  readonly outlet: string | null;
  readonly registeredUserKey: string | null;
}

/** A stored line, as the API returns it. */
export interface StoredLine {
  readonly lineId: string;
  readonly holderKey: string;
  readonly simType: SimType;
  readonly status: LineStatus;
  readonly contractedAt: string | null;
  readonly cancelledAt: string | null;
  readonly salesChannel: SalesChannel | null;
  readonly outlet: string | null;
  readonly registeredUserKey: string | null;
}

/**
 * The carrier's lines (measure P2: counts of lines held must stay true):
 * existing lines loaded in bulk, activations and cancellations recorded as
 * they happen. Upserted by (organisation, line id); holders are keyed, never
 * stored raw.
 *
 * @example
 * const lines = new LineStore({ db: db.$extendTables<ContractTables>(), hasher });
 * await lines.record(orgId, { lineId: '+819012345678', holderKey, simType: 'voice', status: 'cancelled', cancelledAt: '2026-01-10' });
 */
export class LineStore {
  readonly #db: ContractDb;
  readonly #hasher: KeyedHasher;

  constructor(deps: { readonly db: ContractDb; readonly hasher: KeyedHasher }) {
    this.#db = deps.db;
    this.#hasher = deps.hasher;
  }

  /**
   * Validate one line event and key its holder and registered user.
   *
   * @throws MamoruError `validation_failed` naming each field at fault.
   */
  prepare(input: unknown): PreparedLine {
    // The common import line is checked by hand; the schema decides (and names the error) for the rest.
    return this.prepareEvent(fastLineEvent(input) ?? parseInput(lineEventSchema, input));
  }

  /**
   * Key a validated line event (the HTTP edge has validated it already).
   *
   * @throws MamoruError `validation_failed` naming an identity field that cannot be keyed.
   */
  prepareEvent(line: LineEvent): PreparedLine {
    const holderKey =
      line.holderKey ??
      (line.holderType === 'corporation' && line.corporateNumber !== undefined
        ? corporationKey(line.corporateNumber, this.#hasher)
        : identityKey(line.holder!, this.#hasher, 'holder'));
    const registeredUserKey =
      line.registeredUserKey ??
      (line.registeredUser ? userKey(line.registeredUser, this.#hasher, 'registeredUser') : null);
    return {
      lineId: line.lineId,
      holderKey,
      holderType: line.holderType,
      corporateNumber: line.corporateNumber ?? null,
      simType: line.simType,
      status: line.status,
      contractedAt: line.contractedAt ?? null,
      cancelledAt: line.cancelledAt ?? null,
      salesChannel: line.salesChannel ?? null,
      outlet: line.outlet ?? null,
      registeredUserKey,
    };
  }

  /**
   * Upsert prepared lines of one organisation, {@link LINE_BATCH} per
   * statement, with their holders; returns, in input order, whether each line
   * was new. A line id repeated in the input goes into a later statement (one
   * statement cannot touch a row twice, `upsertRounds`), so repeats apply in
   * order.
   */
  async upsertMany(orgId: string, items: readonly PreparedLine[], now = new Date()): Promise<boolean[]> {
    const created = new Array<boolean>(items.length).fill(false);
    for (const chunk of upsertRounds(items, (l) => l.lineId, LINE_BATCH)) {
      const batch = chunk.map((i) => items[i]!);
      const { inserted, new_ids: newIds } = (await upsertLinesStatement(orgId, batch, now).execute(this.#db))
        .rows[0]!;
      if (Number(inserted) === chunk.length) for (const i of chunk) created[i] = true;
      else if (newIds && newIds.length > 0) {
        const fresh = new Set(newIds);
        for (const i of chunk) created[i] = fresh.has(items[i]!.lineId);
      }
    }
    return created;
  }

  /**
   * Record one line event (an activation, a suspension, a cancellation): raw
   * input, or a line event already validated. Returns the stored line.
   */
  async record(
    orgId: string,
    input: unknown,
    options: { readonly validated?: boolean } = {},
  ): Promise<{ line: StoredLine; created: boolean }> {
    const prepared = options.validated ? this.prepareEvent(input as LineEvent) : this.prepare(input);
    const [row] = await this.#upsert(orgId, [prepared], new Date());
    return { line: storedLine(row!), created: row!.inserted };
  }

  /** Lines a holder holds now (active and suspended), by SIM type. */
  async held(orgId: string, holderKey: string): Promise<SimCounts> {
    const rows = await this.#db
      .selectFrom('contract_lines')
      .select((eb) => ['sim_type', eb.fn.countAll<number>().as('n')])
      .where('org_id', '=', orgId)
      .where('holder_key', '=', holderKey)
      .where('status', 'in', ['active', 'suspended'])
      .groupBy('sim_type')
      .execute();
    const counts = { voice: 0, data_sms: 0, data: 0 };
    for (const r of rows) if (r.sim_type in counts) counts[r.sim_type as SimType] = Number(r.n);
    return counts;
  }

  async #upsert(orgId: string, batch: readonly PreparedLine[], now: Date) {
    const holders = holdersOf(batch, now);
    return this.#db
      .with('holders', (db) =>
        db
          .insertInto('contract_holders')
          .values(
            [...holders].map(([key, h]) => ({
              org_id: orgId,
              holder_key: key,
              holder_type: h.type,
              corporate_number: h.corporateNumber,
              first_seen: h.firstSeen,
            })),
          )
          .onConflict((oc) => oc.columns(['org_id', 'holder_key']).doNothing()),
      )
      .insertInto('contract_lines')
      .values(
        batch.map((l) => ({
          org_id: orgId,
          line_id: l.lineId,
          holder_key: l.holderKey,
          sim_type: l.simType,
          status: l.status,
          contracted_at: l.contractedAt,
          cancelled_at: l.cancelledAt,
          sales_channel: l.salesChannel,
          outlet: l.outlet,
          registered_user_key: l.registeredUserKey,
          updated_at: now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['org_id', 'line_id']).doUpdateSet((eb) => ({
          holder_key: eb.ref('excluded.holder_key'),
          sim_type: eb.ref('excluded.sim_type'),
          status: eb.ref('excluded.status'),
          // A cancellation that does not repeat the contract date keeps the one on record.
          contracted_at: sql`coalesce(excluded.contracted_at, contract_lines.contracted_at)`,
          cancelled_at: eb.ref('excluded.cancelled_at'),
          sales_channel: sql`coalesce(excluded.sales_channel, contract_lines.sales_channel)`,
          outlet: sql`coalesce(excluded.outlet, contract_lines.outlet)`,
          registered_user_key: eb.ref('excluded.registered_user_key'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returningAll()
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .execute();
  }
}

/**
 * The bulk form of `LineStore`'s upsert: each column one array parameter,
 * unnested into rows (cheap to send and plan on PGlite and PostgreSQL alike),
 * holders first (sorted, so two imports at once take their locks in one
 * order), the same rules on a known line as {@link LineStore.record}.
 */
function upsertLinesStatement(orgId: string, batch: readonly PreparedLine[], now: Date) {
  const holders = holdersOf(batch, now);
  const holderRows = [...holders].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const text = (values: readonly (string | null)[]) => arrayParam(values, 'text');
  const times = (values: readonly (string | null)[]) => arrayParam(values, 'timestamptz');
  // Arrays as literals built in one pass, and one answer row: see upsertManyStatement (intel).
  return sql<{ inserted: string | number; new_ids: string[] | null }>`
    with holders as (
      insert into contract_holders (org_id, holder_key, holder_type, corporate_number, first_seen)
      select ${orgId}, h.holder_key, h.holder_type, h.corporate_number, h.first_seen
      from unnest(${text(holderRows.map(([key]) => key))}, ${text(holderRows.map(([, h]) => h.type))},
        ${text(holderRows.map(([, h]) => h.corporateNumber))},
        ${times(holderRows.map(([, h]) => h.firstSeen.toISOString()))})
        as h(holder_key, holder_type, corporate_number, first_seen)
      on conflict (org_id, holder_key) do nothing
    ), written as (
    insert into contract_lines (org_id, line_id, holder_key, sim_type, status, contracted_at,
      cancelled_at, sales_channel, outlet, registered_user_key, updated_at)
    select ${orgId}, l.line_id, l.holder_key, l.sim_type, l.status, l.contracted_at,
      l.cancelled_at, l.sales_channel, l.outlet, l.registered_user_key, ${now}
    from unnest(${text(batch.map((l) => l.lineId))}, ${text(batch.map((l) => l.holderKey))},
      ${text(batch.map((l) => l.simType))}, ${text(batch.map((l) => l.status))},
      ${times(batch.map((l) => iso(l.contractedAt)))}, ${times(batch.map((l) => iso(l.cancelledAt)))},
      ${text(batch.map((l) => l.salesChannel))}, ${text(batch.map((l) => l.outlet))},
      ${text(batch.map((l) => l.registeredUserKey))})
      as l(line_id, holder_key, sim_type, status, contracted_at, cancelled_at, sales_channel, outlet, registered_user_key)
    on conflict (org_id, line_id) do update set
      holder_key = excluded.holder_key,
      sim_type = excluded.sim_type,
      status = excluded.status,
      contracted_at = coalesce(excluded.contracted_at, contract_lines.contracted_at),
      cancelled_at = excluded.cancelled_at,
      sales_channel = coalesce(excluded.sales_channel, contract_lines.sales_channel),
      outlet = coalesce(excluded.outlet, contract_lines.outlet),
      registered_user_key = excluded.registered_user_key,
      updated_at = excluded.updated_at
    returning line_id, (xmax = 0) as inserted
    )
    select count(*) filter (where inserted) as inserted,
      case when count(*) filter (where inserted) not in (0, count(*))
        then array_agg(line_id) filter (where inserted) end as new_ids
    from written`;
}

function storedLine(row: Selectable<ContractLinesTable>): StoredLine {
  return {
    lineId: row.line_id,
    holderKey: row.holder_key,
    simType: row.sim_type as SimType,
    status: row.status as LineStatus,
    contractedAt: row.contracted_at ? toIso(row.contracted_at) : null,
    cancelledAt: row.cancelled_at ? toIso(row.cancelled_at) : null,
    salesChannel: row.sales_channel as SalesChannel | null,
    outlet: row.outlet,
    registeredUserKey: row.registered_user_key,
  };
}

/** The holders of a batch of lines, each with its earliest contract date (or `now`) as first seen. */
function holdersOf(batch: readonly PreparedLine[], now: Date) {
  const holders = new Map<string, { type: HolderType; corporateNumber: string | null; firstSeen: Date }>();
  for (const l of batch) {
    const seen = l.contractedAt ?? now;
    const known = holders.get(l.holderKey);
    if (!known)
      holders.set(l.holderKey, { type: l.holderType, corporateNumber: l.corporateNumber, firstSeen: seen });
    else if (seen < known.firstSeen) known.firstSeen = seen;
  }
  return holders;
}
