import { type Kysely, type Selectable, sql } from 'kysely';
import { type IndicatorType, type IndicatorVerdict, newId, type SharingScope } from '../core/index.ts';
import type { Database, IndicatorsTable } from '../store/schema.ts';
import { upsertRounds } from './upsert-rounds.ts';

/**
 * Rows per upsert statement. The rows travel as one array per column
 * (`unnest`), so a statement has 12 parameters however many rows it holds.
 */
export const UPSERT_BATCH = 5_000;

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
 * repeated in the input goes into a later statement (one statement cannot
 * touch a row twice, `upsertRounds`), so repeats apply in order.
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
  const created = new Array<boolean>(items.length).fill(false);
  const keyOf = (i: PreparedIndicator) => `${i.type}\u0000${i.value}`;
  for (const chunk of upsertRounds(items, keyOf, UPSERT_BATCH)) {
    const { rows } = await upsertManyStatement(
      orgId,
      chunk.map((i) => items[i]!),
      now,
    ).execute(db);
    const inserted = new Map(rows.map((r) => [`${r.type}\u0000${r.value}`, r.inserted]));
    for (const i of chunk) created[i] = inserted.get(keyOf(items[i]!)) ?? false;
  }
  return created;
}

/**
 * Many rows in one statement: each column is one array parameter, unnested
 * into rows (the same on PGlite and PostgreSQL, and far cheaper to send and
 * plan than a VALUES list of thousands of parameters). Same upsert rules as
 * {@link upsertStatement}.
 */
function upsertManyStatement(orgId: string, items: readonly PreparedIndicator[], now: Date) {
  const n = items.length;
  const ids = new Array<string>(n);
  const types = new Array<string>(n);
  const values = new Array<string>(n);
  const verdicts = new Array<string>(n);
  const confidences = new Array<number>(n);
  const sources = new Array<string>(n);
  const scopes = new Array<string>(n);
  const firstSeen = new Array<string>(n);
  const lastSeen = new Array<string>(n);
  const expiresAt = new Array<string | null>(n);
  const tags = new Array<string>(n);
  const descriptions = new Array<string | null>(n);
  for (let k = 0; k < n; k++) {
    const i = items[k]!;
    const last = i.lastSeen ?? now;
    ids[k] = newId('ind');
    types[k] = i.type;
    values[k] = i.value;
    verdicts[k] = i.verdict;
    confidences[k] = i.confidence;
    sources[k] = i.source;
    scopes[k] = i.scope;
    firstSeen[k] = (i.firstSeen && i.firstSeen < last ? i.firstSeen : last).toISOString();
    lastSeen[k] = last.toISOString();
    expiresAt[k] = i.expiresAt ? i.expiresAt.toISOString() : null;
    tags[k] = JSON.stringify(i.tags);
    descriptions[k] = i.description ?? null;
  }
  return sql<{ type: string; value: string; inserted: boolean }>`
    insert into indicators (id, org_id, type, value, verdict, confidence, source, scope,
      first_seen, last_seen, expires_at, tags, description, created_at, updated_at)
    select u.id, ${orgId}, u.type, u.value, u.verdict, u.confidence, u.source, u.scope,
      u.first_seen, u.last_seen, u.expires_at, u.tags::jsonb, u.description, ${now}, ${now}
    from unnest(${ids}::text[], ${types}::text[], ${values}::text[], ${verdicts}::text[],
      ${confidences}::int[], ${sources}::text[], ${scopes}::text[], ${firstSeen}::timestamptz[],
      ${lastSeen}::timestamptz[], ${expiresAt}::timestamptz[], ${tags}::text[], ${descriptions}::text[])
      as u(id, type, value, verdict, confidence, source, scope, first_seen, last_seen, expires_at, tags, description)
    on conflict (org_id, type, value) do update set
      verdict = excluded.verdict,
      confidence = excluded.confidence,
      source = excluded.source,
      scope = excluded.scope,
      first_seen = least(indicators.first_seen, excluded.first_seen),
      last_seen = greatest(indicators.last_seen, excluded.last_seen),
      expires_at = coalesce(excluded.expires_at, indicators.expires_at),
      tags = case when excluded.tags = '[]'::jsonb then indicators.tags else excluded.tags end,
      description = coalesce(excluded.description, indicators.description),
      updated_at = excluded.updated_at
    returning type, value, (xmax = 0) as inserted`;
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
