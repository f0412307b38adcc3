import type { z } from 'zod';
import type { Action } from './action.ts';
import type { Detector } from './detector.ts';
import type { Enrichment, Screening } from './enrichment.ts';
import type { FieldIssue } from './errors.ts';
import type { ScreenEvent } from './event.ts';
import type { IndicatorRef, IndicatorType } from './indicator.ts';
import type { ChannelOperation } from './operation.ts';
import type { Origin, OriginKind } from './origin.ts';
import type { PolicyDocumentInput } from './policy.ts';
import type { SignalDeclaration } from './signal.ts';
import type { LocalizedText } from './text.ts';
import type { Notice, Verdict, VerdictHit } from './verdict.ts';
import type { Waiver } from './waiver.ts';

/** Tools a channel's extractor gets: normalisers and the keyed hash live outside core. */
export interface ExtractTools {
  /**
   * Normalise a raw value of a type (E.164 phone, canonical URL…); sensitive
   * types come back as their keyed hash. Returns undefined for a value that is
   * not of that type.
   */
  indicator(type: IndicatorType, raw: string, field?: string): IndicatorRef | undefined;
}

/** What a channel learns when a case on one of its decisions closes. */
export interface ChannelOutcome {
  readonly caseId: string;
  readonly orgId: string;
  readonly decisionId: string;
  readonly channel: string;
  /** The verdict's action that opened the case. */
  readonly action: 'step_up' | 'review' | 'hold';
  readonly resolution: 'approved' | 'denied' | null;
  readonly effect: 'release' | 'allow_once' | 'refuse' | 'expired';
  readonly reason: string;
  /** Actor id of the resolver; `system` for an expiry. */
  readonly resolvedBy: string;
  readonly at: string;
}

/**
 * What a channel plugs into the flow: its event schema (validated at the
 * edge; also the OpenAPI schema), its signals, its detectors, the extractor
 * that pulls indicators out of an event, and its default policy.
 *
 * Adding a channel is one folder under `src/channels/<name>` exporting a
 * `ChannelModule`, and one line in `src/channels/registry.ts`.
 */
export interface ChannelModule<P = unknown, St = unknown> {
  readonly name: string;
  readonly title: LocalizedText;
  readonly schema: z.ZodType<P>;
  readonly signals: readonly SignalDeclaration[];
  readonly detectors: readonly Detector<P, St>[];
  /**
   * The channel's state for one screening, made once before anything else
   * runs (keyed hashes of the event's identities, say): every later hook and
   * detector gets it through the screening (`screening.state`, `ctx.state`),
   * so nothing is computed twice or cached by payload identity. Pure and
   * quick; a `validation_failed` error it throws (an identity that cannot be
   * keyed) refuses the event with the field named. It may answer a promise
   * where the only parser of the event's format is asynchronous (the mail
   * channel's MIME parser); it still does no I/O.
   */
  readonly begin?: (
    event: ScreenEvent<P>,
    tools: ExtractTools,
    settings: Readonly<Record<string, unknown>>,
  ) => St | Promise<St>;
  readonly extract: (payload: P, tools: ExtractTools, screening: Screening<P, St>) => IndicatorRef[];
  /**
   * The slow lookups the detectors may need (the holder's history, DNS
   * answers, URL reputation), each run at most once per screening, only when
   * an enabled detector needs it, within its budget (see `Enrichment`).
   */
  // biome-ignore lint/suspicious/noExplicitAny: each enrichment answers its own type
  readonly enrichments?: readonly Enrichment<P, St, any>[];
  readonly defaultPolicy: PolicyDocumentInput;
  /**
   * A person's approval that covers this event (HQ's exception for this
   * application), if any: the engine applies it once to the hits of every
   * detector, after the last stage and before scoring (see `Waiver`). Pure;
   * reads the screening's state and enrichments. One that throws, or names a
   * signal the channel does not declare, is an error outcome
   * (`<channel>.waiver`) and waives nothing.
   */
  readonly waiver?: (screening: Screening<P, St>) => Waiver | undefined;
  /**
   * Records the screened event in the channel's own tables (an application,
   * a message) after the verdict is in the decision log. The screening
   * carries the enrichments' answers (undefined for one that failed).
   */
  readonly record?: (verdict: Verdict, screening: Screening<P, St>) => Promise<void>;
  /**
   * What a reviewer needs of this event beyond the verdict's reasons and
   * hits (counts, the holder's history, a declared purpose), copied onto the
   * case the verdict opens. Keyed hashes only: never a raw identity.
   */
  readonly caseDetails?: (verdict: Verdict, screening: Screening<P, St>) => Readonly<Record<string, unknown>>;
  /**
   * The payload as the decision log keeps it. A channel whose events carry raw
   * identity attributes (or other values that must exist only as keyed hashes)
   * replaces them here; without it the validated payload is stored as it is.
   */
  readonly redact?: (payload: P, tools: ExtractTools, screening: Screening<P, St>) => unknown;
  /** Default channel settings; a policy's `settings` are merged over them. */
  readonly defaultSettings?: Readonly<Record<string, unknown>>;
  /**
   * What is wrong with a policy's `settings` for this channel (paths start
   * with `settings.`); a policy with issues is refused when it is stored.
   */
  readonly settingsIssues?: (settings: Readonly<Record<string, unknown>>) => FieldIssue[];
  /**
   * Acts on a case outcome for this channel (release a held item, refuse it,
   * allow it once, or the fail-safe default when a case expired). Called from
   * the outcome queue after the resolution is committed.
   */
  readonly onOutcome?: (outcome: ChannelOutcome) => void | Promise<void>;
  /**
   * Where the event comes from (`Origin`: `shop:<id>`, `agency:<id>`,
   * `online`, `mta:<host>`, `branch:<id>`…), for channels that know it from
   * the event itself: a key bound to an origin screens only that origin's
   * events, and the event's case is visible to that origin. Without it, an
   * event takes the origin of the key that screened it.
   */
  readonly origin?: (payload: P) => Origin;
  /** The kinds of origin `origin` gives (`shop:<id>`, `online`…): keys may be bound to these. */
  readonly originKinds?: readonly OriginKind[];
  /**
   * Thresholds that replace the policy's for this event (a subscriber's filter
   * strength, I3: low / standard / high mapped to thresholds in the policy's
   * settings), named so the verdict records which applied
   * (`verdict.policy.thresholds`). Called after the waiver, before scoring;
   * pure, no I/O (it reads the screening's state, settings and enrichments).
   * One that throws or returns thresholds out of order is an error outcome
   * (`<channel>.thresholds`) and the policy's own thresholds decide.
   */
  readonly thresholds?: (screening: Screening<P, St>) => ThresholdProfile | undefined;
  /**
   * Notices to show beside the verdict (a notice the shop reads out on every
   * allowed application, a warning label on a message), from the scored action
   * and hits, the payload and the channel settings the detectors saw (the
   * channel's defaults with the policy's over them). Called by the engine after scoring, for every
   * verdict; pure, no I/O. One that throws or returns something malformed is
   * an error outcome (`<channel>.notices`) and adds no notice; the verdict
   * stands.
   */
  readonly notices?: (
    scored: { readonly action: Action; readonly hits: readonly VerdictHit[] },
    payload: P,
    settings: Readonly<Record<string, unknown>>,
  ) => readonly Notice[];
  /**
   * What the event is about, as one key (an application and its holder at an
   * outlet): an organisation has at most one active case per channel and
   * subject, so screening the same thing again returns the case already open
   * instead of opening another. Without it every verdict that needs a person
   * opens its own case.
   */
  readonly subject?: (payload: P, screening: Screening<P, St>) => string;
  /**
   * Whether a verdict that needs a person (`step_up`, `review`, `hold`) opens
   * a case; without it, every such verdict does. The mail channel keeps its
   * quarantine (`hold`) in its own table, released by the recipient: a case
   * is opened only when someone appeals (E4), not for every quarantined mail.
   */
  readonly opensCase?: (verdict: Verdict) => boolean;
  /**
   * What the channel does beside screening (import lines, release a
   * quarantined mail…), each served as `/v1/<channel>/<path>` and as the
   * command `mamoru <channel> <name>` (issue 8, item 2). An operation reaches
   * the channel's store through the factory's closure.
   */
  readonly operations?: readonly ChannelOperation[];
  /**
   * Japanese for the English messages of this channel's own field checks
   * (its schema's refinements), added to the error catalogue when the channel
   * is served, so that every 400 names the field in Japanese first.
   */
  readonly messagesJa?: Readonly<Record<string, string>>;
  /** An example payload for the API docs and the README. */
  readonly example: P;
}

/** Named thresholds for one screening (`ChannelModule.thresholds`): action → the score that reaches it. */
export interface ThresholdProfile {
  readonly name: string;
  readonly thresholds: Readonly<Partial<Record<Action, number>>>;
}

/** The engine treats all channels alike; their payload types are erased here. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds channels of different payload types
export type AnyChannel = ChannelModule<any, any>;

/**
 * A channel as the registry lists it (issue 8, item 1): its name, its own
 * migrations (its tables; known before it is built, since the store migrates
 * first and the channel is then built on the migrated database), and how to
 * build it from what the composition layer gives every channel (`D`: the
 * database, the keyed hasher, the decision log's reads).
 *
 * Migration names share one name order with the core's (`001-initial`…) and
 * every other channel's, and must be unique across them: a name used twice
 * stops the store from opening. A migration is never renamed once released:
 * a database that ran it knows it by name.
 *
 * @example
 * export const transferPlugin: ChannelPlugin<ChannelDeps> = {
 *   name: 'transfer',
 *   migrations: TRANSFER_MIGRATIONS,
 *   create: (deps) => createTransferChannel(deps),
 * };
 */
export interface ChannelPlugin<D = unknown> {
  /** The channel's name, as the module it builds carries it. */
  readonly name: string;
  /** The channel's own migrations by name (Kysely's `Migration`: `up`, optionally `down`). */
  readonly migrations?: Readonly<Record<string, import('kysely/migration').Migration>>;
  /** Build the channel on the migrated database. */
  readonly create: (deps: D) => AnyChannel;
}
