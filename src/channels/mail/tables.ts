import type { ColumnType } from 'kysely';
import type { DefaultTimestamp, Timestamp } from '../../store/schema.ts';

/**
 * The mail channel's own tables as Kysely sees them (created by
 * `migrations/014-mail.ts`), reached on the core's database with
 * `db.$extendTables<MailTables>()` (`MailDb`). Measures E3 (sender
 * reputation) and E4 (quarantine, release, appeals, per-recipient strength).
 */
// A type, not an interface: `$extendTables` takes a record of tables.
export type MailTables = {
  mail_quarantine: MailQuarantineTable;
  mail_labels: MailLabelsTable;
  mail_reputation: MailReputationTable;
  mail_recipient_strength: MailRecipientStrengthTable;
};

/** What a quarantined mail is now: kept, delivered by a release, deleted, or past its retention. */
export const QUARANTINE_STATUSES = ['quarantined', 'released', 'deleted', 'expired'] as const;
export type QuarantineStatus = (typeof QUARANTINE_STATUSES)[number];

/**
 * A quarantined mail (E4): the exact bytes received, the envelope needed to
 * deliver it on release, what the verdict said, and its appeal. The
 * recipients are kept twice: as keyed hashes to find a recipient's mail
 * without reading addresses, and as addresses, since a release delivers to
 * them (see `quarantine-store.ts`).
 */
export interface MailQuarantineTable {
  org_id: string;
  /** `mq_…`. */
  id: string;
  decision_id: string;
  /** Keyed hashes of the envelope recipients (`recipientKey`), in envelope order. */
  recipient_keys: string[];
  /** The envelope recipients (RCPT TO) as received. */
  recipients: string[];
  /** The envelope sender (MAIL FROM); '' for the null sender. */
  mail_from: string;
  /** The From header's address. */
  from_address: string | null;
  subject: string;
  score: number;
  /** The verdict's action: hold, review or step_up. */
  action: string;
  /** The verdict's summary `{ ja, en }`. */
  summary: ColumnType<{ ja: string; en: string }, string, string>;
  /** The verdict as the decision log has it (reasons, hits, policy): an appeal's case is opened on it. */
  verdict: ColumnType<unknown, string, string>;
  /** Where it came from (`mta:<host>`, `api`): an origin-bound key sees its origin's mail only. */
  origin: string;
  /** The senders whose reputation a release credits (`from:<domain>`, `envelope:<domain>`, `ip:<network>`). */
  sender_refs: ColumnType<string[], string[] | undefined, string[]>;
  size: number;
  /** The message's bytes; null once expired or deleted. */
  message: Uint8Array | null;
  received_at: Timestamp;
  expires_at: Timestamp;
  /** {@link QuarantineStatus}. */
  status: string;
  released_at: Timestamp | null;
  released_by: string | null;
  released_to: ColumnType<string[], string[] | undefined, string[]>;
  appeal_case_id: string | null;
  /** `open` | `approved` | `denied` | `expired`. */
  appeal_status: string | null;
  appeal_reason: string | null;
  appeal_at: Timestamp | null;
}

/** A training label from a person's decision on a quarantined mail (E1, E4): for retraining the model. */
export interface MailLabelsTable {
  org_id: string;
  decision_id: string;
  /** `legit` | `fraud`. */
  label: string;
  /** `appeal` (a resolved appeal) | `release` (released by an operator or the recipient). */
  source: string;
  at: DefaultTimestamp;
  by: string;
}

/**
 * A sender's history in the organisation (E3): per From domain (`from`),
 * envelope domain (`envelope`) and client network (`ip`: IPv4 /24, IPv6 /48).
 */
export interface MailReputationTable {
  org_id: string;
  /** `from` | `envelope` | `ip`. */
  kind: string;
  key: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
  messages: number;
  /** Messages quarantined or refused on other evidence than the reputation itself, less one per release. */
  bad: number;
  /** Quarantined messages released (by an operator, or an appeal upheld). */
  released: number;
  /** Appeals upheld (a subset of released). */
  upheld: number;
}

/** A recipient's filter strength (E1): `low` | `standard` | `high`, keyed by the recipient's keyed hash. */
export interface MailRecipientStrengthTable {
  org_id: string;
  recipient_key: string;
  strength: string;
  updated_at: DefaultTimestamp;
  updated_by: string;
}
