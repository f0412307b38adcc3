import type { ColumnType } from 'kysely';
import type { DefaultTimestamp, Timestamp } from '../../store/schema.ts';

/**
 * The message channel's own tables as Kysely sees them (created by
 * `migrations/013-message.ts`), reached on the core's database with
 * `db.$extendTables<MessageTables>()` (`MessageDb`).
 *
 * Recipients (subscribers) are phone numbers or handles of the people
 * protected: they are stored only as keyed hashes (`subscriber_key`).
 */
// A type, not an interface: `$extendTables` takes a record of tables.
export type MessageTables = {
  message_messages: MessageMessagesTable;
  message_subscribers: MessageSubscribersTable;
  message_allowed_senders: MessageAllowedSendersTable;
  message_reports: MessageReportsTable;
  message_verified_senders: MessageVerifiedSendersTable;
};

/**
 * One screened message, as the campaign check reads it (MESSAGE_CAMPAIGN):
 * its text's 64-bit SimHash (hex) and the four 16-bit bands it is looked up
 * by, its sender, and the URLs and phone numbers it carried (so an analyst
 * turns a campaign into indicators in one step). Never the text itself: the
 * decision log keeps the event.
 */
export interface MessageMessagesTable {
  org_id: string;
  decision_id: string;
  received_at: Timestamp;
  kind: string;
  sender: string;
  /** Keyed hash of the recipient, when given. */
  recipient_key: string | null;
  /** 16 hex digits. */
  simhash: string;
  band0: number;
  band1: number;
  band2: number;
  band3: number;
  /** Canonical URLs found in the message. */
  urls: ColumnType<string[], string[] | undefined, string[]>;
  /** Phone numbers in the text (E.164 where they parse). */
  phones: ColumnType<string[], string[] | undefined, string[]>;
  action: string;
  score: number;
}

/** A subscriber's filter settings (I3): on by default, free, strength low / standard / high. */
export interface MessageSubscribersTable {
  org_id: string;
  subscriber_key: string;
  filtering: boolean;
  /** `low` | `standard` | `high`. */
  strength: string;
  updated_at: DefaultTimestamp;
  updated_by: string;
}

/** A sender a subscriber allowed (personal allow list): its messages are not filtered for them. */
export interface MessageAllowedSendersTable {
  org_id: string;
  subscriber_key: string;
  /** The sender as the channel normalises it (E.164, short code, upper-case sender ID, handle). */
  sender: string;
  added_at: DefaultTimestamp;
}

/**
 * A report by a subscriber or an operator: this message is fraud / is not
 * fraud. A label for training at once; once an analyst confirms a fraud
 * report, its sender, URLs and phone numbers become indicators.
 */
export interface MessageReportsTable {
  org_id: string;
  report_id: string;
  subscriber_key: string | null;
  /** The decision that screened the message, when known. */
  decision_id: string | null;
  /** `fraud` | `legit`. */
  label: string;
  kind: string | null;
  sender: string | null;
  /** The reported text, as the subscriber sent it for review (a label for training). */
  text: string | null;
  /** `pending` | `confirmed` | `rejected`. */
  status: string;
  reported_by: string;
  created_at: DefaultTimestamp;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
  /** Indicators written when a fraud report was confirmed. */
  indicators: ColumnType<number, number | undefined, number>;
}

/** The organisation's verified-sender registry: alphanumeric sender IDs (and numbers) a brand really sends from. */
export interface MessageVerifiedSendersTable {
  org_id: string;
  /** Normalised sender: upper-case sender ID, E.164 number or short code. */
  sender: string;
  /** The brand's key in the brand list (`src/intel/data/brands.json`) or a free name. */
  brand: string;
  note: string | null;
  added_at: DefaultTimestamp;
  added_by: string;
}
