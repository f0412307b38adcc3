import type { ColumnType, Generated, Kysely } from 'kysely';
import type { CoreDatabase, Json, Timestamp } from '../../store/schema.ts';

/**
 * The contract channel's own tables as Kysely sees them (issue 8, item 1),
 * created by its migrations (`migrations/`). The channel reaches them on the
 * core's database with `db.$extendTables<ContractTables>()` (`ContractDb`).
 */
// A type, not an interface: `$extendTables` takes a record of tables, and an interface has no index signature.
export type ContractTables = {
  contract_holders: ContractHoldersTable;
  contract_lines: ContractLinesTable;
  contract_applications: ContractApplicationsTable;
  contract_exceptions: ContractExceptionsTable;
};

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

/** The database as the contract channel's store sees it: the core's tables and its own. */
export type ContractDb = Kysely<CoreDatabase & ContractTables>;
