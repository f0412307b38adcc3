import type { z } from 'zod';
import type { Action } from './action.ts';
import type { Detector } from './detector.ts';
import type { FieldIssue } from './errors.ts';
import type { ScreenEvent } from './event.ts';
import type { IndicatorRef, IndicatorType } from './indicator.ts';
import type { PolicyDocumentInput } from './policy.ts';
import type { SignalDeclaration } from './signal.ts';
import type { LocalizedText } from './text.ts';
import type { Notice, Verdict, VerdictHit } from './verdict.ts';

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
export interface ChannelModule<P = unknown, S = unknown> {
  readonly name: string;
  readonly title: LocalizedText;
  readonly schema: z.ZodType<P>;
  readonly signals: readonly SignalDeclaration[];
  readonly detectors: readonly Detector<P, S>[];
  readonly extract: (payload: P, tools: ExtractTools) => IndicatorRef[];
  readonly defaultPolicy: PolicyDocumentInput;
  /**
   * Loads what the detectors need besides the event (counts, history,
   * approved exceptions) once per screening; the result is the detectors'
   * `ctx.services`. Detectors themselves do no I/O. `settings` are the
   * channel's defaults with the org's policy settings over them (the same
   * the detectors see), so the history loaded matches their windows.
   */
  readonly load?: (
    event: ScreenEvent<P>,
    now: Date,
    settings: Readonly<Record<string, unknown>>,
  ) => Promise<S>;
  /**
   * Records the screened event in the channel's own tables (an application,
   * a message) after the verdict is in the decision log.
   */
  readonly record?: (verdict: Verdict, event: ScreenEvent<P>, services: S) => Promise<void>;
  /**
   * What a reviewer needs of this event beyond the verdict's reasons and
   * hits (counts, the holder's history, a declared purpose), copied onto the
   * case the verdict opens. Keyed hashes only: never a raw identity.
   */
  readonly caseDetails?: (
    verdict: Verdict,
    event: ScreenEvent<P>,
    services: S,
  ) => Readonly<Record<string, unknown>>;
  /**
   * The payload as the decision log keeps it. A channel whose events carry raw
   * identity attributes (or other values that must exist only as keyed hashes)
   * replaces them here; without it the validated payload is stored as it is.
   */
  readonly redact?: (payload: P, tools: ExtractTools) => unknown;
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
   * The outlet (`shop:<id>`, `agency:<id>` or `online`) an event comes from, for
   * channels that know one: an outlet-bound key screens only its own outlet's
   * events, and the event's case is visible to that outlet.
   */
  readonly outlet?: (payload: P) => string;
  /**
   * Notices to show beside the verdict (a notice the shop reads out on every
   * allowed contract, a warning label on a message), from the scored action
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
  readonly subject?: (payload: P) => string;
  /** An example payload for the API docs and the README. */
  readonly example: P;
}

/** The engine treats all channels alike; their payload types are erased here. */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds channels of different payload types
export type AnyChannel = ChannelModule<any, any>;
