import type { Kysely } from 'kysely';
import type { PolicyDocument, PolicyVersion, Verdict } from '../core/index.ts';
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
  /** The one outlet (`shop:<id>`, `agency:<id>` or `online`) an agent key acts for; null for the whole organisation. */
  readonly outlet: string | null;
}

export interface ApiKeyRepo {
  /** Create a key; the secret token is returned once and only its scrypt hash is stored. */
  create(input: {
    orgId: string;
    name: string;
    role: Role;
    createdBy: string;
    /** Bind an agent key to one outlet: it screens for it and sees its cases only. */
    outlet?: string | undefined;
  }): Promise<{ key: ApiKey; token: string }>;
  /** The key a token belongs to, when the token is valid and the key not revoked. */
  verify(token: string): Promise<ApiKey | undefined>;
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
    document: PolicyDocument;
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
}

export interface DecisionQuery {
  readonly channel?: string;
  readonly action?: string;
  readonly limit?: number;
  /** Only decisions with seq below this (pagination, newest first). */
  readonly beforeSeq?: number;
}

/** One finding of `audit verify`. */
export interface AuditFinding {
  readonly kind: 'edited' | 'deleted' | 'broken_link' | 'head_mismatch';
  readonly seq: number;
  readonly id?: string;
  readonly message: string;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly checked: number;
  readonly findings: readonly AuditFinding[];
}

/**
 * The decision log (X1): append-only, hash-chained. Each row carries the hash
 * of the row before it, so an edited or deleted row breaks the chain and
 * `verify` names it. Appends are batched under one chain lock.
 */
export interface DecisionLog {
  append(verdict: Verdict, event: unknown): Promise<DecisionRecord>;
  appendMany(items: readonly { verdict: Verdict; event: unknown }[]): Promise<DecisionRecord[]>;
  get(orgId: string, id: string): Promise<DecisionRecord | undefined>;
  list(orgId: string, query?: DecisionQuery): Promise<DecisionRecord[]>;
  verify(): Promise<AuditReport>;
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
}
