import { ACTIONS, type Action } from './action.ts';
import type { AnyChannel, ExtractTools, ThresholdProfile } from './channel.ts';
import { decide, OVERRIDE_DETECTOR } from './decide.ts';
import { freezeSettings } from './deep-freeze.ts';
import {
  DETECTOR_STAGES,
  type DetectorContext,
  type DetectorOutcome,
  type DetectorStage,
  type Hit,
  type IntelLookup,
  type Stage,
} from './detector.ts';
import { EnrichmentCache, type EnrichmentRef, EnrichmentRun, type Screening } from './enrichment.ts';
import { MamoruError } from './errors.ts';
import type { ScreenEvent } from './event.ts';
import { extractIndicators, lookupIntel } from './extract-indicators.ts';
import { newId } from './id.ts';
import type { IndicatorRef } from './indicator.ts';
import {
  type CompiledPolicy,
  compilePolicy,
  matchOverride,
  type PolicyDocument,
  type PolicyRef,
  policyDocumentSchema,
  policyIssues,
} from './policy.ts';
import { type PreparedChannel, prepareChannel } from './prepare-channel.ts';
import { type Observer, runObservers } from './run-observers.ts';
import {
  errorOutcome,
  isPromiseLike,
  ms,
  notNeeded,
  type PlannedDetector,
  runStage,
  skippedOutcome,
} from './run-stage.ts';
import type { SignalDeclaration } from './signal.ts';
import { explain, type Notice, type RawHit, type Scored, scoreHits, type Verdict } from './verdict.ts';
import { applyWaiver, type Waiver } from './waiver.ts';

export interface EngineOptions {
  readonly channels: readonly AnyChannel[];
  /** Budget of a detector or observer that names none (ms); 50 when absent. */
  readonly defaultBudgetMs?: number;
  /** Budget of the intel lookup in the pre stage (ms); 250 when absent. */
  readonly intelBudgetMs?: number;
  /** Budget of an enrichment that names none (ms); 250 when absent. */
  readonly enrichmentBudgetMs?: number;
  /**
   * The most a screening waits for its enrichments, counted from its start
   * (ms); 2000 when absent. No enrichment's budget reaches past it.
   */
  readonly screeningBudgetMs?: number;
  /** Enrichment answers kept across screenings (per organisation, by each answer's TTL); one per engine when absent. */
  readonly enrichmentCache?: EnrichmentCache;
  readonly observers?: readonly Observer[];
}

export interface EvaluateInput {
  readonly event: ScreenEvent;
  readonly policy: PolicyRef;
  readonly tools: ExtractTools;
  readonly intel?: IntelLookup | undefined;
  readonly now?: Date;
  /**
   * Run the enrichments the detectors need (default true). A policy dry-run
   * passes false: answers looked up today are not what the event saw, so the
   * detectors that need them are `enrichment_failed` outcomes instead.
   */
  readonly enrich?: boolean;
}

/** A verdict and the screening that made it (its state and enrichment answers, for the channel's record). */
export interface Screened {
  readonly verdict: Verdict;
  readonly screening: Screening;
}

/**
 * A problem found when the engine was built: the detector (or, with
 * `detector: '*'`, the channel's signal, default policy or registration)
 * is turned off; the rest runs.
 */
export interface EngineProblem {
  readonly channel: string;
  readonly detector: string;
  readonly message: string;
}

/** A policy compiled for one channel, with its detectors' budgets and merged settings. */
interface Plan {
  readonly compiled: CompiledPolicy;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly stages: Readonly<Record<DetectorStage, readonly PlannedDetector[]>>;
  /** Enrichments the enabled detectors need, started together at the start of a screening. */
  readonly needed: readonly string[];
}

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * The engine: event → extract → overrides → intel → detectors (pre, detect,
 * post) → score under the policy → verdict → observers. Pure apart from the
 * lookups and services the caller passes in.
 *
 * A detector that throws, returns a malformed hit, fires a signal it did not
 * declare or runs past its budget becomes an `error` outcome in the verdict;
 * the other detectors' hits and the verdict stand. A detector or signal
 * declared wrongly is turned off when the engine is built and listed in
 * `problems`; the engine itself never fails to build for it.
 *
 * Compiled policies are cached per `PolicyRef` object: keep the object while
 * the version is current, and treat its document as immutable.
 *
 * @example
 * const engine = createEngine({ channels: [message] });
 * const verdict = await engine.evaluate({ event, policy, tools });
 */
export class Engine {
  readonly #channels = new Map<string, PreparedChannel>();
  readonly #plans = new WeakMap<PolicyRef, Plan>();
  readonly #defaultBudgetMs: number;
  readonly #intelBudgetMs: number;
  readonly #enrichmentBudgetMs: number;
  readonly #screeningBudgetMs: number;
  readonly #cache: EnrichmentCache;
  readonly #observers: readonly Observer[];
  readonly problems: readonly EngineProblem[];

  constructor(options: EngineOptions) {
    this.#defaultBudgetMs = budgetOption('defaultBudgetMs', options.defaultBudgetMs, 50);
    this.#intelBudgetMs = budgetOption('intelBudgetMs', options.intelBudgetMs, 250);
    this.#enrichmentBudgetMs = budgetOption('enrichmentBudgetMs', options.enrichmentBudgetMs, 250);
    this.#screeningBudgetMs = budgetOption('screeningBudgetMs', options.screeningBudgetMs, 2000);
    this.#cache = options.enrichmentCache ?? new EnrichmentCache();
    this.#observers = [...(options.observers ?? [])];
    const problems: EngineProblem[] = [];
    for (const channel of options.channels) {
      if (this.#channels.has(channel.name)) {
        problems.push({
          channel: channel.name,
          detector: '*',
          message: 'channel registered twice; second ignored',
        });
        continue;
      }
      const prepared = prepareChannel(channel, problems);
      this.#channels.set(channel.name, prepared);
      this.#checkDefaultPolicy(prepared, problems);
    }
    this.problems = Object.freeze(problems);
  }

  /** Names of the registered channels. */
  channels(): string[] {
    return [...this.#channels.keys()];
  }

  /** The declared signals of a channel (including the engine's own policy signals). */
  signals(channel: string): SignalDeclaration[] {
    return this.#prepared(channel).catalogue.all();
  }

  /** The names of a channel's detectors that run (those turned off at build are not listed). */
  detectors(channel: string): string[] {
    const p = this.#prepared(channel);
    return DETECTOR_STAGES.flatMap((stage) => p.detectors[stage].map((d) => d.name));
  }

  /** What a schema-valid policy names that the channel does not have (see {@link policyIssues}). */
  policyIssues(channel: string, doc: PolicyDocument): { path: string; message: string }[] {
    const p = this.#prepared(channel);
    const signals = p.catalogue.all();
    return policyIssues(
      doc,
      channel,
      new Set(signals.map((s) => s.name)),
      new Set(this.detectors(channel)),
      new Set(signals.map((s) => s.group)),
    );
  }

  /**
   * Compile (and cache) a policy for a channel. Throws `invalid_policy` when
   * the policy is for another channel.
   */
  compile(channel: string, policy: PolicyRef): CompiledPolicy {
    return this.#plan(this.#prepared(channel), policy).compiled;
  }

  /**
   * Re-score recorded hits under a policy: the policy dry-run. With the
   * event's indicators, the policy's allow and deny lists apply as in
   * {@link evaluate} (the recorded list hits are then set aside).
   */
  rescore(
    channel: string,
    policy: PolicyRef,
    hits: readonly RawHit[],
    indicators?: readonly IndicatorRef[],
  ): Scored {
    const compiled = this.compile(channel, policy);
    if (!indicators) return scoreHits(compiled, hits);
    const kept = hits.filter((h) => h.detector !== OVERRIDE_DETECTOR);
    return decide(compiled, kept, matchOverride(compiled, indicators));
  }

  /** Reasons for scored hits, from the channel's catalogue. */
  explain(channel: string, scored: Scored): ReturnType<typeof explain> {
    return explain(scored, this.#prepared(channel).describe);
  }

  async evaluate(input: EvaluateInput): Promise<Verdict> {
    return (await this.screen(input)).verdict;
  }

  /**
   * Evaluate an event and keep its screening: the channel's state and the
   * enrichments' answers, which the channel's `record`, `caseDetails`,
   * `redact` and `subject` hooks read after the verdict.
   *
   * @throws what the channel's `begin` throws (an event it cannot key is refused, field named).
   */
  async screen(input: EvaluateInput): Promise<Screened> {
    const started = performance.now();
    const { event } = input;
    const prepared = this.#prepared(event.channel);
    const plan = this.#plan(prepared, input.policy);
    const policy = plan.compiled;
    const now = input.now ?? new Date();
    const timings: Record<Stage | 'total', number> & { enrich?: number } = {
      pre: 0,
      detect: 0,
      post: 0,
      observe: 0,
      total: 0,
    };
    const outcomes: DetectorOutcome[] = [];
    let hits: RawHit[] = [];
    const channel = prepared.channel;
    const begun = channel.begin ? channel.begin(event, input.tools, plan.settings) : undefined;
    const state = isPromiseLike(begun) ? await begun : begun;
    let run: EnrichmentRun | undefined;
    const screening: Screening = {
      event,
      now,
      settings: plan.settings,
      state,
      enriched: <T>(ref: EnrichmentRef<T>) => run?.value(ref.name) as T | undefined,
    };

    // pre: extract indicators, apply overrides, look up intel, run pre detectors.
    const indicators = extractIndicators(channel, event, input.tools, screening, outcomes, started);
    const override = matchOverride(policy, indicators);
    let mark = started;
    if (override) {
      // An override decides alone: no lookup, no enrichment, every detector skipped.
      for (const stage of DETECTOR_STAGES)
        for (const d of plan.stages[stage]) outcomes.push(skippedOutcome(d.name, d.stage));
      mark = performance.now();
      timings.pre = ms(mark - started);
    } else {
      if (plan.needed.length > 0 && input.enrich !== false) {
        run = new EnrichmentRun({
          enrichments: prepared.enrichments,
          screening,
          cache: this.#cache,
          defaultBudgetMs: this.#enrichmentBudgetMs,
          deadline: started + this.#screeningBudgetMs,
        });
        // Started together, before the intel lookup: the slow answers overlap with it and with the detectors that need none.
        for (const name of plan.needed) void run.get(name);
      }
      const wait = run ?? (input.enrich === false ? NOT_ENRICHED : undefined);
      const intel =
        input.intel && indicators.length > 0
          ? await lookupIntel(input.intel, event.orgId, indicators, this.#intelBudgetMs, outcomes)
          : EMPTY;
      const ctx: { -readonly [K in keyof DetectorContext]: DetectorContext[K] } = {
        now,
        orgId: event.orgId,
        indicators,
        intel,
        settings: plan.settings,
        hits: EMPTY as readonly Hit[],
        state,
        // A detector that needs enrichments gets its own `enriched` from the stage (see runStage);
        // one that needs none reads none.
        enriched: <T>(ref: EnrichmentRef<T>): T => {
          throw notNeeded(ref.name);
        },
      };
      for (const stage of DETECTOR_STAGES) {
        const running = runStage(plan.stages[stage], event, ctx, wait);
        const stageRun = isPromiseLike(running) ? await running : running;
        for (const o of stageRun.outcomes) outcomes.push(o);
        let added = false;
        for (const h of stageRun.hits) {
          // A disabled signal does not exist for this policy: later composites must not see it either.
          if (policy.signals.get(h.signal)?.enabled) {
            hits.push(h);
            added = true;
          }
        }
        if (added) ctx.hits = Object.freeze(hits.slice());
        if (stage !== 'post') {
          const t = performance.now();
          timings[stage] = ms(t - mark);
          mark = t;
        }
      }
    }

    // post, continued: the approval that covers this event, checks that could not run for want of an
    // enrichment, then the verdict itself.
    if (!override && channel.waiver) hits = waive(channel, screening, policy, hits, outcomes);
    // Also when a dry run did not enrich: the fail-safe is part of the verdict the policy would give.
    const unenriched = override ? undefined : enrichmentFailures(outcomes, run, plan.needed);
    if (unenriched && policy.signals.get(unenriched.signal)?.enabled) hits.push(unenriched);
    const profile =
      override || !channel.thresholds ? undefined : thresholdProfile(channel, screening, outcomes);
    const scored = decide(profile ? { ...policy, thresholds: profile.thresholds } : policy, hits, override);
    const { reasons, summary } = explain(scored, prepared.describe);
    const notices = channelNotices(channel, scored, event, plan.settings, outcomes);
    const enriched = run?.finish();
    if (enriched) timings.enrich = enriched.ms;
    const decided = performance.now();
    timings.post = ms(decided - mark);
    timings.total = ms(decided - started);
    const verdict: Verdict = {
      id: newId('dec'),
      orgId: event.orgId,
      channel: event.channel,
      eventId: event.id,
      action: scored.action,
      score: scored.score,
      hits: scored.hits,
      ...(scored.forced ? { forced: scored.forced } : {}),
      outcomes,
      reasons,
      summary,
      ...(notices.length > 0 ? { notices } : {}),
      ...(enriched && enriched.outcomes.length > 0 ? { enrichments: enriched.outcomes } : {}),
      indicators,
      policy: profile
        ? { id: policy.ref.document.id, version: policy.ref.version, thresholds: profile.name }
        : { id: policy.ref.document.id, version: policy.ref.version },
      timings,
      createdAt: isoTime(now),
    };
    if (this.#observers.length === 0) return { verdict, screening };
    return {
      verdict: await runObservers(this.#observers, this.#defaultBudgetMs, verdict, event, started),
      screening,
    };
  }

  #prepared(channel: string): PreparedChannel {
    const prepared = this.#channels.get(channel);
    if (!prepared) throw new MamoruError('unknown_channel', `unknown channel ${channel}`);
    return prepared;
  }

  #plan(prepared: PreparedChannel, policy: PolicyRef): Plan {
    const channel = prepared.channel.name;
    if (policy.document.channel !== channel) {
      throw new MamoruError(
        'invalid_policy',
        `policy ${policy.document.id} is for channel ${policy.document.channel}, not ${channel}`,
        { issues: [{ path: 'channel', message: `must be ${channel}` }] },
      );
    }
    const cached = this.#plans.get(policy);
    if (cached) return cached;
    const compiled = compilePolicy(policy, prepared.catalogue.all());
    const stages = {
      pre: this.#planStage(prepared, 'pre', compiled),
      detect: this.#planStage(prepared, 'detect', compiled),
      post: this.#planStage(prepared, 'post', compiled),
    };
    const needed = new Set<string>();
    for (const stage of DETECTOR_STAGES)
      for (const d of stages[stage]) if (d.enabled) for (const n of d.needs) needed.add(n);
    const plan: Plan = {
      compiled,
      settings: freezeSettings({ ...prepared.settings, ...policy.document.settings }),
      stages,
      needed: [...needed],
    };
    this.#plans.set(policy, plan);
    return plan;
  }

  #planStage(prepared: PreparedChannel, stage: DetectorStage, compiled: CompiledPolicy): PlannedDetector[] {
    return prepared.detectors[stage].map((d) => ({
      ...d,
      enabled: !compiled.disabledDetectors.has(d.name),
      budgetMs: compiled.budgets.get(d.name) ?? d.budgetMs ?? this.#defaultBudgetMs,
    }));
  }

  #checkDefaultPolicy(prepared: PreparedChannel, problems: EngineProblem[]): void {
    const channel = prepared.channel.name;
    const parsed = policyDocumentSchema.safeParse(prepared.channel.defaultPolicy);
    const issues = parsed.success
      ? this.policyIssues(channel, parsed.data)
      : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    for (const issue of issues) {
      problems.push({ channel, detector: '*', message: `default policy: ${issue.path}: ${issue.message}` });
    }
  }
}

/**
 * The hits after the channel's waiver (HQ's exception), applied once for
 * every detector. A hook that throws, or a waiver whose signal is not an
 * enabled signal of the policy, is an error outcome and waives nothing.
 */
function waive(
  channel: AnyChannel,
  screening: Screening,
  policy: CompiledPolicy,
  hits: RawHit[],
  outcomes: DetectorOutcome[],
): RawHit[] {
  const since = performance.now();
  const name = `${channel.name}.waiver`;
  let waiver: Waiver | undefined;
  try {
    waiver = channel.waiver?.(screening);
  } catch (error) {
    outcomes.push(errorOutcome(name, 'post', 'threw', error, performance.now() - since));
    return hits;
  }
  if (!waiver || hits.length === 0) return hits;
  if (typeof waiver.signal !== 'string' || !policy.signals.get(waiver.signal)?.enabled) {
    const message = `waiver signal ${String(waiver.signal)} is not an enabled signal of the channel`;
    outcomes.push(errorOutcome(name, 'post', 'undeclared_signal', message, performance.now() - since));
    return hits;
  }
  return applyWaiver(hits, waiver, (hit) => ({
    signal: hit.signal,
    detector: name,
    factor: 1,
    evidence: hit.evidence,
    ...(hit.params ? { params: hit.params } : {}),
  }));
}

/**
 * The channel's named thresholds for this screening (a subscriber's filter
 * strength), sorted from the most severe action down as the compiled
 * policy keeps them. A hook that throws, or thresholds that are not finite
 * numbers rising with severity, is an error outcome (`<channel>.thresholds`)
 * and the policy's own thresholds decide.
 */
function thresholdProfile(
  channel: AnyChannel,
  screening: Screening,
  outcomes: DetectorOutcome[],
): { name: string; thresholds: readonly (readonly [Action, number])[] } | undefined {
  const since = performance.now();
  const name = `${channel.name}.thresholds`;
  let profile: ThresholdProfile | undefined;
  try {
    profile = channel.thresholds?.(screening);
  } catch (error) {
    outcomes.push(errorOutcome(name, 'post', 'threw', error, performance.now() - since));
    return undefined;
  }
  if (profile === undefined) return undefined;
  const entries: [Action, number][] = [];
  let below = Number.NEGATIVE_INFINITY;
  let bad =
    typeof profile?.name !== 'string' || profile.name === '' || typeof profile.thresholds !== 'object';
  for (const action of bad ? [] : ACTIONS) {
    const min = (profile.thresholds as Record<string, unknown>)[action];
    if (min === undefined) continue;
    if (action === 'allow' || typeof min !== 'number' || !Number.isFinite(min) || min <= below) {
      bad = true;
      break;
    }
    below = min;
    entries.push([action, min]);
  }
  if (bad) {
    const message = 'returned thresholds that are not a name and finite numbers rising with severity';
    outcomes.push(errorOutcome(name, 'post', 'bad_hit', message, performance.now() - since));
    return undefined;
  }
  return { name: profile.name, thresholds: entries.reverse() };
}

/**
 * One `POLICY_ENRICHMENT_FAILED` hit when any detector could not run because
 * an enrichment it needs failed: the failed enrichments and the detectors left
 * out, as evidence. Its forced action (review by default) keeps a failed
 * lookup from letting an event through unchecked.
 */
function enrichmentFailures(
  outcomes: readonly DetectorOutcome[],
  run: EnrichmentRun | undefined,
  needed: readonly string[],
): RawHit | undefined {
  const detectors = outcomes.filter((o) => o.code === 'enrichment_failed').map((o) => o.detector);
  if (detectors.length === 0) return undefined;
  // Without a run (a dry run that does not enrich), every needed enrichment counts as not run.
  const failed = run
    ? run.failed()
    : needed.map((enrichment) => ({ enrichment, code: 'not run', message: 'not run in a dry run' }));
  return {
    signal: 'POLICY_ENRICHMENT_FAILED',
    detector: 'engine.enrichments',
    factor: 1,
    evidence: [
      ...failed.map((f) => `enrichment=${f.enrichment} ${f.code}: ${f.message ?? ''}`.trim()),
      ...detectors.map((d) => `detector=${d} not run`),
    ],
    params: {
      enrichments: failed.map((f) => f.enrichment).join(', '),
      detectors: detectors.join(', '),
      count: detectors.length,
    },
  };
}

/** What detectors wait on when a dry run does not enrich: every enrichment is unavailable. */
const NOT_ENRICHED = {
  all: async (names: readonly string[]) => `enrichments are not run here (${names.join(', ')})`,
  value: () => undefined,
};

export function createEngine(options: EngineOptions): Engine {
  return new Engine(options);
}

let isoMs = Number.NaN;
let iso = '';

/** `toISOString`, remembered for the current millisecond: it was the single costliest call in a verdict. */
function isoTime(date: Date): string {
  const t = date.getTime();
  if (t !== isoMs) {
    iso = date.toISOString();
    isoMs = t;
  }
  return iso;
}

const NOTICE_FIELDS = ['code', 'ja', 'en'] as const;

function isNotice(value: unknown): value is Notice {
  if (typeof value !== 'object' || value === null) return false;
  const n = value as Record<string, unknown>;
  return NOTICE_FIELDS.every((k) => typeof n[k] === 'string' && n[k] !== '');
}

/**
 * The channel's notices for a scored verdict. A hook that throws, or returns
 * something other than a list of notices, is an error outcome
 * (`<channel>.notices`, stage post) and yields none; malformed entries are
 * dropped and reported, the well-formed ones kept (copied: the verdict owns them).
 */
function channelNotices(
  channel: AnyChannel,
  scored: Scored,
  event: ScreenEvent,
  settings: Readonly<Record<string, unknown>>,
  outcomes: DetectorOutcome[],
): readonly Notice[] {
  const hook = channel.notices;
  if (!hook) return EMPTY;
  const since = performance.now();
  const name = `${channel.name}.notices`;
  let found: unknown;
  try {
    found = hook({ action: scored.action, hits: scored.hits }, event.payload, settings);
  } catch (error) {
    outcomes.push(errorOutcome(name, 'post', 'threw', error, performance.now() - since));
    return EMPTY;
  }
  if (!Array.isArray(found)) {
    const message = 'returned something other than an array of notices';
    outcomes.push(errorOutcome(name, 'post', 'bad_hit', message, performance.now() - since));
    return EMPTY;
  }
  const good = found.filter(isNotice).map(({ code, ja, en }) => ({ code, ja, en }));
  if (good.length < found.length) {
    const message = `returned ${found.length - good.length} malformed notices; dropped`;
    outcomes.push(errorOutcome(name, 'post', 'bad_hit', message, performance.now() - since));
  }
  return good;
}

function budgetOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${name} must be a positive number of ms`);
  return value;
}

export type { Observer };
