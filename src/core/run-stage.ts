import type {
  Detector,
  DetectorContext,
  DetectorErrorCode,
  DetectorOutcome,
  Hit,
  Stage,
} from './detector.ts';
import { awaitWithin, ms, TIMEOUT } from './timing.ts';
import type { RawHit } from './verdict.ts';

export { awaitWithin, ms, TIMEOUT } from './timing.ts';

/** A detector ready to run under one compiled policy. */
export interface PlannedDetector {
  readonly detector: Detector;
  readonly name: string;
  readonly stage: Stage;
  readonly allowed: ReadonlySet<string>;
  /** Enrichments it waits for (empty: it runs at once). */
  readonly needs: readonly string[];
  readonly enabled: boolean;
  readonly budgetMs: number;
}

export interface StageRun {
  readonly hits: RawHit[];
  readonly outcomes: DetectorOutcome[];
}

/** What a stage waits on for the detectors that need enrichments: the screening's run of them. */
export interface EnrichmentWait {
  /** Undefined when every enrichment named answered; else why one did not. */
  all(names: readonly string[]): Promise<string | undefined>;
  /** The answer of an enrichment that answered. */
  value(name: string): unknown;
}

/** What `ctx.enriched` throws for an enrichment the detector did not declare in `needs`. */
export function notNeeded(name: string): Error {
  return new Error(`enrichment ${name} is not among the detector's needs`);
}

const NO_HITS: readonly RawHit[] = Object.freeze([]);

/** A factor beyond this is a bug in the detector, not a strength. */
export const MAX_FACTOR = 1e6;

/**
 * Run one stage's detectors. Synchronous detectors that need no enrichment
 * run inline; asynchronous ones run together, each raced against its
 * budget; a detector that needs enrichments starts when they have answered
 * (its budget counts from then) and is an `enrichment_failed` error when
 * one did not. Hits and outcomes come back in declaration order, whatever
 * order the detectors finish in, so a verdict does not depend on timing.
 * Returns synchronously when every detector did: most verdicts never wait
 * on a promise.
 */
export function runStage(
  detectors: readonly PlannedDetector[],
  event: Parameters<Detector['run']>[0],
  ctx: DetectorContext,
  enrichments?: EnrichmentWait,
): StageRun | Promise<StageRun> {
  // Slots by declaration order: an async detector fills its own when it settles.
  const outcomes = new Array<DetectorOutcome>(detectors.length);
  const found = new Array<readonly RawHit[]>(detectors.length);
  let pending: Promise<void>[] | undefined;
  // One clock reading ends a synchronous detector's time and starts the next one's.
  let clock = performance.now();
  for (let i = 0; i < detectors.length; i++) {
    const d = detectors[i] as PlannedDetector;
    if (!d.enabled) {
      outcomes[i] = skippedOutcome(d.name, d.stage);
      continue;
    }
    if (d.needs.length > 0) {
      const index = i;
      const waited = performance.now();
      const ready = enrichments ? enrichments.all(d.needs) : Promise.resolve('no enrichments were run');
      pending ??= [];
      pending.push(
        ready.then((failed) => {
          if (failed !== undefined) {
            outcomes[index] = detectorFailed(d, 'enrichment_failed', failed, performance.now() - waited);
            return;
          }
          const ran = runOne(
            d,
            event,
            withNeeds(ctx, d.needs, enrichments),
            index,
            outcomes,
            found,
            performance.now(),
          );
          return typeof ran === 'number' ? undefined : ran;
        }),
      );
      continue;
    }
    const ran = runOne(d, event, ctx, i, outcomes, found, clock);
    if (typeof ran === 'number') clock = ran;
    else {
      pending ??= [];
      pending.push(ran);
      clock = performance.now();
    }
  }
  if (!pending) return collect(outcomes, found);
  return Promise.all(pending).then(() => collect(outcomes, found));
}

/**
 * The context of a detector that needs enrichments: `enriched` answers only
 * the enrichments it declared, so what it reads never depends on which other
 * detector's enrichment happened to answer first. Made once its enrichments
 * have answered; the stage's `hits` do not change while the stage runs.
 */
function withNeeds(
  ctx: DetectorContext,
  needs: readonly string[],
  enrichments: EnrichmentWait | undefined,
): DetectorContext {
  return {
    ...ctx,
    enriched: <T>(ref: { readonly name: string }): T => {
      if (!needs.includes(ref.name) || !enrichments) throw notNeeded(ref.name);
      return enrichments.value(ref.name) as T;
    },
  };
}

/**
 * Run one detector into its slot, timed from `start`: when it is synchronous,
 * at once, answering the clock reading that ended it (the next detector's
 * start: one reading per detector, not two); else a promise that settles the
 * slot.
 */
function runOne(
  d: PlannedDetector,
  event: Parameters<Detector['run']>[0],
  ctx: DetectorContext,
  index: number,
  outcomes: DetectorOutcome[],
  found: (readonly RawHit[])[],
  start: number,
): number | Promise<void> {
  let result: readonly Hit[] | Promise<readonly Hit[]>;
  try {
    result = d.detector.run(event, ctx);
  } catch (error) {
    const end = performance.now();
    outcomes[index] = errorOutcome(d.name, d.stage, 'threw', error, end - start);
    return end;
  }
  const clock = performance.now();
  if (!isPromiseLike(result)) {
    outcomes[index] = settle(d, result, clock - start, true, found, index);
    return clock;
  }
  return awaitWithin(result, d.budgetMs - (clock - start)).then(
    (value) => {
      outcomes[index] = settle(d, value, performance.now() - start, false, found, index);
    },
    (error: unknown) => {
      outcomes[index] = errorOutcome(d.name, d.stage, 'threw', error, performance.now() - start);
    },
  );
}

function collect(outcomes: DetectorOutcome[], found: readonly (readonly RawHit[] | undefined)[]): StageRun {
  const hits: RawHit[] = [];
  for (const list of found) if (list) for (const h of list) hits.push(h);
  return { hits, outcomes };
}

/**
 * Check a detector's result and put its hits in `found[index]`. A
 * synchronous detector is timed here; an asynchronous one was raced against
 * its budget already, and its elapsed time also counts other detectors'
 * synchronous work, so it is not held against it.
 */
function settle(
  d: PlannedDetector,
  value: unknown,
  elapsed: number,
  synchronous: boolean,
  found: (readonly RawHit[])[],
  index: number,
): DetectorOutcome {
  if (value === TIMEOUT || (synchronous && elapsed > d.budgetMs)) {
    return detectorFailed(d, 'timeout', `ran past its budget of ${d.budgetMs} ms`, elapsed);
  }
  const checked = checkHits(value, d);
  if (typeof checked === 'string') {
    return detectorFailed(
      d,
      checked.startsWith('undeclared') ? 'undeclared_signal' : 'bad_hit',
      checked,
      elapsed,
    );
  }
  found[index] = checked;
  return { detector: d.name, stage: d.stage, outcome: 'ok', hits: checked.length, ms: ms(elapsed) };
}

function detectorFailed(
  d: PlannedDetector,
  code: DetectorErrorCode,
  message: string,
  elapsed: number,
): DetectorOutcome {
  return { detector: d.name, stage: d.stage, outcome: 'error', code, message, hits: 0, ms: ms(elapsed) };
}

/**
 * Validate a detector's hits; a message when any is malformed (then none are
 * used). Evidence and params are copied, so the verdict owns them and a
 * detector's constants are never frozen or changed through it.
 */
function checkHits(value: unknown, d: PlannedDetector): readonly RawHit[] | string {
  if (!Array.isArray(value)) return 'returned something other than an array of hits';
  if (value.length === 0) return NO_HITS;
  const out: RawHit[] = [];
  for (const h of value as unknown[]) {
    if (typeof h !== 'object' || h === null || typeof (h as Hit).signal !== 'string')
      return 'returned a hit without a signal';
    const hit = h as Hit;
    if (!d.allowed.has(hit.signal)) return `undeclared signal ${hit.signal}`;
    const factor = hit.factor ?? 1;
    if (typeof factor !== 'number' || !Number.isFinite(factor) || Math.abs(factor) > MAX_FACTOR)
      return `hit ${hit.signal} has a factor that is not a finite number within ±${MAX_FACTOR}`;
    const evidence = hit.evidence;
    if (!Array.isArray(evidence) || evidence.some((e) => typeof e !== 'string'))
      return `hit ${hit.signal} has evidence that is not a list of strings`;
    const params = hit.params;
    if (params === undefined) {
      out.push({ signal: hit.signal, detector: d.name, factor, evidence: evidence.slice() });
      continue;
    }
    const copy = checkParams(params);
    if (!copy) return `hit ${hit.signal} has params that are not strings or finite numbers`;
    out.push({ signal: hit.signal, detector: d.name, factor, evidence: evidence.slice(), params: copy });
  }
  return out;
}

/** Params fill reason texts and are stored as JSON: only strings and finite numbers. */
function checkParams(params: unknown): Record<string, string | number> | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const copy: Record<string, string | number> = {};
  for (const key of Object.keys(params)) {
    const v = (params as Record<string, unknown>)[key];
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) copy[key] = v;
    else return undefined;
  }
  return copy;
}

export function skippedOutcome(detector: string, stage: Stage): DetectorOutcome {
  return { detector, stage, outcome: 'skipped', hits: 0, ms: 0 };
}

export function errorOutcome(
  detector: string,
  stage: Stage,
  code: DetectorErrorCode,
  error: unknown,
  elapsed: number,
): DetectorOutcome {
  return {
    detector,
    stage,
    outcome: 'error',
    code,
    message: errorMessage(error).slice(0, 500),
    hits: 0,
    ms: ms(elapsed),
  };
}

function errorMessage(error: unknown): string {
  try {
    return String(error instanceof Error ? error.message : error);
  } catch {
    // A thrown value whose String() throws (an object without a prototype) still gets a message.
    return 'threw a value that cannot be shown';
  }
}

export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
