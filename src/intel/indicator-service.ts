import { type Kysely, sql } from 'kysely';
import {
  type IndicatorMatch,
  type IndicatorRef,
  type IndicatorType,
  type IndicatorVerdict,
  type IntelLookup,
  invalidField,
  isMamoruError,
  isSensitiveType,
  notFound,
  type SharingScope,
} from '../core/index.ts';
import { parseInput } from '../core/parse-input.ts';
import type { Database } from '../store/schema.ts';
import { fastIndicatorInput } from './indicator-input-fast.ts';
import { toIndicator } from './indicator-row.ts';
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
import { IntelCache, type IntelCacheOptions, type LoadedMatch } from './intel-cache.ts';
import { isKeyedHash, type KeyedHasher } from './keyed-hash.ts';
import type { IdentityAttributes } from './normalise-identity.ts';
import { type PreparedIndicator, upsertIndicatorRow, upsertIndicators } from './upsert-indicators.ts';

export { type PreparedIndicator, UPSERT_BATCH } from './upsert-indicators.ts';

/** Confidence given to indicators shared from a case a person resolved as fraud. */
export const CASE_CONFIDENCE = 90;

export interface IndicatorServiceOptions {
  readonly db: Kysely<Database>;
  readonly hasher: KeyedHasher;
  /** The clock (tests set it). */
  readonly now?: () => Date;
  /** The lookup cache (TTL and size); see `IntelCache`. */
  readonly cache?: IntelCacheOptions;
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
 * Lookups are cached in this process (`IntelCache`: per organisation,
 * positive and negative answers, `INTEL_CACHE_TTL_MS` at most). Every
 * write through this service forgets the values it wrote, so this process
 * reads its own writes at once; writes by other processes show within the TTL.
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
  readonly #cache: IntelCache;

  constructor(options: IndicatorServiceOptions) {
    this.#db = options.db;
    this.#hasher = options.hasher;
    this.#now = options.now ?? (() => new Date());
    this.#cache = new IntelCache(options.cache);
  }

  /**
   * Validate and normalise one input without touching the database.
   * @throws MamoruError `validation_failed` (a field) or `invalid_indicator` (the value).
   */
  prepare(input: IndicatorInput | unknown): PreparedIndicator {
    // The common import line is checked by hand; the schema decides (and names the error) for the rest.
    const parsed = fastIndicatorInput(input) ?? parseInput(indicatorInputSchema, input);
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
      tags: parsed.tags.length === 0 ? parsed.tags : [...new Set(parsed.tags)],
      description: parsed.description,
    };
  }

  /**
   * Create an indicator, or refresh the one with the same organisation, type
   * and value: verdict, confidence, source, scope and last seen are replaced,
   * first seen is kept (the earlier wins); expiry, tags and description are
   * replaced only when given.
   */
  async upsert(
    orgId: string,
    input: IndicatorInput | unknown,
  ): Promise<{ indicator: Indicator; created: boolean }> {
    const row = await upsertIndicatorRow(this.#db, orgId, this.prepare(input), this.#now());
    this.#cache.invalidate([row]);
    return { indicator: toIndicator(row), created: row.inserted };
  }

  /**
   * Upsert many prepared indicators, {@link UPSERT_BATCH} rows per statement.
   * Returns, in input order, whether each one was new. The same value twice
   * is applied in order (the second refreshes the first).
   */
  async upsertMany(
    orgId: string,
    items: readonly PreparedIndicator[],
    db: Kysely<Database> = this.#db,
  ): Promise<boolean[]> {
    try {
      return await upsertIndicators(db, orgId, items, this.#now());
    } finally {
      // Also after a failure: a statement before the failing one may have committed.
      this.#cache.invalidate(items);
    }
  }

  /**
   * `IndicatorSink` for cases: record the indicators of a decision a person
   * resolved as fraud, through the resolution's transaction when given.
   */
  async add(orgId: string, refs: readonly IndicatorRef[], options: SinkOptions): Promise<boolean[]> {
    return this.upsertMany(orgId, this.#sinkItems(refs, options), options.db ?? this.#db);
  }

  /**
   * `IndicatorSink`: the resolution's transaction committed what `add` wrote.
   * Other connections see the write only now, so the cache forgets it again:
   * a lookup made between `add` and the commit may have cached the old answer.
   */
  committed(_orgId: string, refs: readonly IndicatorRef[], options: SinkOptions): void {
    this.#cache.invalidate(this.#sinkItems(refs, options));
  }

  /** Forget every cached lookup: call when a partnership changes what organisations see of each other. */
  clearLookupCache(): void {
    this.#cache.clear();
  }

  #sinkItems(refs: readonly IndicatorRef[], options: SinkOptions): PreparedIndicator[] {
    return refs.map((ref) =>
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
  async list(
    orgId: string,
    query: IndicatorQuery = {},
  ): Promise<{ items: Indicator[]; nextCursor: string | null }> {
    const q = parseInput(indicatorQuerySchema, query);
    let select = this.#db.selectFrom('indicators').selectAll().where('org_id', '=', orgId);
    if (q.type) select = select.where('type', '=', q.type);
    if (q.verdict) select = select.where('verdict', '=', q.verdict);
    if (q.scope) select = select.where('scope', '=', q.scope);
    if (q.source) select = select.where('source', '=', q.source);
    if (q.value !== undefined) {
      if (q.type) select = select.where('value', '=', this.storedValue(q.type, q.value, 'query.value'));
      else
        select = select.where(
          sql<boolean>`lower(value) like ${`%${escapeLike(q.value.toLowerCase())}%`} escape '\\'`,
        );
    }
    if (q.cursor) select = select.where('id', '<', q.cursor);
    // Ids are time-ordered, so id order is creation order.
    const rows = await select
      .orderBy('id', 'desc')
      .limit(q.limit + 1)
      .execute();
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
        ...(p.expiresAt === undefined
          ? {}
          : { expires_at: p.expiresAt === null ? null : new Date(p.expiresAt) }),
        ...(p.tags === undefined ? {} : { tags: JSON.stringify([...new Set(p.tags)]) }),
        ...(p.description === undefined ? {} : { description: p.description }),
        updated_at: this.#now(),
      })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('indicator');
    this.#cache.invalidate([row]);
    return toIndicator(row);
  }

  /** Delete one of the organisation's indicators. @throws `not_found`. */
  async delete(orgId: string, id: string): Promise<void> {
    const row = await this.#db
      .deleteFrom('indicators')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returning(['type', 'value'])
      .executeTakeFirst();
    if (!row) throw notFound('indicator');
    this.#cache.invalidate([row]);
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
    const matches = await this.#cache.lookup(orgId, [...unique.values()], now.getTime(), (missing) =>
      this.#query(orgId, missing, now),
    );
    return matches.sort(
      (a, b) =>
        Number(b.orgId === orgId) - Number(a.orgId === orgId) ||
        b.confidence - a.confidence ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }

  /** The database side of `lookup`: unexpired matches of the refs visible to the organisation. */
  async #query(orgId: string, refs: readonly IndicatorRef[], now: Date): Promise<LoadedMatch[]> {
    const rows = await this.#db
      .selectFrom('indicators')
      .select(['id', 'org_id', 'type', 'value', 'verdict', 'confidence', 'source', 'scope', 'expires_at'])
      .where((eb) =>
        eb(
          eb.refTuple('type', 'value'),
          'in',
          refs.map((r) => eb.tuple(r.type, r.value)),
        ),
      )
      .where((eb) =>
        eb.or([
          eb('org_id', '=', orgId),
          eb('scope', '=', 'public'),
          eb.and([
            eb('scope', '=', 'partners'),
            eb.or([
              eb(
                'org_id',
                'in',
                eb.selectFrom('partnerships').select('partner_org_id').where('org_id', '=', orgId),
              ),
              eb(
                'org_id',
                'in',
                eb.selectFrom('partnerships').select('org_id').where('partner_org_id', '=', orgId),
              ),
            ]),
          ]),
        ]),
      )
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .execute();
    return rows.map((r) => ({
      match: {
        id: r.id,
        type: r.type as IndicatorType,
        value: r.value,
        verdict: r.verdict as IndicatorVerdict,
        confidence: r.confidence,
        source: r.source,
        scope: r.scope as SharingScope,
        orgId: r.org_id,
      },
      expiresAt: r.expires_at === null ? null : new Date(r.expires_at).getTime(),
    }));
  }

  /**
   * The value a verdict stores for a raw one: normalised, and keyed-hashed
   * for sensitive types (a sensitive value given as its hash, 64 hex digits,
   * is taken as it is). A value that is not of the type is a 400 naming
   * `field` (the query parameter it came from).
   * @throws MamoruError `validation_failed` on `field` when the value is not of the type.
   */
  storedValue(type: IndicatorType, raw: string, field: string): string {
    try {
      return indicatorValue(type, raw, this.#hasher, { hashed: isSensitiveType(type) && isKeyedHash(raw) });
    } catch (error) {
      if (isMamoruError(error) && error.code === 'invalid_indicator')
        throw invalidField(field, `not a valid ${type}: ${error.message}`);
      throw error;
    }
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

/** `%`, `_` and the escape itself taken literally in a LIKE pattern. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
