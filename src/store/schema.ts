import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * The core's database schema as Kysely sees it (`CoreDatabase`). One dialect
 * (PostgreSQL) for both backends: PGlite in process and a PostgreSQL server.
 * Migrations in `migrations/` create exactly this. A channel's own tables are
 * declared in its folder, created by its own migrations, and reached with
 * `db.$extendTables<ItsTables>()` (issue 8, item 1); the column types below
 * are exported for them.
 */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a database default (`Generated<Timestamp>` would not unwrap to `Date` on select). */
export type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T> = ColumnType<T, string, string>;
/** int8 columns arrive as string (pg) or number/bigint (PGlite); read them through `Number()`. */
export type Int8 = ColumnType<string | number | bigint, number | bigint, number | bigint>;

export interface OrganisationsTable {
  id: string;
  name: string;
  created_at: DefaultTimestamp;
}

export interface ApiKeysTable {
  id: string;
  org_id: string;
  name: string;
  role: string;
  /** `scrypt$N$r$p$salt$hash`, base64url parts; the secret itself is never stored. */
  hash: string;
  created_by: string;
  created_at: DefaultTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** The one origin (`shop:<id>`, `agency:<id>`, `online`, `mta:<host>`…) a bound key acts for; null for the whole organisation. */
  origin: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PartnershipsTable {
  org_id: string;
  partner_org_id: string;
  created_at: DefaultTimestamp;
}

export interface PolicyVersionsTable {
  org_id: string;
  channel: string;
  version: number;
  document: Json<unknown>;
  created_by: string;
  created_at: DefaultTimestamp;
  comment: string | null;
}

export interface DecisionsTable {
  /** Position in the hash chain; assigned under the chain lock, gap-free. */
  seq: Int8;
  id: string;
  org_id: string;
  channel: string;
  event_id: string;
  action: string;
  score: number;
  verdict: Json<unknown>;
  event: Json<unknown>;
  created_at: Timestamp;
  prev_hash: string;
  hash: string;
}

export interface DecisionChainTable {
  id: number;
  last_seq: Int8;
  last_hash: string;
}

export interface CasesTable {
  id: string;
  org_id: string;
  decision_id: string;
  channel: string;
  action: string;
  status: string;
  assignee: string | null;
  due_at: Timestamp;
  summary: Json<unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
  resolution: string | null;
  resolution_reason: string | null;
  effect: string | null;
  resolved_by: string | null;
  resolved_at: Timestamp | null;
  /** When the owning channel acted on the closed case's outcome; null while it has not. */
  outcome_delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Failed deliveries of the closed case's outcome. */
  outcome_attempts: Generated<number>;
  /** The process that claimed the outcome's delivery (migration 010, issue 8 item 8). */
  outcome_claimed_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Until when that claim holds; after it another process may claim the outcome again. */
  outcome_lease_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The origin (`shop:<id>`, `agency:<id>`, `online`, `mta:<host>`…) the case's event came from, where known. */
  origin: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * What the case's event is about, as the channel keys it (an application and its holder at an
   * outlet); at most one active case per org, channel and subject (migration 008).
   */
  subject: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface CaseEventsTable {
  id: string;
  case_id: string;
  org_id: string;
  at: Timestamp;
  actor: string;
  type: string;
  data: Json<unknown>;
}

export interface IndicatorsTable {
  id: string;
  org_id: string;
  type: string;
  /** Normalised value; for sensitive types the keyed hash (HMAC), never the raw value. */
  value: string;
  verdict: string;
  confidence: number;
  source: string;
  scope: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
  expires_at: Timestamp | null;
  tags: Json<string[]>;
  description: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LabelsTable {
  id: string;
  org_id: string;
  decision_id: string;
  channel: string;
  label: string;
  source: string;
  case_id: string | null;
  created_by: string;
  created_at: Timestamp;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
}

/** The core's tables: what every installation has, whatever channels it registers. */
export interface CoreDatabase {
  organisations: OrganisationsTable;
  api_keys: ApiKeysTable;
  partnerships: PartnershipsTable;
  policy_versions: PolicyVersionsTable;
  decisions: DecisionsTable;
  decision_chain: DecisionChainTable;
  cases: CasesTable;
  case_events: CaseEventsTable;
  indicators: IndicatorsTable;
  labels: LabelsTable;
  settings: SettingsTable;
  import_reports: ImportReportsTable;
  import_rejections: ImportRejectionsTable;
}

/** The core's tables under their older name, as most modules import them. */
export type Database = CoreDatabase;

export type DecisionRow = Selectable<DecisionsTable>;
export type NewDecisionRow = Insertable<DecisionsTable>;
export type CaseRow = Selectable<CasesTable>;
export type IndicatorRow = Selectable<IndicatorsTable>;

/** What one bulk import did (migration 006): `kind` indicators | lines, `status` running | complete | failed. */
export interface ImportReportsTable {
  org_id: string;
  id: string;
  kind: string;
  status: string;
  actor: string;
  processed: number;
  imported: number;
  updated: number;
  rejected: number;
  error: string | null;
  started_at: Timestamp;
  finished_at: Timestamp | null;
}

/** One line a bulk import rejected, numbered in input order (`seq`, from 1). */
export interface ImportRejectionsTable {
  org_id: string;
  import_id: string;
  seq: number;
  line: number;
  field: string;
  message: string;
}
