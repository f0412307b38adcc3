import { type Kysely, type Selectable, sql } from 'kysely';
import { type IndicatorType, type IndicatorVerdict, newId, type SharingScope } from '../core/index.ts';
import type { Database, IndicatorsTable } from '../store/schema.ts';
import { arrayParam } from './pg-array.ts';
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
    const ids = chunk.map(() => newId('ind'));
    const { rows } = await upsertManyStatement(
      orgId,
      chunk.map((i) => items[i]!),
      ids,
      now,
    ).execute(db);
    const { inserted, new_ids: newIds } = rows[0]!;
    if (Number(inserted) === chunk.length) for (const i of chunk) created[i] = true;
    else if (newIds && newIds.length > 0) {
      // A new row keeps the id this statement gave it; a refreshed one keeps its own.
      const fresh = new Set(newIds);
      chunk.forEach((i, k) => {
        created[i] = fresh.has(ids[k]!);
      });
    }
  }
  return created;
}

/**
 * Many rows in one statement: each column is one array parameter, unnested
 * into rows (the same on PGlite and PostgreSQL, and far cheaper to send and
 * plan than a VALUES list of thousands of parameters). Same upsert rules as
 * {@link upsertStatement}.
 *
 * What it costs per row is kept down, on both sides: the arrays are built as
 * literals in one pass (`textArrayLiteral`); an absent first or last seen
 * goes as NULL (no timestamp to format here or parse there) and empty tags
 * as NULL, filled in by the statement; and it answers one row — how many
 * rows were new, and their ids only when some but not all were.
 */
function upsertManyStatement(
  orgId: string,
  items: readonly PreparedIndicator[],
  ids: readonly string[],
  now: Date,
) {
  const n = items.length;
  const types = new Array<string>(n);
  const values = new Array<string>(n);
  const verdicts = new Array<string>(n);
  const confidences = new Array<number>(n);
  const sources = new Array<string>(n);
  const scopes = new Array<string>(n);
  const firstSeen = new Array<string | null>(n);
  const lastSeen = new Array<string | null>(n);
  const expiresAt = new Array<string | null>(n);
  const tags = new Array<string | null>(n);
  const descriptions = new Array<string | null>(n);
  for (let k = 0; k < n; k++) {
    const i = items[k]!;
    types[k] = i.type;
    values[k] = i.value;
    verdicts[k] = i.verdict;
    confidences[k] = i.confidence;
    sources[k] = i.source;
    scopes[k] = i.scope;
    // The statement takes the earlier of first and last seen, and now for an absent last seen.
    firstSeen[k] = i.firstSeen ? i.firstSeen.toISOString() : null;
    lastSeen[k] = i.lastSeen ? i.lastSeen.toISOString() : null;
    expiresAt[k] = i.expiresAt ? i.expiresAt.toISOString() : null;
    tags[k] = i.tags.length === 0 ? null : JSON.stringify(i.tags);
    descriptions[k] = i.description ?? null;
  }
  return sql<{ inserted: string | number; new_ids: string[] | null }>`
    with written as (
      insert into indicators (id, org_id, type, value, verdict, confidence, source, scope,
        first_seen, last_seen, expires_at, tags, description, created_at, updated_at)
      select u.id, ${orgId}, u.type, u.value, u.verdict, u.confidence, u.source, u.scope,
        least(u.first_seen, coalesce(u.last_seen, ${now})), coalesce(u.last_seen, ${now}), u.expires_at,
        coalesce(u.tags::jsonb, '[]'::jsonb), u.description, ${now}, ${now}
      from unnest(${arrayParam(ids, 'text')}, ${arrayParam(types, 'text')}, ${arrayParam(values, 'text')},
        ${arrayParam(verdicts, 'text')}, cast(${`{${confidences.join(',')}}`} as text)::int[],
        ${arrayParam(sources, 'text')}, ${arrayParam(scopes, 'text')}, ${arrayParam(firstSeen, 'timestamptz')},
        ${arrayParam(lastSeen, 'timestamptz')}, ${arrayParam(expiresAt, 'timestamptz')},
        ${arrayParam(tags, 'text')}, ${arrayParam(descriptions, 'text')})
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
      returning id, (xmax = 0) as inserted
    )
    select count(*) filter (where inserted) as inserted,
      case when count(*) filter (where inserted) not in (0, count(*))
        then array_agg(id) filter (where inserted) end as new_ids
    from written`;
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
