import type { AnyChannel, ExtractTools } from './channel.ts';
import type {
  Detector,
  DetectorContext,
  DetectorOutcome,
  DetectorStage,
  Hit,
  IntelLookup,
  Stage,
} from './detector.ts';
import { MamoruError } from './errors.ts';
import type { ScreenEvent } from './event.ts';
import { newId } from './id.ts';
import type { IndicatorMatch, IndicatorRef } from './indicator.ts';
import { type CompiledPolicy, compilePolicy, overrideKey, type PolicyRef } from './policy.ts';
import { SignalCatalogue, type SignalDeclaration } from './signal.ts';
import { POLICY_SIGNALS } from './signals.ts';
import { explain, type Forced, type Scored, scoreHits, type Verdict } from './verdict.ts';

/** Runs after the verdict is made (export, history, metrics); cannot change it. */
export interface Observer {
  readonly name: string;
  observe(verdict: Verdict, event: ScreenEvent): void | Promise<void>;
}

export interface EngineOptions {
  readonly channels: readonly AnyChannel[];
  /** Budget of a detector that names none (ms). */
  readonly defaultBudgetMs?: number;
  readonly observers?: readonly Observer[];
}

export interface EvaluateInput {
  readonly event: ScreenEvent;
  readonly policy: PolicyRef;
  readonly tools: ExtractTools;
  readonly intel?: IntelLookup | undefined;
  readonly services?: unknown;
  readonly now?: Date;
}

/** A problem found when the engine was built: the detector is turned off, the rest runs. */
export interface EngineProblem {
  readonly channel: string;
  readonly detector: string;
  readonly message: string;
}

interface PreparedDetector {
  readonly detector: Detector;
  readonly stage: DetectorStage;
  readonly allowed: ReadonlySet<string>;
}

interface PreparedChannel {
  readonly channel: AnyChannel;
  readonly catalogue: SignalCatalogue;
  readonly byStage: Readonly<Record<DetectorStage, readonly PreparedDetector[]>>;
  readonly settings: Readonly<Record<string, unknown>>;
}

interface RawHit {
  readonly signal: string;
  readonly detector: string;
  readonly factor: number;
  readonly evidence: readonly string[];
  readonly params?: Readonly<Record<string, string | number>> | undefined;
}

interface StageRun {
  readonly hits: RawHit[];
  readonly outcomes: DetectorOutcome[];
}

const TIMEOUT = Symbol('timeout');
const ms = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The engine: event → extract → overrides → intel → detectors (pre, detect,
 * post) → score under the policy → verdict → observers. Pure apart from the
 * lookups and services the caller passes in.
 *
 * A detector that throws, returns a malformed hit, fires a signal it did not
 * declare or runs past its budget becomes an `error` outcome in the verdict;
 * the other detectors' hits and the verdict stand.
 *
 * @example
 * const engine = createEngine({ channels: [message] });
 * const verdict = await engine.evaluate({ event, policy, tools });
 */
export class Engine {
  readonly #channels = new Map<string, PreparedChannel>();
  readonly #compiled = new WeakMap<PolicyRef, CompiledPolicy>();
  readonly #defaultBudgetMs: number;
  readonly #observers: readonly Observer[];
  readonly problems: readonly EngineProblem[];

  constructor(options: EngineOptions) {
    this.#defaultBudgetMs = options.defaultBudgetMs ?? 50;
    this.#observers = options.observers ?? [];
    const problems: EngineProblem[] = [];
    for (const channel of options.channels) {
      if (this.#channels.has(channel.name)) throw new Error(`channel ${channel.name} registered twice`);
      const catalogue = new SignalCatalogue([...POLICY_SIGNALS, ...channel.signals]);
      const byStage: Record<DetectorStage, PreparedDetector[]> = { pre: [], detect: [], post: [] };
      const names = new Set<string>();
      for (const detector of channel.detectors) {
        const undeclared = detector.signals.filter((s) => !catalogue.has(s));
        if (names.has(detector.name)) {
          problems.push({
            channel: channel.name,
            detector: detector.name,
            message: 'detector name used twice; second turned off',
          });
          continue;
        }
        names.add(detector.name);
        if (undeclared.length > 0) {
          problems.push({
            channel: channel.name,
            detector: detector.name,
            message: `fires undeclared signals ${undeclared.join(', ')}; turned off`,
          });
          continue;
        }
        const stage = detector.stage ?? 'detect';
        byStage[stage].push({ detector, stage, allowed: new Set(detector.signals) });
      }
      this.#channels.set(channel.name, {
        channel,
        catalogue,
        byStage,
        settings: channel.defaultSettings ?? {},
      });
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

  /** The detector names of a channel. */
  detectors(channel: string): string[] {
    const p = this.#prepared(channel);
    return [...p.byStage.pre, ...p.byStage.detect, ...p.byStage.post].map((d) => d.detector.name);
  }

  /** Compile (and cache) a policy for a channel. */
  compile(channel: string, policy: PolicyRef): CompiledPolicy {
    let compiled = this.#compiled.get(policy);
    if (!compiled) {
      compiled = compilePolicy(policy, this.#prepared(channel).catalogue.all());
      this.#compiled.set(policy, compiled);
    }
    return compiled;
  }

  /** Re-score recorded hits under a policy: the policy dry-run. */
  rescore(channel: string, policy: PolicyRef, hits: readonly RawHit[]): Scored {
    return scoreHits(this.compile(channel, policy), hits);
  }

  /** Reasons for scored hits, from the channel's catalogue. */
  explain(channel: string, scored: Scored) {
    const catalogue = this.#prepared(channel).catalogue;
    return explain(scored, (s) => catalogue.get(s));
  }

  async evaluate(input: EvaluateInput): Promise<Verdict> {
    const started = performance.now();
    const { event } = input;
    const prepared = this.#prepared(event.channel);
    const policy = this.compile(event.channel, input.policy);
    const timings: Record<Stage | 'total', number> = { pre: 0, detect: 0, post: 0, observe: 0, total: 0 };
    const outcomes: DetectorOutcome[] = [];
    const hits: RawHit[] = [];

    // pre: extract indicators, apply overrides, look up intel, run pre detectors.
    let indicators: IndicatorRef[] = [];
    try {
      indicators = prepared.channel.extract(event.payload, input.tools);
    } catch (error) {
      outcomes.push(
        errorOutcome(`${event.channel}.extract`, 'pre', 'threw', error, performance.now() - started),
      );
    }
    const override = this.#override(policy, indicators);
    let intel: readonly IndicatorMatch[] = [];
    if (!override && input.intel && indicators.length > 0) {
      const t = performance.now();
      try {
        intel = await input.intel.lookup(event.orgId, indicators);
        outcomes.push({
          detector: 'intel.lookup',
          stage: 'pre',
          outcome: 'ok',
          hits: intel.length,
          ms: ms(performance.now() - t),
        });
      } catch (error) {
        outcomes.push(errorOutcome('intel.lookup', 'pre', 'threw', error, performance.now() - t));
      }
    }
    const settings =
      Object.keys(policy.ref.document.settings).length === 0
        ? prepared.settings
        : { ...prepared.settings, ...policy.ref.document.settings };
    const ctx: DetectorContext = {
      now: input.now ?? new Date(),
      orgId: event.orgId,
      indicators,
      intel,
      settings,
      hits,
      services: input.services,
    };
    let mark = performance.now();
    if (override) {
      hits.push(override.hit);
      for (const stage of ['pre', 'detect', 'post'] as const) {
        for (const d of prepared.byStage[stage]) outcomes.push(skipped(d));
      }
    } else {
      for (const stage of ['pre', 'detect', 'post'] as const) {
        if (stage !== 'pre') mark = performance.now();
        const run = await this.#runStage(prepared.byStage[stage], policy, event, ctx);
        hits.push(...run.hits);
        outcomes.push(...run.outcomes);
        timings[stage] = ms(performance.now() - (stage === 'pre' ? started : mark));
      }
    }
    if (override) timings.pre = ms(mark - started);

    let scored = scoreHits(policy, hits);
    if (override) {
      scored = { ...scored, action: override.forced.action, forced: override.forced };
    }
    const { reasons, summary } = explain(scored, (s) => prepared.catalogue.get(s));
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
      indicators,
      policy: { id: policy.ref.document.id, version: policy.ref.version },
      timings,
      createdAt: ctx.now.toISOString(),
    };
    if (this.#observers.length > 0) {
      const t = performance.now();
      for (const o of this.#observers) {
        const s = performance.now();
        try {
          await o.observe(verdict, event);
        } catch (error) {
          outcomes.push(errorOutcome(o.name, 'observe', 'threw', error, performance.now() - s));
        }
      }
      timings.observe = ms(performance.now() - t);
    }
    timings.total = ms(performance.now() - started);
    return verdict;
  }

  #prepared(channel: string): PreparedChannel {
    const prepared = this.#channels.get(channel);
    if (!prepared) throw new MamoruError('unknown_channel', `unknown channel ${channel}`);
    return prepared;
  }

  #override(
    policy: CompiledPolicy,
    indicators: readonly IndicatorRef[],
  ): { hit: RawHit; forced: Forced } | undefined {
    if (policy.deny.size === 0 && policy.allow.size === 0) return undefined;
    let allow: IndicatorRef | undefined;
    for (const ref of indicators) {
      const key = overrideKey(ref.type, ref.value);
      if (policy.deny.has(key)) {
        return {
          hit: listHit('POLICY_DENY_LISTED', ref, policy.deny.get(key)),
          forced: { action: policy.denyAction, by: 'POLICY_DENY_LISTED', kind: 'deny_override' },
        };
      }
      if (!allow && policy.allow.has(key)) allow = ref;
    }
    if (!allow) return undefined;
    return {
      hit: listHit('POLICY_ALLOW_LISTED', allow, policy.allow.get(overrideKey(allow.type, allow.value))),
      forced: { action: 'allow', by: 'POLICY_ALLOW_LISTED', kind: 'allow_override' },
    };
  }

  /** Run one stage. Synchronous detectors run inline; asynchronous ones run together, each against its budget. */
  async #runStage(
    detectors: readonly PreparedDetector[],
    policy: CompiledPolicy,
    event: ScreenEvent,
    ctx: DetectorContext,
  ): Promise<StageRun> {
    const run: StageRun = { hits: [], outcomes: [] };
    let pending: Promise<void>[] | undefined;
    for (const d of detectors) {
      if (policy.disabledDetectors.has(d.detector.name)) {
        run.outcomes.push(skipped(d));
        continue;
      }
      const budget = policy.budgets.get(d.detector.name) ?? d.detector.budgetMs ?? this.#defaultBudgetMs;
      const start = performance.now();
      let result: readonly Hit[] | Promise<readonly Hit[]>;
      try {
        result = d.detector.run(event, ctx);
      } catch (error) {
        run.outcomes.push(errorOutcome(d.detector.name, d.stage, 'threw', error, performance.now() - start));
        continue;
      }
      if (isPromise(result)) {
        pending ??= [];
        pending.push(
          awaitWithin(result, budget - (performance.now() - start)).then(
            (value) => settle(run, d, value, start, budget),
            (error: unknown) => {
              run.outcomes.push(
                errorOutcome(d.detector.name, d.stage, 'threw', error, performance.now() - start),
              );
            },
          ),
        );
      } else {
        settle(run, d, result, start, budget);
      }
    }
    if (pending) await Promise.all(pending);
    return run;
  }
}

export function createEngine(options: EngineOptions): Engine {
  return new Engine(options);
}

function settle(
  run: StageRun,
  d: PreparedDetector,
  value: readonly Hit[] | typeof TIMEOUT,
  start: number,
  budget: number,
): void {
  const elapsed = performance.now() - start;
  const name = d.detector.name;
  if (value === TIMEOUT || elapsed > budget) {
    run.outcomes.push({
      detector: name,
      stage: d.stage,
      outcome: 'error',
      code: 'timeout',
      message: `ran past its budget of ${budget} ms`,
      hits: 0,
      ms: ms(elapsed),
    });
    return;
  }
  const checked = checkHits(value, d);
  if (typeof checked === 'string') {
    const code = checked.startsWith('undeclared') ? 'undeclared_signal' : 'bad_hit';
    run.outcomes.push({
      detector: name,
      stage: d.stage,
      outcome: 'error',
      code,
      message: checked,
      hits: 0,
      ms: ms(elapsed),
    });
    return;
  }
  run.hits.push(...checked);
  run.outcomes.push({ detector: name, stage: d.stage, outcome: 'ok', hits: checked.length, ms: ms(elapsed) });
}

/** Validate a detector's hits; a message when any is malformed (then none are used). */
function checkHits(value: unknown, d: PreparedDetector): RawHit[] | string {
  if (!Array.isArray(value)) return 'returned something other than an array of hits';
  const out: RawHit[] = [];
  for (const h of value as Hit[]) {
    if (typeof h !== 'object' || h === null || typeof h.signal !== 'string')
      return 'returned a hit without a signal';
    if (!d.allowed.has(h.signal)) return `undeclared signal ${h.signal}`;
    const factor = h.factor ?? 1;
    if (typeof factor !== 'number' || !Number.isFinite(factor))
      return `hit ${h.signal} has a non-finite factor`;
    if (!Array.isArray(h.evidence) || h.evidence.some((e) => typeof e !== 'string')) {
      return `hit ${h.signal} has evidence that is not a list of strings`;
    }
    out.push({ signal: h.signal, detector: d.detector.name, factor, evidence: h.evidence, params: h.params });
  }
  return out;
}

function listHit(signal: string, ref: IndicatorRef, reason: string | undefined): RawHit {
  const evidence = [`${ref.type}=${ref.value}`];
  if (ref.field) evidence.push(`field=${ref.field}`);
  if (reason) evidence.push(`reason=${reason}`);
  return {
    signal,
    detector: 'policy.overrides',
    factor: 1,
    evidence,
    params: { type: ref.type, value: ref.value },
  };
}

function skipped(d: PreparedDetector): DetectorOutcome {
  return { detector: d.detector.name, stage: d.stage, outcome: 'skipped', hits: 0, ms: 0 };
}

function errorOutcome(
  detector: string,
  stage: Stage,
  code: 'threw' | 'timeout',
  error: unknown,
  elapsed: number,
): DetectorOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return {
    detector,
    stage,
    outcome: 'error',
    code,
    message: message.slice(0, 500),
    hits: 0,
    ms: ms(elapsed),
  };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown })?.then === 'function';
}

function awaitWithin<T>(promise: Promise<T>, budget: number): Promise<T | typeof TIMEOUT> {
  if (budget <= 0) {
    promise.catch(() => {});
    return Promise.resolve(TIMEOUT);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(resolve, budget, TIMEOUT);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
