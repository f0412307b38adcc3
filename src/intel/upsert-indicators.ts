import { type Kysely, type Selectable, sql } from 'kysely';
import { type IndicatorType, type IndicatorVerdict, newId, type SharingScope } from '../core/index.ts';
import type { Database, IndicatorsTable } from '../store/schema.ts';

/** Rows per upsert statement: 500 × 15 parameters stays far below PostgreSQL's 65 535. */
export const UPSERT_BATCH = 500;

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

/**
 * Upsert prepared indicators of one organisation, {@link UPSERT_BATCH} rows
 * per statement; returns, in input order, whether each was new. A value
 * repeated in the input starts a new statement (one statement cannot touch
 * a row twice), so repeats apply in order.
 *
 * On a known (organisation, type, value): verdict, confidence, source and
 * scope are replaced, first seen keeps the earlier and last seen the later
 * time; expiry and description are replaced only when given, tags only
 * when non-empty.
 */
export async function upsertIndicators(
  db: Kysely<Database>,
  orgId: string,
  items: readonly PreparedIndicator[],
  now: Date,
): Promise<boolean[]> {
  const created: boolean[] = [];
  let batch: PreparedIndicator[] = [];
  let keys = new Set<string>();
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = await upsertStatement(db, orgId, batch, now)
      .returning(['type', 'value', INSERTED])
      .execute();
    const inserted = new Map(rows.map((r) => [`${r.type}\u0000${r.value}`, r.inserted]));
    for (const item of batch) created.push(inserted.get(`${item.type}\u0000${item.value}`) ?? false);
    batch = [];
    keys = new Set();
  };
  for (const item of items) {
    const key = `${item.type}\u0000${item.value}`;
    if (keys.has(key) || batch.length >= UPSERT_BATCH) await flush();
    batch.push(item);
    keys.add(key);
  }
  await flush();
  return created;
}

/** Upsert one indicator and return its stored row, with whether it was new. */
export async function upsertIndicatorRow(
  db: Kysely<Database>,
  orgId: string,
  item: PreparedIndicator,
  now: Date,
): Promise<Selectable<IndicatorsTable> & { inserted: boolean }> {
  return upsertStatement(db, orgId, [item], now).returningAll().returning(INSERTED).executeTakeFirstOrThrow();
}

// xmax is 0 only for a row this statement inserted (PostgreSQL's usual upsert idiom).
const INSERTED = sql<boolean>`(xmax = 0)`.as('inserted');

function upsertStatement(
  db: Kysely<Database>,
  orgId: string,
  items: readonly PreparedIndicator[],
  now: Date,
) {
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
  return db
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
}
