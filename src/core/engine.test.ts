import { describe, expect, it, vi } from 'vitest';
import type { AnyChannel } from './channel.ts';
import type { Detector, DetectorContext, DetectorOutcome, IntelLookup } from './detector.ts';
import { createEngine, type EngineOptions, type Observer } from './engine.ts';
import { isMamoruError } from './errors.ts';
import type { IndicatorRef } from './indicator.ts';
import type { PolicyDocumentInput, PolicyRef } from './policy.ts';
import {
  busy,
  event,
  fixed,
  keyword,
  noTools,
  policy,
  signal,
  type TestPayload,
  testChannel,
} from './testing.ts';
import type { Verdict } from './verdict.ts';
import type { Waiver } from './waiver.ts';

const SIGNALS = [
  signal('TEST_SHORTENER', 2, {
    group: 'url',
    reason: { ja: '短縮URL {host} を含みます', en: 'Contains the shortened URL {host}' },
  }),
  signal('TEST_URGENT', 3, { group: 'text' }),
  signal('TEST_PRIZE', 4, { group: 'text' }),
  signal('TEST_DMARC_REJECT', 0, { group: 'auth', forceAction: 'block' }),
  signal('TEST_COMBO', 5, { group: 'composite' }),
  signal('TEST_OK', -1, { group: 'text' }),
];

const shortener: Detector<TestPayload> = {
  name: 'test.shortener',
  signals: ['TEST_SHORTENER'],
  run: (e) => {
    const m = /\b(bit\.ly|t\.co)\//.exec(e.payload.text);
    return m ? [{ signal: 'TEST_SHORTENER', evidence: [m[0]], params: { host: m[1] as string } }] : [];
  },
};
const urgent = keyword('test.urgent', '至急', 'TEST_URGENT');
const prize = keyword('test.prize', '当選', 'TEST_PRIZE', { stage: 'pre' });
const dmarc = keyword('test.dmarc', 'dmarc=fail', 'TEST_DMARC_REJECT');
/** A composite: shortener and urgency together (rspamd's composites). */
const combo: Detector<TestPayload> = {
  name: 'test.combo',
  stage: 'post',
  signals: ['TEST_COMBO'],
  run: (_e, ctx) => {
    const seen = new Set(ctx.hits.map((h) => h.signal));
    return seen.has('TEST_SHORTENER') && seen.has('TEST_URGENT')
      ? [{ signal: 'TEST_COMBO', evidence: ['TEST_SHORTENER + TEST_URGENT'] }]
      : [];
  },
};
const ALL = [shortener, urgent, prize, dmarc, combo];
const NAMES = ALL.map((d) => d.name);

function engineWith(
  detectors: readonly Detector<TestPayload>[] = ALL,
  more: Partial<EngineOptions> & { channel?: Partial<Parameters<typeof testChannel>[0]> } = {},
) {
  const { channel, ...options } = more;
  // A generous default budget: only the tests about budgets should ever see a timeout, however busy the machine.
  return createEngine({
    channels: [testChannel({ signals: SIGNALS, detectors, ...channel })],
    defaultBudgetMs: 1000,
    ...options,
  });
}

/** Scan one fixture with only `on` detectors enabled (the rest off in the policy). */
async function scan(
  text: string,
  options: {
    on?: readonly string[];
    policy?: Partial<PolicyDocumentInput>;
    engine?: ReturnType<typeof engineWith>;
    indicators?: readonly IndicatorRef[];
    intel?: IntelLookup;
  } = {},
): Promise<Verdict> {
  const engine = options.engine ?? engineWith();
  const on = new Set(options.on ?? engine.detectors('test'));
  const off = Object.fromEntries(
    engine
      .detectors('test')
      .filter((d) => !on.has(d))
      .map((d) => [d, { enabled: false }]),
  );
  const doc = options.policy ?? {};
  const ref = policy({
    thresholds: { warn: 2, review: 5, block: 10 },
    ...doc,
    detectors: { ...off, ...doc.detectors },
  });
  return engine.evaluate({
    event: event({ text, ...(options.indicators ? { indicators: options.indicators } : {}) }),
    policy: ref,
    tools: noTools,
    intel: options.intel,
  });
}

const signals = (v: Verdict) => v.hits.map((h) => h.signal);
const outcome = (v: Verdict, detector: string) => v.outcomes.find((o) => o.detector === detector);

describe('engine: one detector per fixture, positive and near miss', () => {
  it('fires TEST_SHORTENER on a shortened URL', async () => {
    const v = await scan('荷物の確認 https://bit.ly/abc', { on: ['test.shortener'] });
    expect(signals(v)).toEqual(['TEST_SHORTENER']);
    expect(v.hits[0]).toMatchObject({
      detector: 'test.shortener',
      evidence: ['bit.ly/'],
      factor: 1,
      score: 2,
    });
    expect(v.action).toBe('warn');
  });

  it('does not fire TEST_SHORTENER on a near miss (bitly without the dot)', async () => {
    const v = await scan('荷物の確認 https://bitly/abc', { on: ['test.shortener'] });
    expect(signals(v)).not.toContain('TEST_SHORTENER');
    expect(v.action).toBe('allow');
  });

  it('runs only the relevant checks: the others are skipped, and their signals are absent', async () => {
    const v = await scan('至急 当選 https://bit.ly/abc', { on: ['test.shortener'] });
    expect(signals(v)).toEqual(['TEST_SHORTENER']);
    expect(signals(v)).not.toContain('TEST_URGENT');
    expect(signals(v)).not.toContain('TEST_PRIZE');
    for (const name of NAMES.filter((n) => n !== 'test.shortener')) {
      expect(outcome(v, name)).toMatchObject({ outcome: 'skipped', hits: 0 });
    }
    expect(outcome(v, 'test.shortener')).toMatchObject({ outcome: 'ok', hits: 1, stage: 'detect' });
  });
});

describe('engine: scoring end to end', () => {
  it('sums weights, applies factors and group caps, and maps the score to an action', async () => {
    const v = await scan('至急 当選', { on: ['test.urgent', 'test.prize'] });
    expect(v.score).toBe(7);
    expect(v.action).toBe('review');
    const capped = await scan('至急 当選', {
      on: ['test.urgent', 'test.prize'],
      policy: { groups: { text: { maxScore: 4 } } },
    });
    expect(capped.score).toBe(4);
    expect(capped.action).toBe('warn');
  });

  it('reaches a threshold exactly at it, and not just below', async () => {
    const at = await scan('至急 当選', {
      on: ['test.urgent', 'test.prize'],
      policy: { thresholds: { review: 7 } },
    });
    expect(at.action).toBe('review');
    const below = await scan('至急 当選', {
      on: ['test.urgent', 'test.prize'],
      policy: { thresholds: { review: 7.001 } },
    });
    expect(below.action).toBe('allow');
  });

  it('forces the declared action of a signal, and says who forced it', async () => {
    const v = await scan('dmarc=fail', { on: ['test.dmarc'] });
    expect(v.action).toBe('block');
    expect(v.forced).toEqual({ action: 'block', by: 'TEST_DMARC_REJECT', kind: 'signal' });
    expect(v.reasons[0]?.signal).toBe('TEST_DMARC_REJECT');
    expect(v.summary.en).toContain('forced by TEST_DMARC_REJECT');
  });

  it('does not force when policy sets forceAction: null', async () => {
    const v = await scan('dmarc=fail', {
      on: ['test.dmarc'],
      policy: { signals: { TEST_DMARC_REJECT: { forceAction: null } } },
    });
    expect(signals(v)).toEqual(['TEST_DMARC_REJECT']);
    expect(v.action).toBe('allow');
    expect(v.forced).toBeUndefined();
  });

  it('drops a signal the policy disables, from the score and from later composites', async () => {
    const text = '至急 https://bit.ly/x';
    const on = ['test.shortener', 'test.urgent', 'test.combo'];
    const v = await scan(text, { on, policy: { signals: { TEST_URGENT: { enabled: false } } } });
    expect(signals(v)).toEqual(['TEST_SHORTENER']);
    expect(signals(v)).not.toContain('TEST_URGENT');
    expect(signals(v)).not.toContain('TEST_COMBO');
    expect(outcome(v, 'test.urgent')).toMatchObject({ outcome: 'ok', hits: 1 });
  });
});

describe('engine: stages', () => {
  it('lets a post detector build a composite from earlier hits', async () => {
    const v = await scan('至急 https://bit.ly/x', { on: ['test.shortener', 'test.urgent', 'test.combo'] });
    expect(signals(v)).toEqual(['TEST_SHORTENER', 'TEST_URGENT', 'TEST_COMBO']);
    expect(outcome(v, 'test.combo')).toMatchObject({ stage: 'post', outcome: 'ok', hits: 1 });
  });

  it('does not fire the composite on half of it (near miss)', async () => {
    const v = await scan('https://bit.ly/x', { on: ['test.shortener', 'test.urgent', 'test.combo'] });
    expect(signals(v)).toEqual(['TEST_SHORTENER']);
    expect(signals(v)).not.toContain('TEST_COMBO');
  });

  it('runs pre, then detect, then post; each sees only earlier stages, frozen', async () => {
    const saw: Record<string, string[]> = {};
    const spy = (name: string, stage: Detector['stage'], fires: string): Detector<TestPayload> => ({
      name,
      stage,
      signals: [fires],
      run: (_e, ctx) => {
        saw[name] = ctx.hits.map((h) => h.signal);
        expect(Object.isFrozen(ctx.hits)).toBe(true);
        return [{ signal: fires, evidence: [] }];
      },
    });
    const engine = engineWith([
      spy('z.post', 'post', 'TEST_COMBO'),
      spy('y.detect', 'detect', 'TEST_URGENT'),
      spy('y.detect2', 'detect', 'TEST_PRIZE'),
      spy('x.pre', 'pre', 'TEST_SHORTENER'),
    ]);
    const v = await scan('', { engine });
    expect(saw).toEqual({
      'x.pre': [],
      'y.detect': ['TEST_SHORTENER'],
      'y.detect2': ['TEST_SHORTENER'],
      'z.post': ['TEST_SHORTENER', 'TEST_URGENT', 'TEST_PRIZE'],
    });
    expect(v.outcomes.map((o) => `${o.stage}:${o.detector}`)).toEqual([
      'pre:x.pre',
      'detect:y.detect',
      'detect:y.detect2',
      'post:z.post',
    ]);
  });

  it('does not let a detector add hits behind the engine’s back', async () => {
    const sneaky: Detector<TestPayload> = {
      name: 'test.sneaky',
      stage: 'post',
      signals: ['TEST_COMBO'],
      run: (_e, ctx) => {
        (ctx.hits as unknown as unknown[]).push({ signal: 'TEST_PRIZE', evidence: [] });
        return [];
      },
    };
    const v = await scan('至急', { engine: engineWith([urgent, sneaky]) });
    expect(signals(v)).toEqual(['TEST_URGENT']);
    expect(outcome(v, 'test.sneaky')).toMatchObject({ outcome: 'error', code: 'threw' });
  });

  it('records timings for every stage and the total', async () => {
    const v = await scan('至急 https://bit.ly/x');
    for (const stage of ['pre', 'detect', 'post', 'observe', 'total'] as const) {
      expect(typeof v.timings[stage]).toBe('number');
      expect(v.timings[stage]).toBeGreaterThanOrEqual(0);
    }
    expect(v.timings.total).toBeGreaterThanOrEqual(v.timings.detect);
    const slow = engineWith([
      {
        ...urgent,
        run: (e, c) => {
          busy(5);
          return urgent.run(e, c);
        },
      },
      combo,
    ]);
    const t = await scan('至急', { engine: slow });
    expect(t.timings.detect).toBeGreaterThanOrEqual(4);
    expect(t.timings.total).toBeGreaterThanOrEqual(t.timings.pre + t.timings.detect + t.timings.post - 0.01);
  });
});

describe('engine: failing detectors (the required test)', () => {
  const throws: Detector<TestPayload> = {
    name: 'test.throws',
    signals: ['TEST_PRIZE'],
    run: () => {
      throw new Error('model file missing');
    },
  };
  const hogs: Detector<TestPayload> = {
    name: 'test.hogs',
    signals: ['TEST_PRIZE'],
    budgetMs: 5,
    run: () => {
      busy(20);
      return [{ signal: 'TEST_PRIZE', evidence: ['too late'] }];
    },
  };
  const hangs: Detector<TestPayload> = {
    name: 'test.hangs',
    signals: ['TEST_PRIZE'],
    budgetMs: 20,
    run: () => new Promise(() => {}),
  };

  it('records a throwing, a sync over-budget and an async never-resolving detector as errors; the rest stands', async () => {
    const engine = engineWith([throws, shortener, hogs, urgent, hangs, combo]);
    const v = await scan('至急 https://bit.ly/x', { engine });
    expect(outcome(v, 'test.throws')).toMatchObject({
      outcome: 'error',
      code: 'threw',
      message: 'model file missing',
      hits: 0,
    });
    expect(outcome(v, 'test.hogs')).toMatchObject({ outcome: 'error', code: 'timeout', hits: 0 });
    expect(outcome(v, 'test.hogs')?.ms).toBeGreaterThanOrEqual(5);
    expect(outcome(v, 'test.hangs')).toMatchObject({ outcome: 'error', code: 'timeout', hits: 0 });
    expect(outcome(v, 'test.hangs')?.message).toContain('20 ms');
    // The others' hits and the verdict stand.
    expect(signals(v)).toEqual(['TEST_SHORTENER', 'TEST_URGENT', 'TEST_COMBO']);
    expect(signals(v)).not.toContain('TEST_PRIZE');
    expect(v.score).toBe(10);
    expect(v.action).toBe('block');
    expect(v.outcomes.map((o) => o.detector)).toEqual([
      'test.throws',
      'test.shortener',
      'test.hogs',
      'test.urgent',
      'test.hangs',
      'test.combo',
    ]);
  });

  it('gives the same verdict as without the failing detectors', async () => {
    const failing = await scan('至急 https://bit.ly/x', {
      engine: engineWith([throws, shortener, hogs, urgent, hangs, combo]),
    });
    const clean = await scan('至急 https://bit.ly/x', { engine: engineWith([shortener, urgent, combo]) });
    expect({ action: failing.action, score: failing.score, reasons: failing.reasons }).toEqual({
      action: clean.action,
      score: clean.score,
      reasons: clean.reasons,
    });
  });

  it('records a rejected promise as threw, and an async detector within budget as ok', async () => {
    const rejects: Detector<TestPayload> = {
      name: 'test.rejects',
      signals: ['TEST_PRIZE'],
      run: async () => {
        throw new Error('lookup failed');
      },
    };
    const quick: Detector<TestPayload> = {
      name: 'test.quick',
      signals: ['TEST_URGENT'],
      run: async () => {
        await new Promise((r) => setTimeout(r, 1));
        return [{ signal: 'TEST_URGENT', evidence: ['async'] }];
      },
    };
    const v = await scan('', { engine: engineWith([rejects, quick]) });
    expect(outcome(v, 'test.rejects')).toMatchObject({
      outcome: 'error',
      code: 'threw',
      message: 'lookup failed',
    });
    expect(outcome(v, 'test.quick')).toMatchObject({ outcome: 'ok', hits: 1 });
    expect(signals(v)).toEqual(['TEST_URGENT']);
  });

  it('times out an async detector that hogs the thread before its first await', async () => {
    const asyncHog: Detector<TestPayload> = {
      name: 'test.async_hog',
      signals: ['TEST_PRIZE'],
      budgetMs: 5,
      run: async () => {
        busy(15);
        return [{ signal: 'TEST_PRIZE', evidence: [] }];
      },
    };
    const v = await scan('', { engine: engineWith([asyncHog]) });
    expect(outcome(v, 'test.async_hog')).toMatchObject({ outcome: 'error', code: 'timeout' });
  });

  it('does not blame a fast async detector for a slow sync one after it', async () => {
    const fastAsync: Detector<TestPayload> = {
      name: 'test.fast_async',
      signals: ['TEST_URGENT'],
      budgetMs: 10,
      run: async () => [{ signal: 'TEST_URGENT', evidence: [] }],
    };
    const slowSync: Detector<TestPayload> = {
      name: 'test.slow_sync',
      signals: ['TEST_PRIZE'],
      budgetMs: 1000,
      run: () => {
        busy(30);
        return [];
      },
    };
    const v = await scan('', { engine: engineWith([fastAsync, slowSync]) });
    expect(outcome(v, 'test.fast_async')).toMatchObject({ outcome: 'ok', hits: 1 });
    expect(outcome(v, 'test.slow_sync')).toMatchObject({ outcome: 'ok' });
  });

  it('keeps declaration order whatever order async detectors finish in', async () => {
    const resolvesAfter = (name: string, ms: number, fires: string): Detector<TestPayload> => ({
      name,
      signals: [fires],
      run: () => new Promise((r) => setTimeout(() => r([{ signal: fires, evidence: [name] }]), ms)),
    });
    const engine = engineWith([
      resolvesAfter('a.slow', 15, 'TEST_PRIZE'),
      resolvesAfter('b.fast', 1, 'TEST_URGENT'),
    ]);
    const v = await scan('', { engine });
    expect(v.outcomes.map((o) => o.detector)).toEqual(['a.slow', 'b.fast']);
    expect(signals(v)).toEqual(['TEST_PRIZE', 'TEST_URGENT']);
  });

  it('uses the policy budget over the detector’s and the engine default', async () => {
    const sleeps: Detector<TestPayload> = {
      name: 'test.sleeps',
      signals: ['TEST_URGENT'],
      run: () => new Promise((r) => setTimeout(() => r([{ signal: 'TEST_URGENT', evidence: [] }]), 30)),
    };
    const engine = engineWith([sleeps], { defaultBudgetMs: 10 });
    expect(outcome(await scan('', { engine }), 'test.sleeps')).toMatchObject({ code: 'timeout' });
    const relaxed = await scan('', { engine, policy: { detectors: { 'test.sleeps': { budgetMs: 1000 } } } });
    expect(outcome(relaxed, 'test.sleeps')).toMatchObject({ outcome: 'ok', hits: 1 });
  });

  it('records a throw of a value that cannot be turned into text', async () => {
    const odd = fixed('test.odd', ['TEST_PRIZE'], []);
    const v = await scan('', {
      engine: engineWith([
        {
          ...odd,
          run: () => {
            throw Object.create(null);
          },
        },
      ]),
    });
    expect(outcome(v, 'test.odd')).toMatchObject({ outcome: 'error', code: 'threw' });
  });
});

describe('engine: malformed hits', () => {
  const cases: [string, unknown, DetectorOutcome['code']][] = [
    ['an undeclared signal', [{ signal: 'TEST_URGENT', evidence: [] }], 'undeclared_signal'],
    ['a NaN factor', [{ signal: 'TEST_PRIZE', factor: Number.NaN, evidence: [] }], 'bad_hit'],
    [
      'an infinite factor',
      [{ signal: 'TEST_PRIZE', factor: Number.POSITIVE_INFINITY, evidence: [] }],
      'bad_hit',
    ],
    ['a huge factor', [{ signal: 'TEST_PRIZE', factor: 1e300, evidence: [] }], 'bad_hit'],
    ['a factor that is text', [{ signal: 'TEST_PRIZE', factor: '2', evidence: [] }], 'bad_hit'],
    ['evidence that is not strings', [{ signal: 'TEST_PRIZE', evidence: [42] }], 'bad_hit'],
    ['evidence that is one string', [{ signal: 'TEST_PRIZE', evidence: 'x' }], 'bad_hit'],
    ['no evidence', [{ signal: 'TEST_PRIZE' }], 'bad_hit'],
    ['params holding an object', [{ signal: 'TEST_PRIZE', evidence: [], params: { x: {} } }], 'bad_hit'],
    ['params holding NaN', [{ signal: 'TEST_PRIZE', evidence: [], params: { x: Number.NaN } }], 'bad_hit'],
    ['a hit without a signal', [{ evidence: [] }], 'bad_hit'],
    ['a null hit', [null], 'bad_hit'],
    ['something other than an array', { signal: 'TEST_PRIZE', evidence: [] }, 'bad_hit'],
    ['undefined', undefined, 'bad_hit'],
  ];

  it.each(cases)('records %s as an error outcome and keeps none of its hits', async (_what, hits, code) => {
    const bad = fixed(
      'test.bad',
      ['TEST_PRIZE'],
      [{ signal: 'TEST_PRIZE', evidence: ['good one'] }, ...(Array.isArray(hits) ? hits : [])],
    );
    const detector = Array.isArray(hits) ? bad : fixed('test.bad', ['TEST_PRIZE'], hits);
    const v = await scan('至急', { engine: engineWith([detector, urgent]) });
    expect(outcome(v, 'test.bad')).toMatchObject({ outcome: 'error', code, hits: 0 });
    expect(signals(v)).toEqual(['TEST_URGENT']);
    expect(signals(v)).not.toContain('TEST_PRIZE');
  });

  it('accepts a well-formed hit with factor, params and evidence (near miss)', async () => {
    const good = fixed(
      'test.good',
      ['TEST_PRIZE'],
      [{ signal: 'TEST_PRIZE', factor: 0.5, evidence: ['a', 'b'], params: { n: 3, s: 'x' } }],
    );
    const v = await scan('', { engine: engineWith([good]) });
    expect(outcome(v, 'test.good')).toMatchObject({ outcome: 'ok', hits: 1 });
    expect(v.hits[0]).toMatchObject({
      signal: 'TEST_PRIZE',
      factor: 0.5,
      score: 2,
      evidence: ['a', 'b'],
      params: { n: 3, s: 'x' },
    });
  });

  it('copies evidence, so the verdict does not share a detector’s constants', async () => {
    const evidence = ['constant'];
    const engine = engineWith([fixed('test.const', ['TEST_PRIZE'], [{ signal: 'TEST_PRIZE', evidence }])], {
      observers: [{ name: 'noop', observe: () => {} }],
    });
    const v = await scan('', { engine });
    expect(v.hits[0]?.evidence).toEqual(['constant']);
    expect(v.hits[0]?.evidence).not.toBe(evidence);
    expect(Object.isFrozen(evidence)).toBe(false);
  });
});

describe('engine: building', () => {
  const build = (
    detectors: readonly Detector<TestPayload>[],
    extra: Partial<Parameters<typeof testChannel>[0]> = {},
  ) => createEngine({ channels: [testChannel({ signals: SIGNALS, detectors, ...extra })] });

  it('turns off a detector that declares an undeclared signal, and reports it', async () => {
    const engine = build([urgent, { ...prize, name: 'test.rogue', signals: ['TEST_PRIZE', 'TEST_NOPE'] }]);
    expect(engine.problems).toEqual([
      { channel: 'test', detector: 'test.rogue', message: 'fires undeclared signals TEST_NOPE; turned off' },
    ]);
    expect(engine.detectors('test')).toEqual(['test.urgent']);
    const v = await scan('至急 当選', { engine });
    expect(outcome(v, 'test.rogue')).toBeUndefined();
    expect(signals(v)).toEqual(['TEST_URGENT']);
  });

  it('reports nothing for a well-formed channel (near miss)', () => {
    expect(build(ALL).problems).toEqual([]);
  });

  it.each([
    ['a second detector with the same name', { ...prize, name: 'test.urgent' }, 'detector name used twice'],
    ['an unknown stage', { ...prize, stage: 'observe' }, 'unknown stage observe'],
    ['a budget of zero', { ...prize, budgetMs: 0 }, 'budgetMs 0'],
    ['a budget over a minute', { ...prize, budgetMs: 120_000 }, 'budgetMs 120000'],
    ['no run function', { name: 'test.norun', signals: [] }, 'has no run function'],
    ['signals that are not names', { ...prize, signals: 'TEST_PRIZE' }, 'signals is not a list'],
    ['the engine’s own signal', { ...prize, signals: ['POLICY_ALLOW_LISTED'] }, "engine's own signals"],
  ])('turns off %s', (_what, bad, message) => {
    const engine = build([urgent, bad as unknown as Detector<TestPayload>]);
    expect(engine.problems).toHaveLength(1);
    expect(engine.problems[0]?.message).toContain(message);
    expect(engine.problems[0]?.message).toContain('turned off');
    expect(engine.detectors('test')).toEqual(['test.urgent']);
  });

  it('leaves out a badly declared signal and turns off its detectors, without throwing', () => {
    const engine = createEngine({
      channels: [
        testChannel({
          signals: [
            ...SIGNALS,
            signal('test_lower', 1),
            { ...signal('TEST_NAN', 1), weight: Number.NaN },
            signal('TEST_URGENT', 9),
          ],
          detectors: [urgent, keyword('test.nan', 'x', 'TEST_NAN')],
        }),
      ],
    });
    const messages = engine.problems.map((p) => `${p.detector}: ${p.message}`);
    expect(messages).toEqual([
      '*: signal name test_lower is not SCREAMING_SNAKE with a prefix',
      '*: signal TEST_NAN needs a finite weight within ±1000000',
      "*: signal TEST_URGENT declared twice (or is the engine's own); left out",
      'test.nan: fires undeclared signals TEST_NAN; turned off',
    ]);
    expect(engine.signals('test').find((s) => s.name === 'TEST_URGENT')?.weight).toBe(3);
  });

  it('ignores a channel registered twice and reports it', () => {
    const channel = testChannel({ signals: SIGNALS, detectors: ALL });
    const engine = createEngine({ channels: [channel, channel] });
    expect(engine.channels()).toEqual(['test']);
    expect(engine.problems).toEqual([
      { channel: 'test', detector: '*', message: 'channel registered twice; second ignored' },
    ]);
  });

  it('reports a default policy that does not fit its channel', () => {
    const engine = build(ALL, {
      defaultPolicy: {
        id: 'test-default',
        channel: 'test',
        signals: { TEST_NOPE: { weight: 1 } },
        thresholds: { block: 1, warn: 2 },
      },
    });
    expect(engine.problems.map((p) => p.message)).toEqual([
      'default policy: thresholds.block: warn のしきい値（2）より大きくしてください（重いアクションほど高いスコア）/ must be above the warn threshold (2): a more severe action needs a higher score',
    ]);
    const unknown = build(ALL, {
      defaultPolicy: { id: 'test-default', channel: 'test', signals: { TEST_NOPE: { weight: 1 } } },
    });
    expect(unknown.problems.map((p) => p.message)).toEqual([
      'default policy: signals.TEST_NOPE: unknown signal for this channel',
    ]);
  });

  it('rejects nonsense budgets in the options', () => {
    expect(() => createEngine({ channels: [], defaultBudgetMs: 0 })).toThrow(RangeError);
    expect(() => createEngine({ channels: [], intelBudgetMs: Number.NaN })).toThrow(RangeError);
  });

  it('lists signals including the engine’s own, and detectors by stage', () => {
    const engine = build(ALL);
    expect(engine.signals('test').map((s) => s.name)).toEqual([
      'POLICY_ALLOW_LISTED',
      'POLICY_DENY_LISTED',
      'POLICY_ENRICHMENT_FAILED',
      ...SIGNALS.map((s) => s.name),
    ]);
    expect(engine.detectors('test')).toEqual([
      'test.prize',
      'test.shortener',
      'test.urgent',
      'test.dmarc',
      'test.combo',
    ]);
  });
});

describe('engine: allow and deny overrides', () => {
  const phone = { type: 'phone', value: '+819012345678', field: 'from' } as const;
  const other = { type: 'phone', value: '+819000000000' } as const;
  const lists = {
    overrides: {
      allow: [{ type: 'phone' as const, value: phone.value }],
      deny: [{ type: 'phone' as const, value: other.value, reason: '詐欺番号' }],
    },
  };

  it('allows an allow-listed indicator whatever the detectors would say; detectors are skipped', async () => {
    const v = await scan('dmarc=fail 至急 当選', { indicators: [phone], policy: lists });
    expect(v.action).toBe('allow');
    expect(v.forced).toEqual({ action: 'allow', by: 'POLICY_ALLOW_LISTED', kind: 'allow_override' });
    expect(signals(v)).toEqual(['POLICY_ALLOW_LISTED']);
    expect(v.hits[0]?.evidence).toEqual(['phone=+819012345678', 'field=from']);
    expect(v.outcomes.every((o) => o.outcome === 'skipped')).toBe(true);
    expect(v.summary.ja).toBe('許可リストに一致したため許可');
    expect(v.reasons).toEqual([
      {
        signal: 'POLICY_ALLOW_LISTED',
        ja: '許可リストに登録された phone（+819012345678）です',
        en: 'The phone (+819012345678) is on the allow list',
      },
    ]);
  });

  it('runs the detectors for an indicator that is not listed (near miss)', async () => {
    const v = await scan('dmarc=fail', {
      indicators: [{ type: 'phone', value: '+819012345679' }],
      policy: lists,
    });
    expect(signals(v)).toEqual(['TEST_DMARC_REJECT']);
    expect(signals(v)).not.toContain('POLICY_ALLOW_LISTED');
    expect(v.action).toBe('block');
  });

  it('matches the type as well as the value (near miss)', async () => {
    const v = await scan('', { indicators: [{ type: 'email', value: phone.value }], policy: lists });
    expect(v.forced).toBeUndefined();
  });

  it('denies a deny-listed indicator with denyAction (block by default), short-circuiting the detectors', async () => {
    const lookup = vi.fn(async () => []);
    const v = await scan('', { indicators: [other], policy: lists, intel: { lookup } });
    expect(v.action).toBe('block');
    expect(v.forced).toEqual({ action: 'block', by: 'POLICY_DENY_LISTED', kind: 'deny_override' });
    expect(v.hits[0]?.evidence).toEqual(['phone=+819000000000', 'reason=詐欺番号']);
    expect(v.outcomes.map((o) => o.outcome)).toEqual(NAMES.map(() => 'skipped'));
    expect(lookup).not.toHaveBeenCalled();
    const held = await scan('', {
      indicators: [other],
      policy: { overrides: { ...lists.overrides, denyAction: 'hold' } },
    });
    expect(held.action).toBe('hold');
    expect(held.summary.en).toBe('hold: matched the deny list');
  });

  it('lets deny win over allow, in either order', async () => {
    for (const indicators of [
      [phone, other],
      [other, phone],
    ]) {
      const v = await scan('', { indicators, policy: lists });
      expect(v.forced?.kind).toBe('deny_override');
      expect(signals(v)).toEqual(['POLICY_DENY_LISTED']);
      expect(signals(v)).not.toContain('POLICY_ALLOW_LISTED');
    }
  });

  it('ignores policy settings for the engine’s own signals', async () => {
    const v = await scan('', {
      indicators: [other],
      policy: {
        ...lists,
        signals: { POLICY_DENY_LISTED: { weight: 100, enabled: false, forceAction: 'allow' } },
      },
    });
    expect(v.action).toBe('block');
    expect(v.score).toBe(0);
    expect(signals(v)).toEqual(['POLICY_DENY_LISTED']);
  });
});

describe('engine: settings', () => {
  const limited: Detector<TestPayload> = {
    name: 'test.limit',
    signals: ['TEST_URGENT'],
    run: (e, ctx) =>
      e.payload.text.length > (ctx.settings.maxLength as number)
        ? [
            {
              signal: 'TEST_URGENT',
              evidence: [
                `length ${e.payload.text.length} > ${ctx.settings.maxLength} (${ctx.settings.unit})`,
              ],
            },
          ]
        : [],
  };
  const engine = engineWith([limited], {
    channel: { defaultSettings: { maxLength: 5, unit: 'chars', nested: { a: 1 } } },
  });

  it('gives detectors the channel defaults', async () => {
    expect(signals(await scan('123456', { engine }))).toEqual(['TEST_URGENT']);
    expect(signals(await scan('12345', { engine }))).toEqual([]);
  });

  it('merges policy settings over the defaults, keeping the rest', async () => {
    const v = await scan('123456', { engine, policy: { settings: { maxLength: 10 } } });
    expect(signals(v)).toEqual([]);
    const w = await scan('12345678901', { engine, policy: { settings: { maxLength: 10 } } });
    expect(w.hits[0]?.evidence).toEqual(['length 11 > 10 (chars)']);
  });

  it('freezes settings, so one verdict cannot change the next', async () => {
    const meddler: Detector<TestPayload> = {
      name: 'test.meddler',
      signals: ['TEST_PRIZE'],
      run: (_e, ctx) => {
        (ctx.settings as Record<string, unknown>).maxLength = 0;
        return [];
      },
    };
    const nestedMeddler: Detector<TestPayload> = {
      name: 'test.nested',
      signals: ['TEST_PRIZE'],
      run: (_e, ctx) => {
        (ctx.settings.nested as Record<string, unknown>).a = 2;
        return [];
      },
    };
    const e = engineWith([meddler, nestedMeddler, limited], {
      channel: { defaultSettings: { maxLength: 5, nested: { a: 1 } } },
    });
    const v = await scan('123', { engine: e });
    expect(outcome(v, 'test.meddler')).toMatchObject({ outcome: 'error', code: 'threw' });
    expect(outcome(v, 'test.nested')).toMatchObject({ outcome: 'error', code: 'threw' });
    expect(signals(await scan('123', { engine: e }))).toEqual([]);
  });
});

describe('engine: observers', () => {
  it('shows observers the frozen verdict; one that tries to change it gets an error outcome', async () => {
    const seen: Verdict[] = [];
    const observers: Observer[] = [
      { name: 'recorder', observe: (v) => void seen.push(v) },
      {
        name: 'meddler',
        observe: (v) => {
          (v as { action: string }).action = 'allow';
        },
      },
      {
        name: 'hits_meddler',
        observe: (v) => {
          (v.hits as unknown[]).length = 0;
        },
      },
    ];
    const v = await scan('dmarc=fail', { engine: engineWith(ALL, { observers }) });
    expect(v.action).toBe('block');
    expect(signals(v)).toEqual(['TEST_DMARC_REJECT']);
    expect(seen[0]?.action).toBe('block');
    expect(seen[0]?.id).toBe(v.id);
    expect(outcome(v, 'meddler')).toMatchObject({ stage: 'observe', outcome: 'error', code: 'threw' });
    expect(outcome(v, 'hits_meddler')).toMatchObject({ stage: 'observe', outcome: 'error', code: 'threw' });
    expect(outcome(v, 'recorder')).toBeUndefined();
    expect(Object.isFrozen(v)).toBe(true);
  });

  it('records a throwing observer as an error outcome; the verdict stands', async () => {
    const observers: Observer[] = [
      {
        name: 'exporter',
        observe: async () => {
          throw new Error('queue down');
        },
      },
    ];
    const v = await scan('至急 当選', { engine: engineWith(ALL, { observers }) });
    expect(v.action).toBe('review');
    expect(v.score).toBe(7);
    expect(outcome(v, 'exporter')).toMatchObject({
      stage: 'observe',
      outcome: 'error',
      code: 'threw',
      message: 'queue down',
    });
  });

  it('times out an observer that never finishes', async () => {
    const observers: Observer[] = [{ name: 'stuck', budgetMs: 10, observe: () => new Promise(() => {}) }];
    const v = await scan('', { engine: engineWith(ALL, { observers }) });
    expect(outcome(v, 'stuck')).toMatchObject({ stage: 'observe', outcome: 'error', code: 'timeout' });
    expect(v.timings.observe).toBeGreaterThanOrEqual(5);
    expect(v.timings.total).toBeGreaterThanOrEqual(v.timings.observe);
  });

  it('adds no outcome for an observer that works (near miss)', async () => {
    const v = await scan('', {
      engine: engineWith(ALL, { observers: [{ name: 'fine', observe: async () => {} }] }),
    });
    expect(v.outcomes.filter((o) => o.stage === 'observe')).toEqual([]);
  });
});

describe('engine: extract and intel', () => {
  const phone: IndicatorRef = { type: 'phone', value: '+819012345678' };
  const intelSeen: Detector<TestPayload> = {
    name: 'test.intel',
    signals: ['TEST_PRIZE'],
    run: (_e, ctx: DetectorContext) =>
      ctx.intel.map((m) => ({
        signal: 'TEST_PRIZE',
        evidence: [`${m.type}=${m.value}`, `source=${m.source}`],
      })),
  };
  const match = {
    id: 'ind_1',
    ...phone,
    verdict: 'malicious',
    confidence: 90,
    source: 'feed',
    scope: 'public',
    orgId: 'org-b',
  } as const;

  it('looks up the extracted indicators once and gives detectors the matches', async () => {
    const lookup = vi.fn(async () => [match]);
    const v = await scan('', { engine: engineWith([intelSeen]), indicators: [phone], intel: { lookup } });
    expect(lookup).toHaveBeenCalledExactlyOnceWith('org-a', [phone]);
    expect(v.hits[0]?.evidence).toEqual(['phone=+819012345678', 'source=feed']);
    expect(outcome(v, 'intel.lookup')).toMatchObject({ stage: 'pre', outcome: 'ok', hits: 1 });
    expect(v.indicators).toEqual([phone]);
  });

  it('does not look up when there is nothing to look up (near miss)', async () => {
    const lookup = vi.fn(async () => [match]);
    const v = await scan('', { engine: engineWith([intelSeen]), intel: { lookup } });
    expect(lookup).not.toHaveBeenCalled();
    expect(outcome(v, 'intel.lookup')).toBeUndefined();
  });

  it('records a failing or hanging lookup as an error and goes on without intel', async () => {
    const engine = engineWith([intelSeen, urgent], { intelBudgetMs: 10 });
    const failing = await scan('至急', {
      engine,
      indicators: [phone],
      intel: { lookup: async () => Promise.reject(new Error('db down')) },
    });
    expect(outcome(failing, 'intel.lookup')).toMatchObject({
      outcome: 'error',
      code: 'threw',
      message: 'db down',
    });
    expect(signals(failing)).toEqual(['TEST_URGENT']);
    const hanging = await scan('至急', {
      engine,
      indicators: [phone],
      intel: { lookup: () => new Promise(() => {}) },
    });
    expect(outcome(hanging, 'intel.lookup')).toMatchObject({ outcome: 'error', code: 'timeout' });
    expect(signals(hanging)).toEqual(['TEST_URGENT']);
    const throwing = await scan('至急', {
      engine,
      indicators: [phone],
      intel: {
        lookup: () => {
          throw new Error('sync');
        },
      },
    });
    expect(outcome(throwing, 'intel.lookup')).toMatchObject({ outcome: 'error', code: 'threw' });
  });

  it('records an extractor that throws, and still judges the event', async () => {
    const engine = engineWith([urgent], {
      channel: {
        extract: () => {
          throw new Error('bad payload');
        },
      },
    });
    const v = await scan('至急', { engine });
    expect(outcome(v, 'test.extract')).toMatchObject({
      stage: 'pre',
      outcome: 'error',
      code: 'threw',
      message: 'bad payload',
    });
    expect(signals(v)).toEqual(['TEST_URGENT']);
    expect(v.indicators).toEqual([]);
  });

  it('drops malformed indicators from the extractor and reports them', async () => {
    const engine = engineWith([urgent], {
      channel: {
        extract: () => [phone, { type: 'shoe', value: 'x' }, { type: 'url', value: 42 }] as IndicatorRef[],
      },
    });
    const v = await scan('', { engine });
    expect(v.indicators).toEqual([phone]);
    expect(outcome(v, 'test.extract')).toMatchObject({
      outcome: 'error',
      code: 'bad_hit',
      message: 'returned 2 malformed indicators; dropped',
    });
    const notArray = engineWith([urgent], {
      channel: { extract: () => 'nope' as unknown as IndicatorRef[] },
    });
    expect(outcome(await scan('', { engine: notArray }), 'test.extract')).toMatchObject({ code: 'bad_hit' });
  });
});

describe('engine: verdict, compile and rescore', () => {
  it('fills the verdict from the event, the policy and the clock', async () => {
    const engine = engineWith();
    const ref = policy({ id: 'msg-strict' }, 7);
    const now = new Date('2025-12-24T09:00:00.000Z');
    const e = event({ text: '至急' });
    const v = await engine.evaluate({ event: e, policy: ref, tools: noTools, now });
    expect(v).toMatchObject({
      orgId: 'org-a',
      channel: 'test',
      eventId: e.id,
      policy: { id: 'msg-strict', version: 7 },
      createdAt: '2025-12-24T09:00:00.000Z',
    });
    expect(v.id).toMatch(/^dec_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it('gives reasons in ja and en, params filled, strongest first', async () => {
    const v = await scan('当選 至急 https://t.co/x', { on: ['test.shortener', 'test.urgent', 'test.prize'] });
    expect(v.reasons).toEqual([
      { signal: 'TEST_PRIZE', ja: 'TEST_PRIZE の説明', en: 'TEST_PRIZE description' },
      { signal: 'TEST_URGENT', ja: 'TEST_URGENT の説明', en: 'TEST_URGENT description' },
      { signal: 'TEST_SHORTENER', ja: '短縮URL t.co を含みます', en: 'Contains the shortened URL t.co' },
    ]);
    expect(v.summary).toEqual({
      ja: '判定: 審査（スコア 9、理由 3 件）：TEST_PRIZE の説明',
      en: 'Verdict: review (score 9, 3 reasons): TEST_PRIZE description',
    });
  });

  it('caches the compiled policy per policy object', () => {
    const engine = engineWith();
    const ref = policy();
    expect(engine.compile('test', ref)).toBe(engine.compile('test', ref));
    expect(engine.compile('test', policy())).not.toBe(engine.compile('test', ref));
  });

  it('refuses a policy for another channel, and an unknown channel', async () => {
    const engine = createEngine({
      channels: [
        testChannel({ signals: SIGNALS, detectors: ALL }),
        testChannel({ name: 'other', signals: SIGNALS, detectors: ALL }),
      ],
    });
    const ref = policy();
    expect(() => engine.compile('other', ref)).toThrow(/for channel test, not other/);
    const wrong = engine.evaluate({ event: event({ text: '' }, 'other'), policy: ref, tools: noTools });
    await expect(wrong).rejects.toSatisfy((e) => isMamoruError(e) && e.code === 'invalid_policy');
    const unknown = engine.evaluate({ event: event({ text: '' }, 'nope'), policy: ref, tools: noTools });
    await expect(unknown).rejects.toSatisfy((e) => isMamoruError(e) && e.code === 'unknown_channel');
  });

  it('rescores recorded hits exactly as the verdict scored them, and under a draft', async () => {
    const engine = engineWith();
    const ref = policy({ thresholds: { warn: 2, review: 5, block: 10 } });
    const v = await engine.evaluate({ event: event({ text: '至急 当選' }), policy: ref, tools: noTools });
    const same = engine.rescore('test', ref, v.hits);
    expect({ action: same.action, score: same.score }).toEqual({ action: v.action, score: v.score });
    const draft = policy({ thresholds: { block: 7 } }, 2);
    expect(engine.rescore('test', draft, v.hits).action).toBe('block');
    const explained = engine.explain('test', same);
    expect(explained.reasons).toEqual(v.reasons);
  });

  it('applies a draft’s allow and deny lists when given the indicators', async () => {
    const engine = engineWith();
    const phone: IndicatorRef = { type: 'phone', value: '+819012345678' };
    const v = await engine.evaluate({
      event: event({ text: '至急 当選', indicators: [phone] }),
      policy: policy(),
      tools: noTools,
    });
    const deny = policy(
      { overrides: { deny: [{ type: 'phone', value: phone.value }], denyAction: 'freeze' } },
      2,
    );
    expect(engine.rescore('test', deny, v.hits, v.indicators)).toMatchObject({
      action: 'freeze',
      forced: { kind: 'deny_override' },
    });
    expect(engine.rescore('test', deny, v.hits, []).action).toBe(v.action);
  });

  it('lists what a policy names that the channel lacks', () => {
    const engine = engineWith();
    const doc = policy({
      channel: 'mail',
      signals: { TEST_URGENT: { weight: 1 }, TEST_NOPE: { weight: 1 }, POLICY_DENY_LISTED: { weight: 1 } },
      detectors: { 'test.urgent': { enabled: false }, 'test.nope': { enabled: false } },
      groups: { text: { maxScore: 1 }, nope: { maxScore: 1 } },
    }).document;
    expect(engine.policyIssues('test', doc)).toEqual([
      { path: 'channel', message: 'must be test' },
      { path: 'signals.TEST_NOPE', message: 'unknown signal for this channel' },
      {
        path: 'signals.POLICY_DENY_LISTED',
        message:
          "the engine's own signal: use the policy's overrides (allow and deny lists; overrides.denyAction)",
      },
      { path: 'detectors.test.nope', message: 'unknown detector for this channel' },
      { path: 'groups.nope', message: 'unknown signal group for this channel' },
    ]);
    expect(engine.policyIssues('test', policy({ signals: { TEST_URGENT: { weight: 1 } } }).document)).toEqual(
      [],
    );
  });
});

describe('engine: determinism', () => {
  it('gives the same verdict for the same event, apart from id and timings', async () => {
    const engine = engineWith();
    const ref: PolicyRef = policy({ thresholds: { warn: 2 } });
    const now = new Date('2025-12-01T00:00:00Z');
    const e = event({ text: '至急 当選 https://bit.ly/x dmarc=fail' });
    const strip = ({ id: _id, timings: _t, outcomes, ...rest }: Verdict) => ({
      ...rest,
      outcomes: outcomes.map(({ ms: _ms, ...o }) => o),
    });
    const a = await engine.evaluate({ event: e, policy: ref, tools: noTools, now });
    const b = await engine.evaluate({ event: e, policy: ref, tools: noTools, now });
    expect(strip(b)).toEqual(strip(a));
  });

  it('never lets one failing channel piece fail the evaluation', async () => {
    const chaos: AnyChannel = testChannel({
      signals: SIGNALS,
      detectors: [
        {
          name: 'test.a',
          signals: ['TEST_PRIZE'],
          run: async () => {
            throw new Error('x');
          },
        },
        fixed(
          'test.b',
          ['TEST_PRIZE'],
          [{ signal: 'TEST_PRIZE', evidence: [], params: Object.create(null) }],
        ),
      ],
      extract: () => null as unknown as IndicatorRef[],
    });
    const engine = createEngine({ channels: [chaos] });
    const v = await engine.evaluate({ event: event({ text: '' }), policy: policy(), tools: noTools });
    expect(v.action).toBe('allow');
    expect(v.outcomes.map((o) => `${o.detector}:${o.outcome}`)).toEqual([
      'test.extract:error',
      'test.a:error',
      'test.b:ok',
    ]);
  });
});

describe('engine: notices', () => {
  const resale = { code: 'test.resale', ja: '転売は禁止されています', en: 'Resale is prohibited' };
  const withNotices = (notices: AnyChannel['notices'], observers: Observer[] = []) =>
    createEngine({
      channels: [{ ...testChannel({ signals: SIGNALS, detectors: ALL }), notices }],
      defaultBudgetMs: 1000,
      observers,
    });

  it('adds the channel’s notices from the scored action, hits and payload', async () => {
    const calls: unknown[] = [];
    const engine = withNotices((scored, payload) => {
      calls.push({ action: scored.action, signals: scored.hits.map((h) => h.signal), payload });
      return scored.action === 'allow' ? [resale] : [];
    });
    const allowed = await scan('こんにちは', { engine });
    expect(allowed.notices).toEqual([resale]);
    expect(allowed.outcomes.filter((o) => o.outcome === 'error')).toEqual([]);
    expect(calls).toEqual([{ action: 'allow', signals: [], payload: { text: 'こんにちは' } }]);
    // A verdict with no notice carries no field at all: verdicts from before notices are unchanged.
    const blocked = await scan('dmarc=fail', { engine });
    expect(blocked.action).toBe('block');
    expect(Object.hasOwn(blocked, 'notices')).toBe(false);
    expect(calls[1]).toMatchObject({ action: 'block', signals: ['TEST_DMARC_REJECT'] });
  });

  it('has no notices field for a channel without the hook', async () => {
    expect(Object.hasOwn(await scan('こんにちは'), 'notices')).toBe(false);
  });

  it('records a throwing hook as an error outcome and adds nothing; the verdict stands', async () => {
    const engine = withNotices(() => {
      throw new Error('notice table missing');
    });
    const v = await scan('至急 当選', { engine });
    expect(v.action).toBe('review');
    expect(signals(v)).toEqual(['TEST_PRIZE', 'TEST_URGENT']);
    expect(Object.hasOwn(v, 'notices')).toBe(false);
    expect(outcome(v, 'test.notices')).toMatchObject({
      stage: 'post',
      outcome: 'error',
      code: 'threw',
      message: 'notice table missing',
    });
  });

  it('drops malformed notices and reports them; keeps the good ones as copies', async () => {
    const extra = { ...resale, secret: 'x' };
    const engine = withNotices(
      () => [extra, { code: '', ja: 'x', en: 'x' }, { code: 'c', ja: 'x' }] as never,
    );
    const v = await scan('', { engine });
    expect(v.notices).toEqual([resale]);
    expect(outcome(v, 'test.notices')).toMatchObject({
      code: 'bad_hit',
      message: 'returned 2 malformed notices; dropped',
    });
    const notArray = await scan('', { engine: withNotices(() => 'nope' as never) });
    expect(Object.hasOwn(notArray, 'notices')).toBe(false);
    expect(outcome(notArray, 'test.notices')).toMatchObject({ code: 'bad_hit' });
  });

  it('freezes the notices with the verdict an observer sees', async () => {
    const seen: Verdict[] = [];
    const engine = withNotices(() => [resale], [{ name: 'recorder', observe: (v) => void seen.push(v) }]);
    await scan('', { engine });
    expect(seen[0]?.notices).toEqual([resale]);
    expect(Object.isFrozen(seen[0]?.notices)).toBe(true);
    expect(Object.isFrozen(seen[0]?.notices?.[0])).toBe(true);
  });
});

describe('engine: waivers (issue 8, item 5)', () => {
  const WAIVED = signal('TEST_WAIVED', 0, { group: 'exception', explainAlways: true });
  const approval = (covered: readonly string[], more: Partial<Waiver> = {}): Waiver => ({
    signal: 'TEST_WAIVED',
    covers: (hit) => covered.includes(hit.signal),
    evidence: ['case=cas_1', 'approved=2026-01-01'],
    params: { caseId: 'cas_1' },
    ...more,
  });
  const withWaiver = (waiver: AnyChannel['waiver'], detectors: readonly Detector<TestPayload>[] = ALL) =>
    createEngine({
      channels: [{ ...testChannel({ signals: [...SIGNALS, WAIVED], detectors }), waiver }],
      defaultBudgetMs: 1000,
    });

  it('replaces the covered hits with one waiver hit per covered signal, keeping what was found', async () => {
    const again = fixed('test.again', ['TEST_URGENT'], [{ signal: 'TEST_URGENT', evidence: ['again'] }]);
    const engine = withWaiver(() => approval(['TEST_URGENT', 'TEST_DMARC_REJECT']), [...ALL, again]);
    const text = '至急 当選 https://bit.ly/x dmarc=fail';
    const without = await scan(text, { engine: withWaiver(undefined, [...ALL, again]) });
    expect(without.action).toBe('block');
    const v = await scan(text, { engine });
    // Uncovered hits stay as they were; the composite saw the hits before the waiver.
    expect(signals(v)).toEqual(['TEST_PRIZE', 'TEST_SHORTENER', 'TEST_COMBO', 'TEST_WAIVED', 'TEST_WAIVED']);
    const waived = v.hits.filter((h) => h.signal === 'TEST_WAIVED');
    expect(waived).toEqual([
      {
        signal: 'TEST_WAIVED',
        group: 'exception',
        detector: 'test.waiver',
        factor: 1,
        weight: 0,
        score: 0,
        evidence: ['case=cas_1', 'approved=2026-01-01', 'covers=TEST_URGENT', '至急', 'again'],
        params: { caseId: 'cas_1' },
      },
      expect.objectContaining({
        evidence: ['case=cas_1', 'approved=2026-01-01', 'covers=TEST_DMARC_REJECT', 'dmarc=fail'],
      }),
    ]);
    // The forced block went with its hit; TEST_PRIZE (4) + TEST_SHORTENER (2) + TEST_COMBO (5) remain.
    expect(v.forced).toBeUndefined();
    expect(v.score).toBe(11);
    expect(v.action).toBe('block');
    expect(v.reasons.map((r) => r.signal)).toContain('TEST_WAIVED');
    expect(v.outcomes.filter((o) => o.outcome === 'error')).toEqual([]);
  });

  it('changes nothing when the waiver covers no hit, or there is none (near miss)', async () => {
    const covering = vi.fn(() => approval(['TEST_PRIZE']));
    const v = await scan('至急', { engine: withWaiver(covering) });
    expect(signals(v)).toEqual(['TEST_URGENT']);
    expect(covering).toHaveBeenCalledTimes(1);
    const none = await scan('至急', { engine: withWaiver(() => undefined) });
    expect(signals(none)).toEqual(['TEST_URGENT']);
    expect(outcome(none, 'test.waiver')).toBeUndefined();
  });

  it('covers nothing where its covers throws, and never its own signal', async () => {
    const own = fixed('test.own', ['TEST_WAIVED'], [{ signal: 'TEST_WAIVED', evidence: ['own'] }]);
    const engine = withWaiver(
      () =>
        approval([], {
          covers: (hit) => {
            if (hit.signal === 'TEST_URGENT') throw new Error('cannot tell');
            return true;
          },
        }),
      [urgent, prize, own],
    );
    const v = await scan('至急 当選', { engine });
    expect(signals(v)).toEqual(['TEST_URGENT', 'TEST_WAIVED', 'TEST_WAIVED']);
    expect(v.hits.map((h) => h.evidence)).toEqual([
      ['至急'],
      ['own'],
      ['case=cas_1', 'approved=2026-01-01', 'covers=TEST_PRIZE', '当選'],
    ]);
  });

  it('records a waiver hook that throws as an error outcome and waives nothing', async () => {
    const engine = withWaiver(() => {
      throw new Error('exception table missing');
    });
    const v = await scan('至急 当選', { engine });
    expect(signals(v)).toEqual(['TEST_PRIZE', 'TEST_URGENT']);
    expect(v.action).toBe('review');
    expect(outcome(v, 'test.waiver')).toMatchObject({
      stage: 'post',
      outcome: 'error',
      code: 'threw',
      message: 'exception table missing',
    });
  });

  it('refuses a waiver naming a signal the channel does not declare, or one the policy disables', async () => {
    const undeclared = await scan('至急 当選', {
      engine: withWaiver(() => approval(['TEST_URGENT'], { signal: 'TEST_NOWHERE' })),
    });
    expect(signals(undeclared)).toEqual(['TEST_PRIZE', 'TEST_URGENT']);
    expect(outcome(undeclared, 'test.waiver')).toMatchObject({
      outcome: 'error',
      code: 'undeclared_signal',
      message: 'waiver signal TEST_NOWHERE is not an enabled signal of the channel',
    });
    const disabled = await scan('至急 当選', {
      engine: withWaiver(() => approval(['TEST_URGENT'])),
      policy: { signals: { TEST_WAIVED: { enabled: false } } },
    });
    expect(signals(disabled)).toEqual(['TEST_PRIZE', 'TEST_URGENT']);
    expect(outcome(disabled, 'test.waiver')).toMatchObject({ outcome: 'error', code: 'undeclared_signal' });
  });

  it('is not consulted when an allow or deny list decides', async () => {
    const hook = vi.fn(() => approval(['TEST_URGENT']));
    const engine = withWaiver(hook);
    const indicators: IndicatorRef[] = [{ type: 'domain', value: 'listed.example' }];
    for (const list of ['allow', 'deny'] as const) {
      const v = await scan('至急', {
        engine,
        indicators,
        policy: { overrides: { [list]: [{ type: 'domain', value: 'listed.example' }] } },
      });
      expect(v.action).toBe(list === 'allow' ? 'allow' : 'block');
      expect(signals(v)).not.toContain('TEST_WAIVED');
      expect(outcome(v, 'test.waiver')).toBeUndefined();
    }
    expect(hook).not.toHaveBeenCalled();
  });

  it('reads the screening: its event, state and enrichment answers', async () => {
    const HISTORY = { name: 'test.history' } as const;
    const seen: unknown[] = [];
    const channel: AnyChannel = {
      ...testChannel({
        signals: [...SIGNALS, WAIVED],
        detectors: [{ ...urgent, needs: ['test.history'] }],
      }),
      begin: (e) => ({ key: `k:${e.id}` }),
      enrichments: [
        {
          name: 'test.history',
          output: (v): v is { approved: boolean } => typeof v === 'object',
          run: () => ({ approved: true }),
        },
      ],
      waiver: (s) => {
        seen.push(s.state, s.enriched(HISTORY), s.event.payload);
        return approval(['TEST_URGENT']);
      },
    };
    const engine = createEngine({ channels: [channel], defaultBudgetMs: 1000 });
    const e = event({ text: '至急' });
    const v = await engine.evaluate({ event: e, policy: policy(), tools: noTools });
    expect(seen).toEqual([{ key: `k:${e.id}` }, { approved: true }, { text: '至急' }]);
    expect(signals(v)).toEqual(['TEST_WAIVED']);
  });
});

describe('engine: named thresholds per screening (ChannelModule.thresholds; I3 filter strength)', () => {
  const withThresholds = (thresholds: AnyChannel['thresholds']) =>
    createEngine({
      channels: [{ ...testChannel({ signals: SIGNALS, detectors: ALL }), thresholds }],
      defaultBudgetMs: 1000,
    });

  it('scores with the profile it names and records the name in verdict.policy.thresholds', async () => {
    // TEST_URGENT alone scores 3: warn under the policy (warn 2, review 5, block 10).
    const plain = await scan('至急', { engine: withThresholds(undefined) });
    expect(plain.action).toBe('warn');
    expect(plain.policy.thresholds).toBeUndefined();
    const strict = await scan('至急', {
      engine: withThresholds(() => ({ name: 'high', thresholds: { warn: 1, block: 3 } })),
    });
    expect(strict.action).toBe('block');
    expect(strict.score).toBe(3);
    expect(strict.policy).toMatchObject({ id: 'test-policy', thresholds: 'high' });
    const lenient = await scan('至急', {
      engine: withThresholds(() => ({ name: 'low', thresholds: { warn: 6, block: 12 } })),
    });
    expect(lenient.action).toBe('allow');
    expect(lenient.policy.thresholds).toBe('low');
    expect(lenient.outcomes.filter((o) => o.outcome === 'error')).toEqual([]);
  });

  it('keeps the policy thresholds when the hook answers none (near miss)', async () => {
    const v = await scan('至急', { engine: withThresholds(() => undefined) });
    expect(v.action).toBe('warn');
    expect(v.policy.thresholds).toBeUndefined();
    expect(outcome(v, 'test.thresholds')).toBeUndefined();
  });

  it('reads the screening: its settings and payload', async () => {
    const seen: unknown[] = [];
    const engine = withThresholds((s) => {
      seen.push(s.event.payload, s.settings.strength);
      return undefined;
    });
    await scan('至急', { engine, policy: { settings: { strength: 'high' } } });
    expect(seen).toEqual([{ text: '至急' }, 'high']);
  });

  it('records a hook that throws as an error outcome; the policy thresholds decide', async () => {
    const v = await scan('至急', {
      engine: withThresholds(() => {
        throw new Error('strength table missing');
      }),
    });
    expect(v.action).toBe('warn');
    expect(v.policy.thresholds).toBeUndefined();
    expect(outcome(v, 'test.thresholds')).toMatchObject({
      stage: 'post',
      outcome: 'error',
      code: 'threw',
      message: 'strength table missing',
    });
  });

  it.each([
    ['falling with severity', { name: 'odd', thresholds: { warn: 5, block: 3 } }],
    ['equal for two actions', { name: 'odd', thresholds: { warn: 3, block: 3 } }],
    ['not a finite number', { name: 'odd', thresholds: { warn: Number.NaN, block: 3 } }],
    ['a number as text', { name: 'odd', thresholds: { warn: '1' } }],
    ['an allow threshold', { name: 'odd', thresholds: { allow: 0, warn: 1 } }],
    ['no name', { name: '', thresholds: { warn: 1 } }],
    ['no thresholds', { name: 'odd' }],
  ])('refuses thresholds %s: error outcome, the policy thresholds decide', async (_what, profile) => {
    const v = await scan('至急', { engine: withThresholds(() => profile as never) });
    expect(v.action).toBe('warn');
    expect(v.policy.thresholds).toBeUndefined();
    expect(outcome(v, 'test.thresholds')).toMatchObject({ stage: 'post', outcome: 'error', code: 'bad_hit' });
  });

  it('is not consulted when an allow or deny list decides', async () => {
    const hook = vi.fn(() => ({ name: 'high', thresholds: { warn: 1 } }));
    const indicators: IndicatorRef[] = [{ type: 'domain', value: 'listed.example' }];
    for (const list of ['allow', 'deny'] as const) {
      const v = await scan('至急', {
        engine: withThresholds(hook),
        indicators,
        policy: { overrides: { [list]: [{ type: 'domain', value: 'listed.example' }] } },
      });
      expect(v.action).toBe(list === 'allow' ? 'allow' : 'block');
      expect(v.policy.thresholds).toBeUndefined();
    }
    expect(hook).not.toHaveBeenCalled();
  });
});
