import type { z } from 'zod';
import { deepFreeze } from './deep-freeze.ts';
import type { ScreenEvent } from './event.ts';
import { awaitWithin, ms, TIMEOUT } from './timing.ts';

/**
 * A name for an enrichment's typed answer, so that a detector reads it back
 * with its type: `ctx.enriched(DNS_TXT)` is the `DnsTxt` the enrichment
 * returned. The type parameter exists only for the compiler.
 */
export interface EnrichmentRef<T> {
  readonly name: string;
  /** Phantom: never set; carries `T` from the enrichment to the detectors that read it. */
  readonly __output?: T;
}

/**
 * One screening's context, carried through every hook of a channel (issue 8,
 * item 4): the event, the time it is judged at, the channel settings the
 * detectors see (the channel's defaults with the policy's over them), the
 * channel's own per-screening state (`ChannelModule.begin`: keyed hashes
 * made once, say) and the answers of the enrichments that ran. One object
 * per screening replaces caches keyed by payload identity.
 */
export interface Screening<P = unknown, St = unknown> {
  readonly event: ScreenEvent<P>;
  readonly now: Date;
  readonly settings: Readonly<Record<string, unknown>>;
  /** What the channel's `begin` made for this screening (undefined without one). */
  readonly state: St;
  /**
   * The answer of an enrichment that ran and succeeded in this screening;
   * undefined when it did not run, failed or ran late.
   */
  enriched<T>(ref: EnrichmentRef<T>): T | undefined;
}

/** Checks an answer: a zod schema, or a type guard for answers too large to parse on every screening. */
export type EnrichmentCheck<T> = z.ZodType<T> | ((value: unknown) => value is T);

/**
 * An enrichment (issue 8, item 3): a slow or shared lookup that detectors
 * declare by name (`dns.txt`, `url.reputation`, a channel's history) instead
 * of doing I/O themselves. The engine runs each at most once per screening,
 * only when an enabled detector needs it, raced against its time budget, and
 * records how it went in the verdict (`enrichments`, and `timings.enrich`).
 *
 * - `needs`: earlier enrichments whose answers this one reads through
 *   `screening.enriched(...)` (SPF and DKIM results passed on to DMARC);
 *   it starts when they have succeeded, and fails when one of them fails.
 * - `output`: the answer's type, checked at run time; an answer that fails
 *   the check is an error, never handed to a detector.
 * - `cache`: answers reused across screenings of one organisation for as
 *   long as the answer allows (a DNS record's TTL), keyed by what it looked
 *   up; without it every screening asks again.
 *
 * A failing, late or malformed enrichment makes exactly the detectors that
 * need it (directly or through another enrichment) `error` outcomes; the
 * rest of the verdict stands.
 *
 * @example
 * const history: Enrichment<Application, Keys, History> = {
 *   name: 'holder.history',
 *   budgetMs: 200,
 *   output: isHistory,
 *   run: (s) => store.load(s.event.orgId, s.state, s.now),
 * };
 */
export interface Enrichment<P = unknown, St = unknown, T = unknown> extends EnrichmentRef<T> {
  readonly name: string;
  readonly needs?: readonly string[];
  /** Time budget in ms (0 < budget ≤ 60000); the engine's enrichment default applies when absent. */
  readonly budgetMs?: number;
  readonly output: EnrichmentCheck<T>;
  readonly cache?: {
    /** What the answer depends on besides the organisation (a domain, a URL); undefined: do not cache this one. */
    readonly key: (screening: Screening<P, St>) => string | undefined;
    /** How long this answer may be reused, in ms (0: not at all). */
    readonly ttlMs: (answer: T) => number;
  };
  run(screening: Screening<P, St>, signal: AbortSignal): T | Promise<T>;
}

/** How one enrichment went in a screening, as the verdict records it. */
export interface EnrichmentOutcome {
  readonly enrichment: string;
  readonly outcome: 'ok' | 'error';
  /** The answer came from the cross-screening cache. */
  readonly cached?: true;
  readonly code?: EnrichmentErrorCode;
  readonly message?: string;
  readonly ms: number;
}

/**
 * Why an enrichment's answer was not used: it threw, ran past its budget,
 * returned something its `output` check refused, or an enrichment it needs
 * failed.
 */
export const ENRICHMENT_ERROR_CODES = ['threw', 'timeout', 'bad_output', 'needs_failed'] as const;
export type EnrichmentErrorCode = (typeof ENRICHMENT_ERROR_CODES)[number];

export type EnrichmentResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string };

/** Answers kept across screenings: bounded, oldest first out. */
export class EnrichmentCache {
  readonly #entries = new Map<string, { value: unknown; expires: number }>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  get(key: string, now: number): { value: unknown } | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return hit;
  }

  set(key: string, value: unknown, ttlMs: number, now: number): void {
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    // Frozen: one answer is shared by every screening that reuses it, so none may change it for the next.
    this.#entries.set(key, { value: deepFreeze(value), expires: now + ttlMs });
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * The enrichments of one screening: each started at most once, on first
 * demand, after the ones it needs; every answer checked; how each went kept
 * for the verdict. `deadline` (a `performance.now()` time) caps every
 * budget, so a screening never waits past its own budget.
 */
export class EnrichmentRun {
  readonly #byName: ReadonlyMap<string, Enrichment>;
  readonly #screening: Screening;
  readonly #results = new Map<string, Promise<EnrichmentResult>>();
  readonly #values = new Map<string, unknown>();
  readonly #outcomes: EnrichmentOutcome[] = [];
  readonly #cache: EnrichmentCache | undefined;
  readonly #defaultBudgetMs: number;
  readonly #deadline: number;
  readonly #abort = new AbortController();
  #first = Number.NaN;
  #last = Number.NaN;

  constructor(options: {
    readonly enrichments: ReadonlyMap<string, Enrichment>;
    readonly screening: Screening;
    readonly cache?: EnrichmentCache | undefined;
    readonly defaultBudgetMs: number;
    readonly deadline: number;
  }) {
    this.#byName = options.enrichments;
    this.#screening = options.screening;
    this.#cache = options.cache;
    this.#defaultBudgetMs = options.defaultBudgetMs;
    this.#deadline = options.deadline;
  }

  /** A successful answer, once it is in (undefined otherwise). */
  value(name: string): unknown {
    return this.#values.get(name);
  }

  /** Start (once) and wait for an enrichment. Never rejects. */
  get(name: string): Promise<EnrichmentResult> {
    let result = this.#results.get(name);
    if (!result) {
      result = this.#start(name);
      this.#results.set(name, result);
    }
    return result;
  }

  /** Wait for every enrichment in `names`; the first failure's message, or undefined when all succeeded. */
  async all(names: readonly string[]): Promise<string | undefined> {
    const results = await Promise.all(names.map((n) => this.get(n)));
    for (let i = 0; i < results.length; i++) {
      const r = results[i] as EnrichmentResult;
      if (!r.ok) return `enrichment ${names[i]} failed: ${r.message}`;
    }
    return undefined;
  }

  /** The enrichments that failed so far. */
  failed(): EnrichmentOutcome[] {
    return this.#outcomes.filter((o) => o.outcome === 'error');
  }

  /** How each enrichment went, in the order they settled, and the wall time from the first start to the last answer. */
  finish(): { outcomes: readonly EnrichmentOutcome[]; ms: number } {
    // Answers still running past the verdict are abandoned; their lookups may stop.
    this.#abort.abort();
    const spent = Number.isNaN(this.#first) ? 0 : ms(this.#last - this.#first);
    return { outcomes: this.#outcomes, ms: spent };
  }

  async #start(name: string): Promise<EnrichmentResult> {
    const e = this.#byName.get(name);
    const t0 = performance.now();
    if (Number.isNaN(this.#first)) this.#first = t0;
    if (!e) return this.#fail(name, 'threw', `no enrichment named ${name} is registered`, t0);
    if (e.needs && e.needs.length > 0) {
      const failed = await this.all(e.needs);
      if (failed) return this.#fail(name, 'needs_failed', failed, t0);
    }
    const orgId = this.#screening.event.orgId;
    let cacheKey: string | undefined;
    if (this.#cache && e.cache) {
      try {
        const k = e.cache.key(this.#screening);
        if (k !== undefined) cacheKey = `${e.name}\u0000${orgId}\u0000${k}`;
      } catch (error) {
        return this.#fail(name, 'threw', error, t0);
      }
      const hit = cacheKey === undefined ? undefined : this.#cache.get(cacheKey, Date.now());
      if (hit) return this.#succeed(name, hit.value, t0, true);
    }
    const start = performance.now();
    const budget = Math.min(e.budgetMs ?? this.#defaultBudgetMs, this.#deadline - start);
    let answer: unknown;
    try {
      const running = e.run(this.#screening, this.#abort.signal);
      if (isThenable(running)) {
        answer = await awaitWithin(running, budget - (performance.now() - start));
      } else {
        // Answered at once (a cache of its own, no lookup needed): no timer to race, but the time it took counts.
        answer = performance.now() - start > budget ? TIMEOUT : running;
      }
    } catch (error) {
      return this.#fail(name, 'threw', error, t0);
    }
    if (answer === TIMEOUT) return this.#fail(name, 'timeout', `ran past its budget of ${ms(budget)} ms`, t0);
    const checked = check(e.output, answer);
    if (!checked.ok) return this.#fail(name, 'bad_output', checked.message, t0);
    if (cacheKey !== undefined && this.#cache && e.cache) {
      try {
        this.#cache.set(cacheKey, checked.value, e.cache.ttlMs(checked.value), Date.now());
      } catch {
        // A TTL that cannot be computed caches nothing; the answer itself stands.
      }
    }
    return this.#succeed(name, checked.value, t0, false);
  }

  #succeed(name: string, value: unknown, t0: number, cached: boolean): EnrichmentResult {
    this.#last = performance.now();
    this.#values.set(name, value);
    this.#outcomes.push({
      enrichment: name,
      outcome: 'ok',
      ...(cached ? { cached: true as const } : {}),
      ms: ms(this.#last - t0),
    });
    return { ok: true, value };
  }

  #fail(name: string, code: EnrichmentErrorCode, error: unknown, t0: number): EnrichmentResult {
    this.#last = performance.now();
    const message = messageOf(error).slice(0, 500);
    this.#outcomes.push({ enrichment: name, outcome: 'error', code, message, ms: ms(this.#last - t0) });
    return { ok: false, message: `${code}: ${message}` };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function check(output: EnrichmentCheck<unknown>, value: unknown): EnrichmentResult {
  try {
    if (typeof output === 'function') {
      return output(value)
        ? { ok: true, value }
        : { ok: false, message: 'returned an answer its output check refused' };
    }
    const parsed = output.safeParse(value);
    if (parsed.success) return { ok: true, value: parsed.data };
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
    return { ok: false, message: `returned an answer that is not its declared output${where}` };
  } catch (error) {
    return { ok: false, message: `its output check threw: ${messageOf(error)}` };
  }
}

function messageOf(error: unknown): string {
  try {
    return String(error instanceof Error ? error.message : error);
  } catch {
    return 'threw a value that cannot be shown';
  }
}
