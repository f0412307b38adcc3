import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { AnyChannel } from './channel.ts';
import type { Detector, DetectorStage } from './detector.ts';
import { createEngine, type EngineOptions } from './engine.ts';
import { type Enrichment, EnrichmentCache, type EnrichmentRef, type Screening } from './enrichment.ts';
import { isMamoruError, MamoruError } from './errors.ts';
import type { ScreenEvent } from './event.ts';
import type { PolicyDocumentInput } from './policy.ts';
import { busy, event, noTools, policy, signal, type TestPayload, testChannel } from './testing.ts';
import type { Verdict } from './verdict.ts';

/**
 * Enrichments in the engine (issue 8, item 3) and the per-screening state
 * (item 4): the property test the issue's "Must show" asks for, then one
 * behaviour per test.
 */

const ref = <T>(name: string): EnrichmentRef<T> => ({ name });

/** The answer every test enrichment gives: its own name and the names it read from its needs. */
interface Answer {
  readonly name: string;
  readonly from: readonly string[];
}
const answerSchema = z.object({ name: z.string(), from: z.array(z.string()) });
const isAnswer = (v: unknown): v is Answer =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Answer).name === 'string' &&
  Array.isArray((v as Answer).from) &&
  (v as Answer).from.every((f) => typeof f === 'string');

/** An enrichment answering `{ name, from }` (from: the names its needs answered), counting its runs. */
function answering(
  name: string,
  more: Partial<Omit<Enrichment<TestPayload, unknown, Answer>, 'name'>> & { delayMs?: number } = {},
): Enrichment<TestPayload, unknown, Answer> & { calls: number } {
  const { delayMs, ...rest } = more;
  const e = {
    name,
    output: answerSchema,
    calls: 0,
    ...rest,
    run: (s: Screening<TestPayload>) => {
      e.calls++;
      const answer = {
        name,
        from: (rest.needs ?? []).map((n) => s.enriched(ref<Answer>(n))?.name ?? 'MISSING'),
      };
      if (delayMs === undefined) return answer;
      return new Promise<Answer>((resolve) => setTimeout(resolve, delayMs, answer));
    },
  };
  return e;
}

/** A detector firing `signalName` once; its evidence is what each enrichment it needs answered. */
function reader(
  name: string,
  signalName: string,
  needs: readonly string[],
  more: Partial<Omit<Detector<TestPayload>, 'name' | 'run'>> & { async?: boolean } = {},
): Detector<TestPayload> {
  const { async, ...rest } = more;
  const hits = (ctx: Parameters<Detector['run']>[1]) => [
    {
      signal: signalName,
      evidence: needs.map((n) => {
        const a = ctx.enriched(ref<Answer>(n));
        return `${a.name}<${a.from.join(',')}>`;
      }),
    },
  ];
  return {
    name,
    signals: [signalName],
    needs,
    ...rest,
    run: async === true ? async (_e, ctx) => hits(ctx) : (_e, ctx) => hits(ctx),
  };
}

function channelWith(parts: {
  signals?: ReturnType<typeof signal>[];
  detectors: readonly Detector<TestPayload>[];
  enrichments?: AnyChannel['enrichments'];
  begin?: AnyChannel['begin'];
  extract?: AnyChannel['extract'];
}): AnyChannel {
  const signals = parts.signals ?? [signal('TEST_A', 1), signal('TEST_B', 1), signal('TEST_C', 1)];
  return {
    ...testChannel({
      signals,
      detectors: parts.detectors,
      ...(parts.extract ? { extract: parts.extract } : {}),
    }),
    ...(parts.enrichments ? { enrichments: parts.enrichments } : {}),
    ...(parts.begin ? { begin: parts.begin } : {}),
  };
}

function engineOf(channel: AnyChannel, options: Partial<EngineOptions> = {}) {
  // Generous detector and enrichment budgets: only the tests about budgets should see a timeout.
  return createEngine({
    channels: [channel],
    defaultBudgetMs: 1000,
    enrichmentBudgetMs: 1000,
    ...options,
  });
}

const plain = (doc: Partial<PolicyDocumentInput> = {}) => policy(doc);
const outcome = (v: Verdict, detector: string) => v.outcomes.find((o) => o.detector === detector);
const enrichmentsOf = (v: Verdict) => (v.enrichments ?? []).map((e) => e.enrichment);

function eventOf(orgId = 'org-a', text = 'hello'): ScreenEvent<TestPayload> {
  return { ...event({ text }), orgId };
}

describe('EnrichmentCache', () => {
  it('keeps an answer until its TTL runs out, not at or after it', () => {
    const cache = new EnrichmentCache();
    cache.set('k', 'v', 100, 1000);
    expect(cache.get('k', 1000)?.value).toBe('v');
    expect(cache.get('k', 1099)?.value).toBe('v');
    expect(cache.get('k', 1100)).toBeUndefined();
    // An expired entry is gone for good, not revived by an earlier clock.
    expect(cache.get('k', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps nothing for a TTL that is zero, negative, NaN or infinite', () => {
    const cache = new EnrichmentCache();
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) cache.set(`k${ttl}`, 'v', ttl, 0);
    expect(cache.size).toBe(0);
    cache.set('k', 'v', 1, 0);
    expect(cache.size).toBe(1);
  });

  it('drops the oldest entry first when full, and replaces a key in place', () => {
    const cache = new EnrichmentCache(2);
    cache.set('a', 1, 1000, 0);
    cache.set('b', 2, 1000, 0);
    cache.set('a', 3, 1000, 0); // a is now the newest
    cache.set('c', 4, 1000, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('a', 1)?.value).toBe(3);
    expect(cache.get('c', 1)?.value).toBe(4);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The property test (issue 8, "Must show"): any enrichment that throws, hangs past its budget or
// returns garbage yields an `error` outcome for exactly the detectors that need it, and the
// verdict still comes back within the screening budget.

const BEHAVIOURS = [
  'sync', // answers at once
  'micro', // answers on a microtask
  'timer', // answers after a timer of 0-2 ms, well within any budget
  'throws', // throws synchronously
  'rejects', // returns a promise that rejects
  'hangs', // never resolves
  'late', // resolves after its budget
  'spins', // hogs the thread past its budget before returning
  'garbage', // answers something its output check refuses
  'garbage_async', // the same, through a promise
] as const;
type Behaviour = (typeof BEHAVIOURS)[number];
const FAILS: ReadonlySet<Behaviour> = new Set([
  'throws',
  'rejects',
  'hangs',
  'late',
  'spins',
  'garbage',
  'garbage_async',
]);
const CODE: Partial<Record<Behaviour, string>> = {
  throws: 'threw',
  rejects: 'threw',
  hangs: 'timeout',
  late: 'timeout',
  spins: 'timeout',
  garbage: 'bad_output',
  garbage_async: 'bad_output',
};

interface EnrichmentSpec {
  readonly behaviour: Behaviour;
  readonly check: 'zod' | 'guard';
  readonly budgetMs: number | undefined;
  readonly needs: readonly number[];
  readonly delayMs: number;
}
interface DetectorSpec {
  readonly needs: readonly number[];
  readonly enabled: boolean;
  readonly stage: DetectorStage;
  readonly async: boolean;
}

const SCREENING_BUDGET_MS = 50;
/** How far past the screening budget a verdict may come back on a busy machine (timer lag, GC). */
const SLACK_MS = 60;

const indices = (n: number) => Array.from({ length: n }, (_, i) => i);

function enrichmentSpec(i: number): fc.Arbitrary<EnrichmentSpec> {
  return fc.record({
    behaviour: fc.constantFrom(...BEHAVIOURS),
    check: fc.constantFrom('zod' as const, 'guard' as const),
    // Absent: the engine's enrichment default (1000 ms), so the screening budget is what stops it.
    budgetMs: fc.option(fc.integer({ min: 5, max: 20 }), { nil: undefined }),
    // Only earlier enrichments: the declared graph has no circles.
    needs: fc.subarray(indices(i), { maxLength: Math.min(i, 2) }),
    delayMs: fc.integer({ min: 0, max: 2 }),
  });
}

const scenario: fc.Arbitrary<{
  enrichments: readonly EnrichmentSpec[];
  detectors: readonly DetectorSpec[];
}> = fc.integer({ min: 1, max: 5 }).chain((n) =>
  fc.record({
    enrichments: fc.tuple(...indices(n).map(enrichmentSpec)),
    detectors: fc.array(
      fc.record({
        needs: fc.subarray(indices(n), { maxLength: Math.min(n, 3) }),
        enabled: fc.constantFrom(true, true, true, false),
        stage: fc.constantFrom('pre' as const, 'detect' as const, 'post' as const),
        async: fc.boolean(),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  }),
);

const eName = (i: number) => `prop.e${i}`;
const dName = (i: number) => `prop.d${i}`;
const sName = (i: number) => `PROP_D${i}`;

function buildEnrichment(i: number, spec: EnrichmentSpec): Enrichment<TestPayload, unknown, Answer> {
  const needs = spec.needs.map(eName);
  // A spinning one gets a small budget of its own, so the test stays fast.
  const budgetMs = spec.behaviour === 'spins' ? 3 : spec.budgetMs;
  const effectiveBudget = budgetMs ?? SCREENING_BUDGET_MS;
  const answer = (s: Screening<TestPayload>): Answer => ({
    name: eName(i),
    from: needs.map((n) => s.enriched(ref<Answer>(n))?.name ?? 'MISSING'),
  });
  const garbage = { name: 42, from: 'not a list' };
  return {
    name: eName(i),
    ...(needs.length > 0 ? { needs } : {}),
    ...(budgetMs !== undefined ? { budgetMs } : {}),
    output: spec.check === 'zod' ? answerSchema : isAnswer,
    run: (s): Answer | Promise<Answer> => {
      switch (spec.behaviour) {
        case 'sync':
          return answer(s);
        case 'micro':
          return Promise.resolve().then(() => answer(s));
        case 'timer':
          return new Promise((resolve) => setTimeout(() => resolve(answer(s)), spec.delayMs));
        case 'throws':
          throw new Error(`${eName(i)} broke`);
        case 'rejects':
          return Promise.reject(new Error(`${eName(i)} rejected`));
        case 'hangs':
          return new Promise<Answer>(() => {});
        case 'late':
          return new Promise((resolve) => setTimeout(() => resolve(answer(s)), effectiveBudget + 15));
        case 'spins':
          busy(effectiveBudget + 2);
          return answer(s);
        case 'garbage':
          return garbage as unknown as Answer;
        case 'garbage_async':
          return Promise.resolve(garbage as unknown as Answer);
      }
    },
  };
}

describe('enrichments: the property test (issue 8, Must show)', () => {
  it('fails exactly the detectors that need a failing enrichment, and answers within the screening budget', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ enrichments, detectors }) => {
        // What the spec says must happen.
        const fails: boolean[] = [];
        const code: (string | undefined)[] = [];
        for (const [i, e] of enrichments.entries()) {
          const needFails = e.needs.some((n) => fails[n]);
          fails[i] = needFails || FAILS.has(e.behaviour);
          code[i] = needFails ? 'needs_failed' : CODE[e.behaviour];
        }
        const ran = new Set<number>();
        const mark = (i: number) => {
          if (ran.has(i)) return;
          ran.add(i);
          for (const n of (enrichments[i] as EnrichmentSpec).needs) mark(n);
        };
        for (const d of detectors) if (d.enabled) for (const n of d.needs) mark(n);
        const detectorFails = detectors.map((d) => d.enabled && d.needs.some((n) => fails[n]));
        const anyFails = detectorFails.some(Boolean);

        const channel = channelWith({
          signals: detectors.map((_, i) => signal(sName(i), 0)),
          enrichments: enrichments.map((e, i) => buildEnrichment(i, e)),
          detectors: detectors.map((d, i) =>
            reader(dName(i), sName(i), d.needs.map(eName), { stage: d.stage, async: d.async }),
          ),
        });
        const engine = engineOf(channel, { screeningBudgetMs: SCREENING_BUDGET_MS });
        expect(engine.problems).toEqual([]);
        const off = Object.fromEntries(
          detectors.flatMap((d, i) => (d.enabled ? [] : [[dName(i), { enabled: false }]])),
        );
        const t0 = performance.now();
        const v = await engine.evaluate({
          event: eventOf(),
          policy: plain({ detectors: off }),
          tools: noTools,
        });
        const elapsed = performance.now() - t0;

        // Within the screening budget (plus slack for a busy machine).
        expect(elapsed).toBeLessThan(SCREENING_BUDGET_MS + SLACK_MS);

        // Exactly the detectors that need a failing enrichment (directly or through another) are errors.
        for (const [i, d] of detectors.entries()) {
          const o = outcome(v, dName(i));
          if (!d.enabled) expect(o).toMatchObject({ outcome: 'skipped', hits: 0 });
          else if (detectorFails[i])
            expect(o).toMatchObject({ outcome: 'error', code: 'enrichment_failed', hits: 0 });
          else expect(o).toMatchObject({ outcome: 'ok', hits: 1 });
        }
        // The others' hits stand, each with what its enrichments answered (answers passed forward).
        const expectedHits = detectors.flatMap((d, i) => (d.enabled && !detectorFails[i] ? [sName(i)] : []));
        const signals = v.hits.map((h) => h.signal);
        expect(signals.filter((s) => s !== 'POLICY_ENRICHMENT_FAILED').sort()).toEqual(expectedHits.sort());
        for (const [i, d] of detectors.entries()) {
          if (!d.enabled || detectorFails[i]) continue;
          const hit = v.hits.find((h) => h.signal === sName(i));
          const expectedEvidence = d.needs.map((n) => {
            const from = (enrichments[n] as EnrichmentSpec).needs.map(eName);
            return `${eName(n)}<${from.join(',')}>`;
          });
          expect(hit?.evidence).toEqual(expectedEvidence);
        }

        // The fail-safe fires iff a detector could not run, and forces review under a default policy.
        expect(signals.includes('POLICY_ENRICHMENT_FAILED')).toBe(anyFails);
        expect(v.action).toBe(anyFails ? 'review' : 'allow');
        if (anyFails) {
          expect(v.forced).toEqual({ action: 'review', by: 'POLICY_ENRICHMENT_FAILED', kind: 'signal' });
          const failsafe = v.hits.find((h) => h.signal === 'POLICY_ENRICHMENT_FAILED');
          const notRun = detectors.flatMap((_, i) =>
            detectorFails[i] ? [`detector=${dName(i)} not run`] : [],
          );
          expect(failsafe?.evidence).toEqual(expect.arrayContaining(notRun));
        }

        // Every enrichment that ran appears once, with how it went; none that was not needed ran.
        const names = enrichmentsOf(v);
        expect(new Set(names).size).toBe(names.length);
        expect([...names].sort()).toEqual([...ran].map(eName).sort());
        for (const i of ran) {
          const o = v.enrichments?.find((e) => e.enrichment === eName(i));
          if (fails[i]) expect(o).toMatchObject({ outcome: 'error', code: code[i] });
          else expect(o).toMatchObject({ outcome: 'ok' });
        }
        expect(v.timings.enrich !== undefined).toBe(ran.size > 0);
      }),
      { numRuns: 40 },
    );
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------

describe('enrichments: once per screening, only when needed', () => {
  it('runs an enrichment once however many detectors in however many stages need it', async () => {
    const shared = answering('u.shared', { delayMs: 1 });
    const engine = engineOf(
      channelWith({
        enrichments: [shared],
        detectors: [
          reader('d.pre', 'TEST_A', ['u.shared'], { stage: 'pre' }),
          reader('d.detect', 'TEST_B', ['u.shared'], { async: true }),
          reader('d.post', 'TEST_C', ['u.shared'], { stage: 'post' }),
        ],
      }),
    );
    const v = await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(shared.calls).toBe(1);
    expect(v.hits.map((h) => h.signal)).toEqual(['TEST_A', 'TEST_B', 'TEST_C']);
    expect(v.enrichments).toEqual([{ enrichment: 'u.shared', outcome: 'ok', ms: expect.any(Number) }]);
    expect(v.timings.enrich).toBeGreaterThanOrEqual(0);
    // Without a cache, the next screening asks again.
    await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(shared.calls).toBe(2);
  });

  it('does not run an enrichment when the only detector needing it is disabled, nor what it needs', async () => {
    const a = answering('u.a');
    const b = answering('u.b', { needs: ['u.a'] });
    const engine = engineOf(
      channelWith({
        enrichments: [a, b],
        detectors: [reader('d.needy', 'TEST_A', ['u.b']), reader('d.free', 'TEST_B', [])],
      }),
    );
    const v = await engine.evaluate({
      event: eventOf(),
      policy: plain({ detectors: { 'd.needy': { enabled: false } } }),
      tools: noTools,
    });
    expect(a.calls + b.calls).toBe(0);
    expect(v.enrichments).toBeUndefined();
    expect(v.timings.enrich).toBeUndefined();
    expect(outcome(v, 'd.needy')).toMatchObject({ outcome: 'skipped' });
    expect(v.hits.map((h) => h.signal)).toEqual(['TEST_B']);
    // Near miss: enabled, both run, once each.
    await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect([a.calls, b.calls]).toEqual([1, 1]);
  });

  it('runs no enrichment when an allow or deny list decides alone', async () => {
    const a = answering('u.a');
    const engine = engineOf(
      channelWith({ enrichments: [a], detectors: [reader('d.needy', 'TEST_A', ['u.a'])] }),
    );
    const v = await engine.evaluate({
      event: { ...eventOf(), payload: { text: 'x', indicators: [{ type: 'domain', value: 'bad.example' }] } },
      policy: plain({ overrides: { deny: [{ type: 'domain', value: 'bad.example' }] } }),
      tools: noTools,
    });
    expect(v.action).toBe('block');
    expect(a.calls).toBe(0);
    expect(v.enrichments).toBeUndefined();
    expect(outcome(v, 'd.needy')).toMatchObject({ outcome: 'skipped' });
  });

  it('runs no enrichment in a dry run (enrich: false): the detectors needing one are enrichment_failed', async () => {
    const a = answering('u.a');
    const engine = engineOf(
      channelWith({
        enrichments: [a],
        detectors: [reader('d.needy', 'TEST_A', ['u.a']), reader('d.free', 'TEST_B', [])],
      }),
    );
    const v = await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools, enrich: false });
    expect(a.calls).toBe(0);
    expect(v.enrichments).toBeUndefined();
    expect(outcome(v, 'd.needy')).toMatchObject({ outcome: 'error', code: 'enrichment_failed' });
    expect(outcome(v, 'd.free')).toMatchObject({ outcome: 'ok', hits: 1 });
  });
});

describe('enrichments: answers passed forward', () => {
  it('starts B after A, and B reads A’s answer through screening.enriched', async () => {
    const order: string[] = [];
    const a: Enrichment<TestPayload, unknown, { n: number }> = {
      name: 'u.a',
      output: z.object({ n: z.number() }),
      run: () => {
        order.push('a:start');
        return new Promise((resolve) =>
          setTimeout(() => {
            order.push('a:end');
            resolve({ n: 20 });
          }, 5),
        );
      },
    };
    const A = ref<{ n: number }>('u.a');
    const B = ref<{ doubled: number }>('u.b');
    const b: Enrichment<TestPayload, unknown, { doubled: number }> = {
      name: 'u.b',
      needs: ['u.a'],
      output: (v): v is { doubled: number } => typeof (v as { doubled?: unknown })?.doubled === 'number',
      run: (s) => {
        order.push('b:start');
        return { doubled: (s.enriched(A)?.n ?? Number.NaN) * 2 };
      },
    };
    const detector: Detector<TestPayload> = {
      name: 'd.dmarc',
      signals: ['TEST_A'],
      needs: ['u.b'],
      run: (_e, ctx) => [{ signal: 'TEST_A', evidence: [`doubled=${ctx.enriched(B).doubled}`] }],
    };
    const engine = engineOf(channelWith({ enrichments: [b, a], detectors: [detector] }));
    const { verdict, screening } = await engine.screen({ event: eventOf(), policy: plain(), tools: noTools });
    expect(order).toEqual(['a:start', 'a:end', 'b:start']);
    expect(verdict.hits[0]?.evidence).toEqual(['doubled=40']);
    expect(enrichmentsOf(verdict)).toEqual(['u.a', 'u.b']);
    // The returned screening keeps the answers for the channel's record.
    expect(screening.enriched(A)).toEqual({ n: 20 });
    expect(screening.enriched(B)).toEqual({ doubled: 40 });
  });

  it('fails B with needs_failed when A fails, without running B; the fail-safe names both', async () => {
    const a: Enrichment<TestPayload, unknown, Answer> = {
      name: 'u.a',
      output: answerSchema,
      run: () => {
        throw new Error('dns down');
      },
    };
    const b = answering('u.b', { needs: ['u.a'] });
    const free = reader('d.free', 'TEST_B', [], { async: true });
    const engine = engineOf(
      channelWith({ enrichments: [a, b], detectors: [reader('d.needy', 'TEST_A', ['u.b']), free] }),
    );
    const v = await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(b.calls).toBe(0);
    expect(v.enrichments).toEqual([
      { enrichment: 'u.a', outcome: 'error', code: 'threw', message: 'dns down', ms: expect.any(Number) },
      {
        enrichment: 'u.b',
        outcome: 'error',
        code: 'needs_failed',
        message: 'enrichment u.a failed: threw: dns down',
        ms: expect.any(Number),
      },
    ]);
    expect(outcome(v, 'd.needy')).toMatchObject({
      outcome: 'error',
      code: 'enrichment_failed',
      message: expect.stringContaining('u.b'),
    });
    expect(outcome(v, 'd.free')).toMatchObject({ outcome: 'ok', hits: 1 });
    expect(v.action).toBe('review');
    const failsafe = v.hits.find((h) => h.signal === 'POLICY_ENRICHMENT_FAILED');
    expect(failsafe).toMatchObject({
      detector: 'engine.enrichments',
      evidence: [
        'enrichment=u.a threw: dns down',
        'enrichment=u.b needs_failed: enrichment u.a failed: threw: dns down',
        'detector=d.needy not run',
      ],
    });
    expect(v.reasons.map((r) => r.signal)).toContain('POLICY_ENRICHMENT_FAILED');
    expect(v.reasons.find((r) => r.signal === 'POLICY_ENRICHMENT_FAILED')?.en).toContain('d.needy');
  });

  it('lets a policy choose what a failed lookup leads to, or turn the fail-safe off', async () => {
    const hangs: Enrichment<TestPayload, unknown, Answer> = {
      name: 'u.slow',
      budgetMs: 5,
      output: answerSchema,
      run: () => new Promise(() => {}),
    };
    const engine = engineOf(
      channelWith({ enrichments: [hangs], detectors: [reader('d.needy', 'TEST_A', ['u.slow'])] }),
    );
    const hold = await engine.evaluate({
      event: eventOf(),
      policy: plain({ signals: { POLICY_ENRICHMENT_FAILED: { forceAction: 'hold' } } }),
      tools: noTools,
    });
    expect(hold.action).toBe('hold');
    expect(hold.enrichments?.[0]).toMatchObject({ outcome: 'error', code: 'timeout' });
    const off = await engine.evaluate({
      event: eventOf(),
      policy: plain({ signals: { POLICY_ENRICHMENT_FAILED: { enabled: false } } }),
      tools: noTools,
    });
    expect(off.action).toBe('allow');
    expect(off.hits).toEqual([]);
    expect(outcome(off, 'd.needy')).toMatchObject({ outcome: 'error', code: 'enrichment_failed' });
  });

  it('refuses an answer its zod schema rejects, naming where', async () => {
    const bad: Enrichment<TestPayload, unknown, Answer> = {
      name: 'u.bad',
      output: answerSchema,
      run: async () => ({ name: 'x', from: [1] }) as unknown as Answer,
    };
    const engine = engineOf(
      channelWith({ enrichments: [bad], detectors: [reader('d.needy', 'TEST_A', ['u.bad'])] }),
    );
    const v = await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(v.enrichments?.[0]).toMatchObject({
      outcome: 'error',
      code: 'bad_output',
      message: 'returned an answer that is not its declared output at from.0',
    });
  });

  it('stops an enrichment without a budget of its own at the screening budget', async () => {
    const hangs: Enrichment<TestPayload, unknown, Answer> = {
      name: 'u.slow',
      output: answerSchema,
      run: () => new Promise(() => {}),
    };
    const engine = engineOf(
      channelWith({ enrichments: [hangs], detectors: [reader('d.needy', 'TEST_A', ['u.slow'])] }),
      {
        screeningBudgetMs: 30,
      },
    );
    const t0 = performance.now();
    const v = await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(v.enrichments?.[0]).toMatchObject({
      outcome: 'error',
      code: 'timeout',
      message: expect.stringMatching(/^ran past its budget of \d+(\.\d{1,3})? ms$/),
    });
  });

  it('aborts the signal of an enrichment still running when the verdict is in', async () => {
    let seen: AbortSignal | undefined;
    const hangs: Enrichment<TestPayload, unknown, Answer> = {
      name: 'u.slow',
      budgetMs: 5,
      output: answerSchema,
      run: (_s, signal) => {
        seen = signal;
        return new Promise(() => {});
      },
    };
    const engine = engineOf(
      channelWith({ enrichments: [hangs], detectors: [reader('d.needy', 'TEST_A', ['u.slow'])] }),
    );
    await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(seen?.aborted).toBe(true);
  });
});

describe('enrichments: detectors that need nothing do not wait', () => {
  it('runs a detector that needs nothing before a slow enrichment answers, in the same stage', async () => {
    const log: string[] = [];
    const slow: Enrichment<TestPayload, unknown, Answer> = {
      name: 'u.slow',
      output: answerSchema,
      run: () => {
        log.push('enrich:start');
        return new Promise((resolve) =>
          setTimeout(() => {
            log.push('enrich:end');
            resolve({ name: 'u.slow', from: [] });
          }, 60),
        );
      },
    };
    const freeSync: Detector<TestPayload> = {
      name: 'd.free-sync',
      signals: ['TEST_B'],
      run: () => {
        log.push('free-sync');
        return [];
      },
    };
    const freeAsync: Detector<TestPayload> = {
      name: 'd.free-async',
      signals: ['TEST_C'],
      run: async () => {
        log.push('free-async');
        return [];
      },
    };
    const needy: Detector<TestPayload> = {
      name: 'd.needy',
      signals: ['TEST_A'],
      needs: ['u.slow'],
      run: () => {
        log.push('needy');
        return [];
      },
    };
    const intel = {
      lookup: async () => {
        log.push('intel');
        return [];
      },
    };
    const engine = engineOf(channelWith({ enrichments: [slow], detectors: [needy, freeSync, freeAsync] }));
    const v = await engine.evaluate({
      event: { ...eventOf(), payload: { text: 'x', indicators: [{ type: 'domain', value: 'a.example' }] } },
      policy: plain(),
      tools: noTools,
      intel,
    });
    // Enrichments start first, overlapping the intel lookup and the detectors that need none.
    expect(log).toEqual(['enrich:start', 'intel', 'free-sync', 'free-async', 'enrich:end', 'needy']);
    expect(outcome(v, 'd.free-sync')?.ms).toBeLessThan(20);
    expect(outcome(v, 'd.free-async')?.ms).toBeLessThan(20);
    expect(v.outcomes.filter((o) => o.detector.startsWith('d.')).map((o) => o.detector)).toEqual([
      'd.needy',
      'd.free-sync',
      'd.free-async',
    ]);
    expect(v.enrichments?.[0]?.ms).toBeGreaterThanOrEqual(50);
  });

  it('does not let a detector read an enrichment it did not declare, even one that answered for another', async () => {
    const a = answering('u.a');
    const needy = reader('d.needy', 'TEST_A', ['u.a'], { stage: 'pre' });
    const sneaky: Detector<TestPayload> = {
      name: 'd.sneaky',
      signals: ['TEST_B'],
      run: (_e, ctx) => [{ signal: 'TEST_B', evidence: [ctx.enriched(ref<Answer>('u.a')).name] }],
    };
    const engine = engineOf(channelWith({ enrichments: [a], detectors: [needy, sneaky] }));
    const v = await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(outcome(v, 'd.needy')).toMatchObject({ outcome: 'ok', hits: 1 });
    expect(outcome(v, 'd.sneaky')).toMatchObject({
      outcome: 'error',
      code: 'threw',
      message: "enrichment u.a is not among the detector's needs",
    });
  });

  it('gives a detector that needs enrichments its own budget from when they have answered', async () => {
    const slow = answering('u.slow', { delayMs: 40 });
    const needy: Detector<TestPayload> = {
      name: 'd.needy',
      signals: ['TEST_A'],
      needs: ['u.slow'],
      budgetMs: 30,
      run: async () => [{ signal: 'TEST_A', evidence: ['x'] }],
    };
    const engine = engineOf(channelWith({ enrichments: [slow], detectors: [needy] }));
    const v = await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(outcome(v, 'd.needy')).toMatchObject({ outcome: 'ok', hits: 1 });
  });
});

describe('enrichments: the cache across screenings', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function cached(ttlMs = 60_000) {
    const e = answering('u.dns');
    const ttl = vi.fn((_answer: Answer) => ttlMs);
    const withCache = Object.assign(e, {
      cache: { key: (s: Screening<TestPayload>) => s.event.payload.text, ttlMs: ttl },
    });
    return { e: withCache, ttl };
  }

  it('reuses an answer within its TTL for the same organisation and key; not across organisations or keys', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const { e, ttl } = cached(60_000);
    const engine = engineOf(
      channelWith({ enrichments: [e], detectors: [reader('d.needy', 'TEST_A', ['u.dns'])] }),
    );
    const screen = (orgId: string, text: string) =>
      engine.evaluate({ event: eventOf(orgId, text), policy: plain(), tools: noTools });

    const first = await screen('org-a', 'example.jp');
    expect(first.enrichments?.[0]).toEqual({ enrichment: 'u.dns', outcome: 'ok', ms: expect.any(Number) });
    expect(ttl).toHaveBeenCalledWith({ name: 'u.dns', from: [] });
    vi.setSystemTime(new Date('2026-01-01T00:00:59.999Z'));
    const second = await screen('org-a', 'example.jp');
    expect(second.enrichments?.[0]).toEqual({
      enrichment: 'u.dns',
      outcome: 'ok',
      cached: true,
      ms: expect.any(Number),
    });
    expect(second.hits[0]?.evidence).toEqual(['u.dns<>']);
    expect(e.calls).toBe(1);

    // Another organisation, or another key, asks again.
    await screen('org-b', 'example.jp');
    expect(e.calls).toBe(2);
    await screen('org-a', 'other.jp');
    expect(e.calls).toBe(3);

    // At the TTL the answer is gone.
    vi.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    const late = await screen('org-a', 'example.jp');
    expect(late.enrichments?.[0]?.cached).toBeUndefined();
    expect(e.calls).toBe(4);
  });

  it('keeps nothing for a TTL of 0, an undefined key or a failed answer', async () => {
    const zero = cached(0).e;
    const engine = engineOf(
      channelWith({ enrichments: [zero], detectors: [reader('d', 'TEST_A', ['u.dns'])] }),
    );
    await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(zero.calls).toBe(2);

    const nokey = Object.assign(answering('u.dns'), { cache: { key: () => undefined, ttlMs: () => 60_000 } });
    const e2 = engineOf(channelWith({ enrichments: [nokey], detectors: [reader('d', 'TEST_A', ['u.dns'])] }));
    await e2.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    await e2.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(nokey.calls).toBe(2);

    let calls = 0;
    const flaky: Enrichment<TestPayload, unknown, Answer> = {
      name: 'u.dns',
      output: answerSchema,
      cache: { key: () => 'k', ttlMs: () => 60_000 },
      run: () => {
        calls++;
        if (calls === 1) throw new Error('first try fails');
        return { name: 'u.dns', from: [] };
      },
    };
    const e3 = engineOf(channelWith({ enrichments: [flaky], detectors: [reader('d', 'TEST_A', ['u.dns'])] }));
    const v1 = await e3.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    const v2 = await e3.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    const v3 = await e3.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(v1.enrichments?.[0]).toMatchObject({ outcome: 'error', code: 'threw' });
    expect(v2.enrichments?.[0]?.cached).toBeUndefined();
    expect(v3.enrichments?.[0]?.cached).toBe(true);
    expect(calls).toBe(2);
  });

  it('shares a cache passed in the options between engines; a key that throws is an error', async () => {
    const cache = new EnrichmentCache();
    const { e } = cached();
    const channel = channelWith({ enrichments: [e], detectors: [reader('d', 'TEST_A', ['u.dns'])] });
    await engineOf(channel, { enrichmentCache: cache }).evaluate({
      event: eventOf(),
      policy: plain(),
      tools: noTools,
    });
    const v = await engineOf(channel, { enrichmentCache: cache }).evaluate({
      event: eventOf(),
      policy: plain(),
      tools: noTools,
    });
    expect(v.enrichments?.[0]?.cached).toBe(true);
    expect(e.calls).toBe(1);
    expect(cache.size).toBe(1);

    const broken = Object.assign(answering('u.dns'), {
      cache: {
        key: () => {
          throw new Error('no domain');
        },
        ttlMs: () => 1000,
      },
    });
    const bv = await engineOf(
      channelWith({ enrichments: [broken], detectors: [reader('d', 'TEST_A', ['u.dns'])] }),
    ).evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(bv.enrichments?.[0]).toMatchObject({ outcome: 'error', code: 'threw', message: 'no domain' });
    expect(broken.calls).toBe(0);
  });
});

describe('enrichments: declared wrongly, turned off when the engine is built', () => {
  it('turns off a circle, an unknown need, a duplicate name and a missing output check, and the detectors needing them', async () => {
    const circleA = answering('u.circle-a', { needs: ['u.circle-b'] });
    const circleB = answering('u.circle-b', { needs: ['u.circle-a'] });
    const self = answering('u.self', { needs: ['u.self'] });
    const orphan = answering('u.orphan', { needs: ['u.nowhere'] });
    const first = answering('u.twice');
    const second = answering('u.twice', { delayMs: 1 });
    const unchecked = {
      ...answering('u.unchecked'),
      output: undefined,
    } as unknown as Enrichment<TestPayload>;
    const overBudget = answering('u.budget', { budgetMs: 0 });
    const good = answering('u.good');
    const needsGood = answering('u.needs-good', { needs: ['u.good'] });
    const engine = engineOf(
      channelWith({
        enrichments: [circleA, circleB, self, orphan, first, second, unchecked, overBudget, good, needsGood],
        detectors: [
          reader('d.circle', 'TEST_A', ['u.circle-a']),
          reader('d.orphan', 'TEST_A', ['u.orphan']),
          reader('d.unknown', 'TEST_A', ['u.never-declared']),
          reader('d.unchecked', 'TEST_A', ['u.unchecked']),
          reader('d.twice', 'TEST_B', ['u.twice']),
          reader('d.good', 'TEST_C', ['u.needs-good']),
        ],
      }),
    );
    const problems = engine.problems.map((p) => `${p.detector}: ${p.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'enrichment:u.twice: enrichment name used twice; turned off',
        'enrichment:u.unchecked: has no output check (a zod schema or a type guard); turned off',
        'enrichment:u.budget: budgetMs 0 is not within 0 < budget ≤ 60000; turned off',
        'enrichment:u.orphan: needs u.nowhere, which is not registered; turned off',
        expect.stringMatching(/^enrichment:u\.circle-a: needs u\.circle-b, which is in a circle/),
        expect.stringMatching(/^enrichment:u\.circle-b: needs u\.circle-a, which is in a circle/),
        expect.stringMatching(/^enrichment:u\.self: needs u\.self, which is in a circle/),
        expect.stringMatching(
          /^d\.circle: needs enrichments that are not registered.*u\.circle-a; turned off$/,
        ),
        expect.stringMatching(/^d\.orphan: .*u\.orphan; turned off$/),
        expect.stringMatching(/^d\.unknown: .*u\.never-declared; turned off$/),
        expect.stringMatching(/^d\.unchecked: .*u\.unchecked; turned off$/),
      ]),
    );
    expect(problems.filter((p) => p.startsWith('d.twice') || p.startsWith('d.good'))).toEqual([]);
    expect(problems.filter((p) => p.includes('u.good') || p.includes('u.needs-good'))).toEqual([]);
    expect(engine.detectors('test')).toEqual(['d.twice', 'd.good']);

    // What is left runs; the first of two enrichments with one name is the one kept.
    const v = await engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools });
    expect(v.hits.map((h) => h.signal)).toEqual(['TEST_B', 'TEST_C']);
    expect([first.calls, second.calls]).toEqual([1, 0]);
    expect(v.hits[1]?.evidence).toEqual(['u.needs-good<u.good>']);
    expect(circleA.calls + circleB.calls + self.calls + orphan.calls).toBe(0);
  });

  it('reports nothing for well-declared enrichments (near miss)', () => {
    const engine = engineOf(
      channelWith({
        enrichments: [answering('u.a'), answering('u.b', { needs: ['u.a'], budgetMs: 60_000 })],
        detectors: [reader('d', 'TEST_A', ['u.a', 'u.b'])],
      }),
    );
    expect(engine.problems).toEqual([]);
    expect(engine.detectors('test')).toEqual(['d']);
  });
});

describe('screening state (issue 8, item 4)', () => {
  interface Keys {
    readonly holder: string;
  }

  it('carries what begin made to extract, enrichments, detectors and the returned screening', async () => {
    const begin = vi.fn((e: ScreenEvent<TestPayload>): Keys => ({ holder: `h(${e.payload.text})` }));
    const seen: Record<string, unknown> = {};
    const enrich: Enrichment<TestPayload, Keys, Answer> = {
      name: 'u.history',
      output: answerSchema,
      run: (s) => {
        seen.enrichment = s.state;
        return { name: s.state.holder, from: [] };
      },
    };
    const detector: Detector<TestPayload, Keys> = {
      name: 'd.state',
      signals: ['TEST_A'],
      needs: ['u.history'],
      run: (_e, ctx) => {
        seen.detector = ctx.state;
        return [{ signal: 'TEST_A', evidence: [ctx.enriched(ref<Answer>('u.history')).name] }];
      },
    };
    const engine = engineOf(
      channelWith({
        begin,
        enrichments: [enrich],
        detectors: [detector as Detector<TestPayload>],
        extract: (_p, _t, s) => {
          seen.extract = s.state;
          return [];
        },
      }),
    );
    const { verdict, screening } = await engine.screen({
      event: eventOf('org-a', 'abc'),
      policy: plain(),
      tools: noTools,
    });
    expect(begin).toHaveBeenCalledTimes(1);
    const state = begin.mock.results[0]?.value;
    expect(state).toEqual({ holder: 'h(abc)' });
    expect(seen.extract).toBe(state);
    expect(seen.enrichment).toBe(state);
    expect(seen.detector).toBe(state);
    expect(screening.state).toBe(state);
    expect(verdict.hits[0]?.evidence).toEqual(['h(abc)']);
  });

  it('has undefined state for a channel without begin (near miss)', async () => {
    let seen: unknown = 'unset';
    const detector: Detector<TestPayload> = {
      name: 'd',
      signals: ['TEST_A'],
      run: (_e, ctx) => {
        seen = ctx.state;
        return [];
      },
    };
    const { screening } = await engineOf(channelWith({ detectors: [detector] })).screen({
      event: eventOf(),
      policy: plain(),
      tools: noTools,
    });
    expect(seen).toBeUndefined();
    expect(screening.state).toBeUndefined();
  });

  it('refuses the event with the error begin throws, before anything runs', async () => {
    const a = answering('u.a');
    const run = vi.fn(() => []);
    const engine = engineOf(
      channelWith({
        begin: () => {
          throw new MamoruError('validation_failed', 'holder cannot be keyed', {
            issues: [{ path: 'holder.name', message: 'cannot be keyed' }],
          });
        },
        enrichments: [a],
        detectors: [{ name: 'd', signals: ['TEST_A'], needs: ['u.a'], run }],
      }),
    );
    const screened = engine.screen({ event: eventOf(), policy: plain(), tools: noTools });
    await expect(screened).rejects.toSatisfy(
      (e: unknown) =>
        isMamoruError(e) && e.code === 'validation_failed' && e.message === 'holder cannot be keyed',
    );
    await expect(engine.evaluate({ event: eventOf(), policy: plain(), tools: noTools })).rejects.toThrow(
      'holder cannot be keyed',
    );
    expect(a.calls).toBe(0);
    expect(run).not.toHaveBeenCalled();
  });
});
