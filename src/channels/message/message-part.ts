import type { Kysely } from 'kysely';
import type {
  ChannelModule,
  ChannelOperation,
  FieldIssue,
  Screening,
  SignalDeclaration,
  Verdict,
} from '../../core/index.ts';
import type { CoreDatabase } from '../../store/schema.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import type { MessagePayload } from './message-schema.ts';
import type { MessageDetector, MessageEnrichment, MessageState } from './message-state.ts';
import type { MessageTables } from './tables.ts';

/** The core's database with the message channel's tables. */
export type MessageDb = Kysely<CoreDatabase & MessageTables>;

/** The message channel's tables on the database a channel is built with. */
export function messageDb(deps: Pick<ChannelDeps, 'db'>): MessageDb {
  return deps.db.$extendTables<MessageTables>();
}

/** A message screening, as the channel's hooks get it. */
export type MessageScreening = Screening<MessagePayload, MessageState>;

/**
 * One part of the message channel (the URL checks, the campaign check, the
 * subscribers' settings…): its signals, detectors, enrichments, operations and
 * what it records of each screened message. `createMessageChannel` joins the
 * parts; each lives in its own file.
 */
export interface MessagePart {
  readonly signals?: readonly SignalDeclaration[];
  readonly detectors?: readonly MessageDetector[];
  // biome-ignore lint/suspicious/noExplicitAny: each enrichment answers its own type
  readonly enrichments?: readonly MessageEnrichment<any>[];
  readonly operations?: readonly ChannelOperation[];
  /** Records the screened message in the part's tables, after the verdict is in the decision log. */
  readonly record?: (verdict: Verdict, screening: MessageScreening) => Promise<void>;
  /**
   * The part's default channel settings (`settings.<its key>`: `campaign`,
   * `strength`…), merged into the channel's defaults; a policy's `settings`
   * are merged over them. Keys must not clash with another part's.
   */
  readonly defaultSettings?: Readonly<Record<string, unknown>>;
  /** What is wrong with a policy's settings for this part (paths start with `settings.`). */
  readonly settingsIssues?: (settings: Readonly<Record<string, unknown>>) => FieldIssue[];
  /** Japanese for the English messages of the part's own field checks (its operations' refinements). */
  readonly messagesJa?: Readonly<Record<string, string>>;
  /** The channel's waiver (filtering off, a sender the subscriber allowed): given by one part only. */
  readonly waiver?: ChannelModule<MessagePayload, MessageState>['waiver'];
  /** The thresholds of the subscriber's strength: given by one part only. */
  readonly thresholds?: ChannelModule<MessagePayload, MessageState>['thresholds'];
  /** Warning labels and filtered-folder notices: given by one part only. */
  readonly notices?: ChannelModule<MessagePayload, MessageState>['notices'];
}
