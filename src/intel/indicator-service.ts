import { type Kysely, type Selectable, sql } from 'kysely';
import {
  type IndicatorMatch,
  type IndicatorRef,
  type IndicatorType,
  type IndicatorVerdict,
  type IntelLookup,
  isSensitiveType,
  newId,
  notFound,
  type SharingScope,
} from '../core/index.ts';
import type { Database, IndicatorsTable } from '../store/schema.ts';
import {
  type Indicator,
  type IndicatorInput,
  type IndicatorPatch,
  type IndicatorQuery,
  indicatorInputSchema,
  indicatorPatchSchema,
  indicatorQuerySchema,
} from './indicator-schemas.ts';
import { indicatorValue } from './indicator-value.ts';
import type { KeyedHasher } from './keyed-hash.ts';
import type { IdentityAttributes } from './normalise-identity.ts';
import { parseInput } from './parse-input.ts';

/** Rows per upsert statement: 500 × 14 parameters stays far below PostgreSQL's 65 535. */
export const UPSERT_BATCH = 500;

/** Confidence given to indicators shared from a case a person resolved as fraud. */
export const CASE_CONFIDENCE = 90;

/** An indicator input after validation and normalisation, ready to store. */
export interface PreparedIndicator {
  readonly type: IndicatorType;
  /** Canonical value, or the keyed hash for sensitive types. */
  readonly value: string;
  readonly verdict: IndicatorVerdict;
  readonly confidence: number;
  readonly source: string;
  readonly scope: SharingScope;
  readonly firstSeen?: Date | undefined;
  readonly lastSeen?: Date | undefined;
  /** undefined: keep what is stored (or none for a new indicator); null: never expires. */
  readonly expiresAt?: Date | null | undefined;
  /** Empty keeps the stored tags on a refresh. */
  readonly tags: readonly string[];
  readonly description?: string | undefined;
}

export interface IndicatorServiceOptions {
  readonly db: Kysely<Database>;
  readonly hasher: KeyedHasher;
  /** The clock (tests set it). */
  readonly now?: () => Date;
}

/** What `IndicatorSink.add` (src/cases) passes: the resolution's transaction and how to record. */
export interface SinkOptions {
  readonly verdict: IndicatorVerdict;
  readonly source: string;
  readonly scope: SharingScope;
  readonly db?: Kysely<Database>;
}

/**
 * Indicators of one organisation and the lookups across organisations
 * (measures T1, T2, T4, M3, I3): typed, normalised values with a verdict,
 * confidence, source, sharing scope, first/last seen and expiry.
 *
 * Every query is filtered by organisation. A lookup sees the caller's own
 * indicators of any scope, `partners` ones of organisations in a
 * partnership with the caller (either direction of the row), and `public`
 * ones of any organisation; expired ones never match. Sensitive values
 * (bank_account, card, identity) reach the database only as keyed hashes.
 *
 * @example
 * const intel = new IndicatorService({ db, hasher });
 * await intel.upsert(orgId, { type: 'phone', value: '090-1234-5678', verdict: 'malicious', confidence: 90 });
 * await intel.lookupRaw(orgId, 'phone', '+81 90 1234 5678'); // [{ value: '+819012345678', … }]
 */
export class IndicatorService implements IntelLookup {
  readonly #db: Kysely<Database>;
  readonly #hasher: KeyedHasher;
  readonly #now: () => Date;

  constructor(options: IndicatorServiceOptions) {
    this.#db = options.db;
    this.#hasher = options.hasher;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Validate and normalise one input without touching the database.
   * @throws MamoruError `validation_failed` (a field) or `invalid_indicator` (the value).
   */
  prepare(input: IndicatorInput | unknown): PreparedIndicator {
    const parsed = parseInput(indicatorInputSchema, input);
    const value = indicatorValue(parsed.type, parsed.value as string | IdentityAttributes, this.#hasher, {
      hashed: parsed.hashed,
    });
    return {
      type: parsed.type,
      value,
      verdict: parsed.verdict,
      confidence: parsed.confidence,
      source: parsed.source,
      scope: parsed.scope,
      firstSeen: parsed.firstSeen === undefined ? undefined : new Date(parsed.firstSeen),
      lastSeen: parsed.lastSeen === undefined ? undefined : new Date(parsed.lastSeen),
      expiresAt: parsed.expiresAt == null ? parsed.expiresAt : new Date(parsed.expiresAt),
      tags: [...new Set(parsed.tags)],
      description: parsed.description,
    };
  }

  /**
   * Create an indicator, or refresh the one with the same organisation, type
   * and value: verdict, confidence, source, scope and last seen are replaced,
   * first seen is kept (the earlier wins); expiry, tags and description are
   * replaced only when given.
   */
  async upsert(orgId: string, input: IndicatorInput | unknown): Promise<{ indicator: Indicator; created: boolean }> {
    const prepared = this.prepare(input);
    const [row] = await this.#upsertRows(this.#db, orgId, [prepared], true);
    return { indicator: toIndicator(row!), created: row!.inserted };
  }

  /**
   * Upsert many prepared indicators, {@link UPSERT_BATCH} rows per statement.
   * Returns, in input order, whether each one was new. The same value twice
   * is applied in order (the second refreshes the first).
   */
  async upsertMany(orgId: string, items: readonly PreparedIndicator[], db: Kysely<Database> = this.#db): Promise<boolean[]> {
    const created: boolean[] = [];
    let batch: PreparedIndicator[] = [];
    let keys = new Set<string>();
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = await this.#upsertRows(db, orgId, batch, false);
      const inserted = new Map(rows.map((r) => [`${r.type}\u0000${r.value}`, r.inserted]));
      for (const item of batch) created.push(inserted.get(`${item.type}\u0000${item.value}`) ?? false);
      batch = [];
      keys = new Set();
    };
    for (const item of items) {
      const key = `${item.type}\u0000${item.value}`;
      // One statement cannot touch a row twice (ON CONFLICT), so a repeated value starts a new batch.
      if (keys.has(key) || batch.length >= UPSERT_BATCH) await flush();
      batch.push(item);
      keys.add(key);
    }
    await flush();
    return created;
  }

  /**
   * `IndicatorSink` for cases: record the indicators of a decision a person
   * resolved as fraud, through the resolution's transaction when given.
   */
  async add(orgId: string, refs: readonly IndicatorRef[], options: SinkOptions): Promise<boolean[]> {
    const items = refs.map((ref) =>
      this.prepare({
        type: ref.type,
        value: ref.value,
        hashed: isSensitiveType(ref.type),
        verdict: options.verdict,
        confidence: CASE_CONFIDENCE,
        source: options.source,
        scope: options.scope,
      }),
    );
    return this.upsertMany(orgId, items, options.db ?? this.#db);
  }

  async #upsertRows(db: Kysely<Database>, orgId: string, items: readonly PreparedIndicator[], all: boolean) {
    const now = this.#now();
    const rows = items.map((i) => {
      const lastSeen = i.lastSeen ?? now;
      return {
        id: newId('ind'),
        org_id: orgId,
        type: i.type,
        value: i.value,
        verdict: i.verdict,
        confidence: i.confidence,
        source: i.source,
        scope: i.scope,
        first_seen: i.firstSeen && i.firstSeen < lastSeen ? i.firstSeen : lastSeen,
        last_seen: lastSeen,
        expires_at: i.expiresAt ?? null,
        tags: JSON.stringify(i.tags),
        description: i.description ?? null,
        created_at: now,
        updated_at: now,
      };
    });
    const query = db
      .insertInto('indicators')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['org_id', 'type', 'value']).doUpdateSet((eb) => ({
          verdict: eb.ref('excluded.verdict'),
          confidence: eb.ref('excluded.confidence'),
          source: eb.ref('excluded.source'),
          scope: eb.ref('excluded.scope'),
          first_seen: sql`least(indicators.first_seen, excluded.first_seen)`,
          last_seen: sql`greatest(indicators.last_seen, excluded.last_seen)`,
          expires_at: sql`coalesce(excluded.expires_at, indicators.expires_at)`,
          tags: sql`case when excluded.tags = '[]'::jsonb then indicators.tags else excluded.tags end`,
          description: sql`coalesce(excluded.description, indicators.description)`,
          updated_at: eb.ref('excluded.updated_at'),
        })),
      );
    // xmax is 0 only for a row this statement inserted (PostgreSQL's usual upsert idiom).
    const inserted = sql<boolean>`(xmax = 0)`.as('inserted');
    if (all) return query.returningAll().returning(inserted).execute();
    const partial = await query.returning(['type', 'value', inserted]).execute();
    return partial as (Selectable<IndicatorsTable> & { inserted: boolean })[];
  }

  /** One indicator of the organisation. @throws MamoruError `not_found` (also for another org's id). */
  async get(orgId: string, id: string): Promise<Indicator> {
    const row = await this.#db
      .selectFrom('indicators')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('indicator');
    return toIndicator(row);
  }

  /** The organisation's own indicators, newest first, filtered, a page at a time. */
  async list(orgId: string, query: IndicatorQuery = {}): Promise<{ items: Indicator[]; nextCursor: string | null }> {
    const q = parseInput(indicatorQuerySchema, query);
    let select = this.#db.selectFrom('indicators').selectAll().where('org_id', '=', orgId);
    if (q.type) select = select.where('type', '=', q.type);
    if (q.verdict) select = select.where('verdict', '=', q.verdict);
    if (q.scope) select = select.where('scope', '=', q.scope);
    if (q.source) select = select.where('source', '=', q.source);
    if (q.cursor) select = select.where('id', '<', q.cursor);
    // Ids are time-ordered, so id order is creation order.
    const rows = await select.orderBy('id', 'desc').limit(q.limit + 1).execute();
    const page = rows.slice(0, q.limit).map(toIndicator);
    return { items: page, nextCursor: rows.length > q.limit ? page.at(-1)!.id : null };
  }

  /** Change verdict, confidence, source, scope, expiry, tags or description. @throws `not_found`. */
  async update(orgId: string, id: string, patch: IndicatorPatch | unknown): Promise<Indicator> {
    const p = parseInput(indicatorPatchSchema, patch);
    const row = await this.#db
      .updateTable('indicators')
      .set({
        ...(p.verdict === undefined ? {} : { verdict: p.verdict }),
        ...(p.confidence === undefined ? {} : { confidence: p.confidence }),
        ...(p.source === undefined ? {} : { source: p.source }),
        ...(p.scope === undefined ? {} : { scope: p.scope }),
        ...(p.expiresAt === undefined ? {} : { expires_at: p.expiresAt === null ? null : new Date(p.expiresAt) }),
        ...(p.tags === undefined ? {} : { tags: JSON.stringify([...new Set(p.tags)]) }),
        ...(p.description === undefined ? {} : { description: p.description }),
        updated_at: this.#now(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('indicator');
    return toIndicator(row);
  }

  /** Delete one of the organisation's indicators. @throws `not_found`. */
  async delete(orgId: string, id: string): Promise<void> {
    const result = await this.#db
      .deleteFrom('indicators')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) throw notFound('indicator');
  }

  /**
   * Look up extracted indicators (the engine's pre stage): one query for all
   * refs. Own indicators of any scope, partners' `partners` and `public`
   * ones, and anyone's `public` ones; expired ones never match. Own matches
   * come first, then by confidence.
   */
  async lookup(orgId: string, refs: readonly IndicatorRef[]): Promise<readonly IndicatorMatch[]> {
    const unique = new Map<string, IndicatorRef>();
    for (const r of refs) unique.set(`${r.type}\u0000${r.value}`, r);
    if (unique.size === 0) return [];
    const now = this.#now();
    const rows = await this.#db
      .selectFrom('indicators')
      .select(['id', 'org_id', 'type', 'value', 'verdict', 'confidence', 'source', 'scope'])
      .where((eb) =>
        eb(
          eb.refTuple('type', 'value'),
          'in',
          [...unique.values()].map((r) => eb.tuple(r.type, r.value)),
        ),
      )
      .where((eb) =>
        eb.or([
          eb('org_id', '=', orgId),
          eb('scope', '=', 'public'),
          eb.and([
            eb('scope', '=', 'partners'),
            eb.or([
              eb('org_id', 'in', eb.selectFrom('partnerships').select('partner_org_id').where('org_id', '=', orgId)),
              eb('org_id', 'in', eb.selectFrom('partnerships').select('org_id').where('partner_org_id', '=', orgId)),
            ]),
          ]),
        ]),
      )
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .execute();
    return rows
      .map(
        (r): IndicatorMatch => ({
          id: r.id,
          type: r.type as IndicatorType,
          value: r.value,
          verdict: r.verdict as IndicatorVerdict,
          confidence: r.confidence,
          source: r.source,
          scope: r.scope as SharingScope,
          orgId: r.org_id,
        }),
      )
      .sort(
        (a, b) =>
          Number(b.orgId === orgId) - Number(a.orgId === orgId) ||
          b.confidence - a.confidence ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
  }

  /**
   * Normalise a raw value (hash it for sensitive types) and look it up.
   * @throws MamoruError `invalid_indicator` when the value is not of the type.
   */
  async lookupRaw(
    orgId: string,
    type: IndicatorType,
    raw: string | IdentityAttributes,
    options: { readonly hashed?: boolean } = {},
  ): Promise<readonly IndicatorMatch[]> {
    return this.lookup(orgId, [{ type, value: indicatorValue(type, raw, this.#hasher, options) }]);
  }
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function toIndicator(row: Selectable<IndicatorsTable>): Indicator {
  const type = row.type as IndicatorType;
  return {
    id: row.id,
    orgId: row.org_id,
    type,
    value: row.value,
    hashed: isSensitiveType(type),
    verdict: row.verdict as IndicatorVerdict,
    confidence: row.confidence,
    source: row.source,
    scope: row.scope as SharingScope,
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
    expiresAt: row.expires_at === null ? null : iso(row.expires_at),
    tags: Array.isArray(row.tags) ? row.tags : (JSON.parse(row.tags as unknown as string) as string[]),
    description: row.description,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
