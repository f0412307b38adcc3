import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { PolicyLayer, PolicyVersion, Verdict } from '../core/index.ts';
import type { ClusterEvents } from './cluster-events.ts';
import type { Database } from './schema.ts';

/**
 * store — one interface, two backends speaking one SQL dialect (PostgreSQL):
 * PGlite in process (the embedded default, data under `MAMORU_DATA_DIR`) and a
 * PostgreSQL server (`DATABASE_URL`). Migrations run at open.
 *
 * Modules query through `db` (Kysely) and must filter every query by
 * organisation (tenant isolation); the decision log and the small
 * repositories below live here because every module needs them.
 */
export interface Store {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Kysely<Database>;
  /** The other processes on this database: what they change that this one caches (issue 8 item 8). */
  readonly cluster: ClusterEvents;
  readonly orgs: OrganisationRepo;
  readonly keys: ApiKeyRepo;
  readonly policies: PolicyRepo;
  readonly decisions: DecisionLog;
  readonly settings: SettingsRepo;
  close(): Promise<void>;
}

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

export interface OrganisationRepo {
  create(input: { id?: string; name: string }): Promise<Organisation>;
  get(id: string): Promise<Organisation | undefined>;
  list(): Promise<Organisation[]>;
  /** Partners see each other's `partners`-scope indicators. Symmetric. */
  addPartner(orgId: string, partnerOrgId: string): Promise<void>;
  removePartner(orgId: string, partnerOrgId: string): Promise<void>;
  partners(orgId: string): Promise<string[]>;
}

export const ROLES = ['admin', 'analyst', 'reviewer', 'agent', 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
  /** The one origin (`shop:<id>`, `agency:<id>`, `online`, `mta:<host>`…) a bound key acts for; null for the whole organisation. */
  readonly origin: string | null;
  /** @deprecated The same as `origin`, under its name before issue 8; kept for clients that read it. */
  readonly outlet: string | null;
}

export interface ApiKeyRepo {
  /** Create a key; the secret token is returned once and only a hash of it is stored. */
  create(input: {
    orgId: string;
    name: string;
    role: Role;
    createdBy: string;
    /** Bind an agent or system key to one origin: it screens for it and sees its cases only. */
    origin?: string | undefined;
  }): Promise<{ key: ApiKey; token: string }>;
  /**
   * The key a token belongs to, when the token is valid and the key not
   * revoked. A failure counts against `client` (an IP address) when given.
   */
  verify(token: string, options?: { client?: string }): Promise<ApiKey | undefined>;
  /** How long, in milliseconds, the client's failures are answered 429 (0: they are not). */
  retryAfterMs(client: string): number;
  list(orgId: string): Promise<ApiKey[]>;
  revoke(orgId: string, id: string): Promise<boolean>;
}

export interface PolicyRepo {
  /** The newest version for an org and channel. */
  current(orgId: string, channel: string): Promise<PolicyVersion | undefined>;
  get(orgId: string, channel: string, version: number): Promise<PolicyVersion | undefined>;
  history(orgId: string, channel: string): Promise<PolicyVersion[]>;
  /** Store a new version (current + 1), recording who changed it and why. */
  put(input: {
    orgId: string;
    channel: string;
    document: PolicyLayer;
    createdBy: string;
    comment?: string;
  }): Promise<PolicyVersion>;
}

/** A decision as read back from the log. */
export interface DecisionRecord {
  readonly seq: number;
  readonly verdict: Verdict;
  readonly event: unknown;
  readonly hash: string;
  /** The hash of decision seq − 1 (64 zeros for seq 1): with it, one organisation's rows verify alone. */
  readonly prevHash: string;
  /**
   * On a record just appended: the verdict's canonical JSON, the text stored and hashed, when it is the
   * caller's verdict unchanged (absent when storing changed it, and on records read back). The answer can
   * send it rather than serialise the verdict again (issue 8, item 10).
   */
  readonly verdictJson?: string;
}

export interface DecisionQuery {
  readonly channel?: string;
  readonly action?: string;
  readonly limit?: number;
  /** Only decisions with seq below this (pagination, newest first). */
  readonly beforeSeq?: number;
  /** Only decisions created at or after this instant (ISO 8601). */
  readonly from?: string;
  /** Only decisions created before this instant (ISO 8601, exclusive). */
  readonly to?: string;
  /** Only decisions whose verdict hits include this signal. */
  readonly signal?: string;
  /**
   * Only decisions whose verdict's extracted indicators include this value
   * (as the verdict stores it: normalised, keyed-hashed for sensitive types),
   * of this type when one is given.
   */
  readonly indicator?: { readonly value: string; readonly type?: string };
  /** Only decisions of this event id. */
  readonly eventId?: string;
}

/**
 * How many of an organisation's newest decisions a search by signal or
 * indicator walks when no `from` bounds it.
 */
export const DECISION_SCAN_LIMIT = 100_000;

/**
 * What `audit verify` can find (X1), stable identifiers:
 * - `edited`, `deleted`, `broken_link`, `head_mismatch`: the chain itself (see `auditDecisionLog`);
 * - `truncated`, `rewritten`: the log no longer holds the head a checkpoint vouches for, or holds
 *   another row there; `checkpoint_log`: the checkpoint is of another log;
 * - `checkpoint_invalid`, `checkpoint_signature`: the checkpoint is not one, or its signature fails;
 * - `case_without_decision`: a case points at a decision the log no longer holds.
 */
export const AUDIT_FINDING_KINDS = [
  'edited',
  'deleted',
  'broken_link',
  'head_mismatch',
  'truncated',
  'rewritten',
  'checkpoint_log',
  'checkpoint_invalid',
  'checkpoint_signature',
  'case_without_decision',
] as const;
export type AuditFindingKind = (typeof AUDIT_FINDING_KINDS)[number];

/** One finding of `audit verify`: the decision `seq` (and `id`) it concerns, or the case. */
export interface AuditFinding {
  readonly kind: AuditFindingKind;
  readonly seq?: number;
  readonly id?: string;
  readonly caseId?: string;
  readonly orgId?: string;
  readonly message: string;
}

/** A position in the chain: a decision's seq and hash (seq 0 and the genesis hash: the empty log). */
export interface ChainAnchor {
  readonly seq: number;
  readonly hash: string;
}

/** A head kept outside the database (a checkpoint whose signature was checked) to audit against. */
export interface AuditAnchor extends ChainAnchor {
  /** The id of the log it was taken of (`decision_log_id` in settings). */
  readonly log: string;
  /** When it was taken (ISO 8601), for the messages. */
  readonly time: string;
}

export interface AuditOptions {
  /** The log must still hold this head, unchanged: detects truncation and a rewritten tail. */
  readonly against?: AuditAnchor;
  /**
   * `all` (default) walks the whole chain; `after-anchor` trusts the rows up to `against`
   * (checked by an earlier audit) once that row is found unchanged, and walks only those after it.
   */
  readonly scope?: 'all' | 'after-anchor';
  /** Look for cases whose decision is gone (default true). */
  readonly cases?: boolean;
}

export interface AuditReport {
  readonly ok: boolean;
  /** Decision rows checked. */
  readonly checked: number;
  /** The last row walked (the head read when the audit began): what to keep outside the database. */
  readonly head: ChainAnchor;
  /** This log's id (`decision_log_id`), undefined when it is missing. */
  readonly log: string | undefined;
  readonly findings: readonly AuditFinding[];
}

/**
 * What a channel may read of the decision log (issue 8, item 1): a channel
 * reads decisions through this, never the log's table, so the log keeps its
 * own layout.
 */
export interface DecisionReader {
  /**
   * The event the organisation's decision `id` logged (the payload as the
   * channel redacted it), when that decision is one of `channel`'s; else
   * undefined.
   */
  loggedEvent(orgId: string, id: string, channel: string): Promise<unknown>;
}

/**
 * The decision log (X1): append-only, hash-chained. Each row carries the hash
 * of the row before it, so an edited or deleted row breaks the chain and
 * `verify` names it; a checkpoint kept outside the database (`against`)
 * shows the tail truncated or rewritten with the head. Appends are batched
 * under one chain lock.
 */
export interface DecisionLog extends DecisionReader {
  append(verdict: Verdict, event: unknown): Promise<DecisionRecord>;
  appendMany(items: readonly { verdict: Verdict; event: unknown }[]): Promise<DecisionRecord[]>;
  get(orgId: string, id: string): Promise<DecisionRecord | undefined>;
  list(orgId: string, query?: DecisionQuery): Promise<DecisionRecord[]>;
  verify(options?: AuditOptions): Promise<AuditReport>;
}

export interface SettingsRepo {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

export interface StoreOptions {
  /** PostgreSQL connection string; when absent the embedded PGlite is used. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data folder; `memory://` keeps everything in memory (tests). */
  readonly dataDir?: string | undefined;
  /** Told when an idle PostgreSQL connection fails (it is replaced; nothing is lost). */
  readonly onConnectionError?: ((error: Error) => void) | undefined;
  /**
   * Told when the cluster listener's connection fails (it reconnects), a cluster message cannot
   * be sent, or a subscriber throws (`what` says which).
   */
  readonly onClusterError?: ((error: unknown, what: string) => void) | undefined;
  /**
   * Migrations beside the core's, by owner: each registered channel's own,
   * for its tables (issue 8, item 1). All run in one name order with the
   * core's; a name two owners bring (or an owner and the core) stops the
   * store from opening. Without them only the core's tables are made, and a
   * database that ran an owner's migrations does not open.
   */
  readonly migrations?: StoreMigrations | undefined;
}

/** Migrations by owner (a channel's name), then by migration name. */
export type StoreMigrations = Readonly<Record<string, Readonly<Record<string, Migration>>>>;
