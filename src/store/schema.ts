import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * The database schema as Kysely sees it. One dialect (PostgreSQL) for both
 * backends: PGlite in process and a PostgreSQL server. Migrations in
 * `migrations/` create exactly this.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a database default (`Generated<Timestamp>` would not unwrap to `Date` on select). */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
/** int8 columns arrive as string (pg) or number/bigint (PGlite); read them through `Number()`. */
type Int8 = ColumnType<string | number | bigint, number | bigint, number | bigint>;

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
  /** The one outlet (`shop:<id>`, `agency:<id>` or `online`) an agent key acts for; null for the whole organisation. */
  outlet: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** The outlet (`shop:<id>`, `agency:<id>` or `online`) the case's event came from, where the channel knows one. */
  outlet: ColumnType<string | null, string | null | undefined, string | null>;
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

export interface Database {
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
  contract_holders: ContractHoldersTable;
  contract_lines: ContractLinesTable;
  contract_applications: ContractApplicationsTable;
  contract_exceptions: ContractExceptionsTable;
  import_reports: ImportReportsTable;
  import_rejections: ImportRejectionsTable;
}

export type DecisionRow = Selectable<DecisionsTable>;
export type NewDecisionRow = Insertable<DecisionsTable>;
export type CaseRow = Selectable<CasesTable>;
export type IndicatorRow = Selectable<IndicatorsTable>;

/** A line holder (契約者) known to the contract channel: a person's identity key or a corporation's. */
export interface ContractHoldersTable {
  org_id: string;
  /** Keyed hash (HMAC); never the identity itself. */
  holder_key: string;
  /** `person` | `corporation`. */
  holder_type: string;
  /** 法人番号 (public), for a corporation. */
  corporate_number: string | null;
  first_seen: Timestamp;
}

/** A mobile line as the carrier's import and line events report it. */
export interface ContractLinesTable {
  org_id: string;
  /** The carrier's line id or the MSISDN. */
  line_id: string;
  holder_key: string;
  /** `voice` | `data_sms` | `data`. */
  sim_type: string;
  /** `active` | `suspended` | `cancelled`. */
  status: string;
  contracted_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  /** `shop` | `agency` | `online`. */
  sales_channel: string | null;
  outlet: string | null;
  /** Keyed hash of the registered real user (利用者登録), when not the holder. */
  registered_user_key: string | null;
  updated_at: Timestamp;
}

/** A screened contract application (the latest screening of its id). */
export interface ContractApplicationsTable {
  org_id: string;
  application_id: string;
  holder_key: string;
  holder_type: string;
  address_key: string;
  device_key: string | null;
  sales_channel: string;
  /** Shop or agency id, or `online`. */
  outlet: string;
  voice_lines: number;
  data_sms_lines: number;
  data_lines: number;
  submitted_at: Timestamp;
  decision_id: string;
  action: string;
  /** The screened person's identity key (a corporation's representative); null on rows before migration 003. */
  identity_key: string | null;
  /** Lines the holder held by SIM type when screened. */
  held_voice: Generated<number>;
  held_data_sms: Generated<number>;
  held_data: Generated<number>;
  /** Keyed hash of the online session's client IP (migration 009). */
  ip_key: string | null;
  /** User keys of the application's registered users (migration 009). */
  user_keys: ColumnType<string[], string[] | undefined, string[]>;
}

/** An exception HQ approved on a contract case: the lines it allows, by SIM type. */
export interface ContractExceptionsTable {
  org_id: string;
  case_id: string;
  application_id: string;
  holder_key: string;
  /** `{ voice, data_sms, data }` line counts. */
  lines: Json<Record<string, number>>;
  /** Lines the holder held when the approved application was screened: the exception covers held + approved. */
  held: ColumnType<Record<string, number>, string | undefined, string>;
  /** The person HQ approved (a corporation's representative); the exception covers no one else. */
  identity_key: string | null;
  approved_by: string;
  approved_at: Timestamp;
  reason: string;
  /** The decision that used the exception (migration 009): an exception allows its lines once. */
  used_decision_id: string | null;
  used_at: Timestamp | null;
}

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
