import type { Kysely } from 'kysely';
import type {
  ChannelModule,
  ChannelOperation,
  ChannelOutcome,
  FieldIssue,
  Screening,
  SignalDeclaration,
  Verdict,
} from '../../core/index.ts';
import type { CoreDatabase } from '../../store/schema.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import type { MailPayload } from './mail-schema.ts';
import type { MailDetector, MailEnrichment, MailState } from './mail-state.ts';
import type { MailTables } from './tables.ts';

/** The core's database with the mail channel's tables. */
export type MailDb = Kysely<CoreDatabase & MailTables>;

/** The mail channel's tables on the database a channel is built with. */
export function mailDb(deps: Pick<ChannelDeps, 'db'>): MailDb {
  return deps.db.$extendTables<MailTables>();
}

/** A mail screening, as the channel's hooks get it. */
export type MailScreening = Screening<MailPayload, MailState>;

/**
 * One part of the mail channel (authentication, the content model, links,
 * attachments, sender reputation, the quarantine…): its signals, detectors,
 * enrichments, operations and what it records of each screened message.
 * `createMailChannel` joins the parts; each lives in its own file.
 */
export interface MailPart {
  readonly signals?: readonly SignalDeclaration[];
  readonly detectors?: readonly MailDetector[];
  // biome-ignore lint/suspicious/noExplicitAny: each enrichment answers its own type
  readonly enrichments?: readonly MailEnrichment<any>[];
  readonly operations?: readonly ChannelOperation[];
  /** Records the screened message in the part's tables, after the verdict is in the decision log. */
  readonly record?: (verdict: Verdict, screening: MailScreening) => Promise<void>;
  /** The part's default channel settings (`settings.<its key>`); keys must not clash with another part's. */
  readonly defaultSettings?: Readonly<Record<string, unknown>>;
  /** What is wrong with a policy's settings for this part (paths start with `settings.`). */
  readonly settingsIssues?: (settings: Readonly<Record<string, unknown>>) => FieldIssue[];
  /** Japanese for the English messages of the part's own field checks. */
  readonly messagesJa?: Readonly<Record<string, string>>;
  /** Acts on a closed case of this channel (an appeal): given by one part only. */
  readonly onOutcome?: (outcome: ChannelOutcome) => void | Promise<void>;
  /** The thresholds of the recipients' strength: given by one part only. */
  readonly thresholds?: ChannelModule<MailPayload, MailState>['thresholds'];
  /** Notices beside the verdict: given by one part only. */
  readonly notices?: ChannelModule<MailPayload, MailState>['notices'];
  /** What a reviewer of an appeal needs beside the verdict: given by one part only. */
  readonly caseDetails?: ChannelModule<MailPayload, MailState>['caseDetails'];
}
