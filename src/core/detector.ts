import type { EnrichmentRef } from './enrichment.ts';
import type { IndicatorMatch, IndicatorRef } from './indicator.ts';

/**
 * One signal fired by a detector: the rspamd `insert_result(SYMBOL, factor, evidence)`.
 * `factor` scales the signal's weight (default 1); `evidence` says, for an
 * analyst, what was seen; `params` fill the placeholders of the signal's reason.
 */
export interface Hit {
  readonly signal: string;
  readonly factor?: number;
  readonly evidence: readonly string[];
  readonly params?: Readonly<Record<string, string | number>>;
}

export const STAGES = ['pre', 'detect', 'post', 'observe'] as const;
export type Stage = (typeof STAGES)[number];

/** Detectors run in `pre` (enrich, cheap checks), `detect` or `post` (composites over earlier hits). */
export type DetectorStage = Exclude<Stage, 'observe'>;
export const DETECTOR_STAGES = ['pre', 'detect', 'post'] as const satisfies readonly DetectorStage[];

/** Look up extracted indicators in the intel store (own, partners' and public). */
export interface IntelLookup {
  lookup(orgId: string, refs: readonly IndicatorRef[]): Promise<readonly IndicatorMatch[]>;
}

/**
 * What a detector may read besides the event: a narrow, read-only view.
 * `state` is the channel's per-screening state (`ChannelModule.begin`);
 * slow answers come from the enrichments the detector `needs`.
 */
export interface DetectorContext<St = unknown> {
  readonly now: Date;
  readonly orgId: string;
  /** Indicators the channel's extractor pulled out of the event. */
  readonly indicators: readonly IndicatorRef[];
  /** Intel matches for those indicators (looked up once in the pre stage). */
  readonly intel: readonly IndicatorMatch[];
  /** Channel settings from the policy (`settings`), already merged over the channel's defaults. */
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * Hits of earlier stages (of enabled signals only; frozen); `post` detectors
   * build composites from them. Detectors of one stage never see each other's.
   */
  readonly hits: readonly Hit[];
  /** The channel's state for this screening (what its `begin` made; undefined without one). */
  readonly state: St;
  /**
   * The answer of an enrichment this detector `needs`: the engine runs the
   * detector only once every enrichment it needs has answered. Throws for an
   * enrichment the detector did not declare (a bug: the detector is then an
   * `error` outcome).
   */
  enriched<T>(ref: EnrichmentRef<T>): T;
}

/**
 * A detector: one small unit with one job. It returns hits, never an action.
 * It declares the signals it may fire; a hit on any other signal is an error.
 *
 * @example
 * const shortener: Detector<MessagePayload> = {
 *   name: 'message.url_shortener',
 *   signals: ['MSG_URL_SHORTENER'],
 *   run: (event) => event.payload.text.includes('bit.ly/') ? [{ signal: 'MSG_URL_SHORTENER', evidence: ['bit.ly'] }] : [],
 * };
 */
export interface Detector<P = unknown, St = unknown> {
  readonly name: string;
  readonly stage?: DetectorStage;
  readonly signals: readonly string[];
  /**
   * Enrichments (by name) whose answers this detector reads. It runs once
   * they have all answered, and is an `error` outcome (`enrichment_failed`)
   * when one failed or ran late; a detector that needs none runs at once.
   */
  readonly needs?: readonly string[];
  /**
   * Time budget in milliseconds (0 < budget ≤ 60000); the policy's `detectors.<name>.budgetMs`
   * overrides it, and the engine's default applies when both are absent.
   */
  readonly budgetMs?: number;
  run(
    event: { readonly payload: P; readonly id: string; readonly receivedAt: string },
    ctx: DetectorContext<St>,
  ): readonly Hit[] | Promise<readonly Hit[]>;
}

/**
 * Why a detector's result was not used: it threw (or its promise rejected),
 * ran past its budget, fired a signal it did not declare, or returned a
 * malformed hit (not an array, no signal, a factor that is not a finite
 * number, evidence that is not a list of strings, params that are not
 * strings or finite numbers), or an enrichment it needs failed
 * (`enrichment_failed`). The channel's extractor and the intel lookup report
 * their failures with the same codes.
 */
export const DETECTOR_ERROR_CODES = [
  'threw',
  'timeout',
  'undeclared_signal',
  'bad_hit',
  'enrichment_failed',
] as const;
export type DetectorErrorCode = (typeof DETECTOR_ERROR_CODES)[number];

/**
 * How one detector ran. A failing detector is data, not an exception: the
 * verdict still stands and records the failure (Marble's rule outcome).
 */
export interface DetectorOutcome {
  readonly detector: string;
  readonly stage: Stage;
  readonly outcome: 'ok' | 'error' | 'skipped';
  readonly code?: DetectorErrorCode;
  readonly message?: string;
  readonly hits: number;
  readonly ms: number;
}
