import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, severity } from './action.ts';
import { compilePolicy, type PolicyDocumentInput } from './policy.ts';
import type { SignalDeclaration } from './signal.ts';
import { policy, signal } from './testing.ts';
import { explain, type RawHit, type Scored, scoreHits } from './verdict.ts';

const SIGNALS: SignalDeclaration[] = [
  signal('TEST_A', 2, { group: 'a', reason: { ja: '{word} を含みます', en: 'Contains {word}' } }),
  signal('TEST_B', 3, { group: 'a' }),
  signal('TEST_C', 4, { group: 'c' }),
  signal('TEST_GOOD', -1, { group: 'c' }),
  signal('TEST_ZERO', 0, { group: 'c' }),
  signal('TEST_FORCE_HOLD', 0, { group: 'c', forceAction: 'hold' }),
  signal('TEST_FORCE_REVIEW', 1, { group: 'c', forceAction: 'review' }),
  signal('TEST_FORCE_REVIEW_2', 1, { group: 'c', forceAction: 'review' }),
  signal('TEST_CUSTOMER', 3, {
    group: 'a',
    reason: { ja: '{count} 件目（上限 {limit}）', en: 'Number {count} (limit {limit})' },
    customer: { ja: '{product} はお申し込みいただけません', en: 'The {product} cannot be applied for' },
  }),
  signal('TEST_EXCEPTION', 0, {
    group: 'c',
    explainAlways: true,
    description: {
      ja: '本部が承認した例外の範囲内の申込',
      en: 'Application within an exception approved by HQ',
    },
  }),
];

const compiled = (doc: Partial<PolicyDocumentInput> = {}) => compilePolicy(policy(doc), SIGNALS);
const hit = (signal: string, factor = 1, params?: Record<string, string | number>): RawHit => ({
  signal,
  detector: 'test.d',
  factor,
  evidence: [`${signal} seen`],
  ...(params ? { params } : {}),
});
const describeSignal = (name: string) => SIGNALS.find((s) => s.name === name);

describe('scoreHits: weights and factors', () => {
  it('adds weight × factor, with factor 1 by default', () => {
    const scored = scoreHits(compiled(), [hit('TEST_A'), hit('TEST_C', 0.5)]);
    expect(scored.score).toBe(4);
    expect(scored.hits.map((h) => [h.signal, h.weight, h.factor, h.score])).toEqual([
      ['TEST_A', 2, 1, 2],
      ['TEST_C', 4, 0.5, 2],
    ]);
  });

  it('uses the policy weight over the declared one', () => {
    const scored = scoreHits(compiled({ signals: { TEST_A: { weight: 10 } } }), [hit('TEST_A')]);
    expect(scored.score).toBe(10);
    expect(scored.hits[0]?.weight).toBe(10);
  });

  it('keeps the declared weight for signals the policy does not name (near miss)', () => {
    const scored = scoreHits(compiled({ signals: { TEST_B: { weight: 10 } } }), [hit('TEST_A')]);
    expect(scored.score).toBe(2);
  });

  it('lowers the score with a negative weight', () => {
    expect(scoreHits(compiled(), [hit('TEST_C'), hit('TEST_GOOD')]).score).toBe(3);
  });

  it('rounds to three decimals, so 0.1 + 0.2 reaches a 0.3 threshold', () => {
    const p = compiled({
      signals: { TEST_A: { weight: 0.1 }, TEST_C: { weight: 0.2 } },
      thresholds: { warn: 0.3 },
    });
    const scored = scoreHits(p, [hit('TEST_A'), hit('TEST_C')]);
    expect(scored.score).toBe(0.3);
    expect(scored.action).toBe('warn');
  });

  it('never returns a negative zero', () => {
    const scored = scoreHits(compiled(), [hit('TEST_GOOD', 0.0001)]);
    expect(Object.is(scored.score, 0)).toBe(true);
  });

  it('drops hits of signals the policy does not know', () => {
    const scored = scoreHits(compiled(), [hit('TEST_UNKNOWN'), hit('TEST_A')]);
    expect(scored.hits.map((h) => h.signal)).toEqual(['TEST_A']);
    expect(scored.score).toBe(2);
  });
});

describe('scoreHits: group caps', () => {
  it('caps a group at its maxScore', () => {
    const scored = scoreHits(compiled({ groups: { a: { maxScore: 4 } } }), [hit('TEST_A'), hit('TEST_B')]);
    expect(scored.score).toBe(4);
    // The hits keep their own, uncapped scores.
    expect(scored.hits.map((h) => h.score)).toEqual([2, 3]);
  });

  it('leaves a group under its cap alone (near miss)', () => {
    const scored = scoreHits(compiled({ groups: { a: { maxScore: 6 } } }), [hit('TEST_A'), hit('TEST_B')]);
    expect(scored.score).toBe(5);
  });

  it('caps only its own group', () => {
    const scored = scoreHits(compiled({ groups: { a: { maxScore: 1 } } }), [
      hit('TEST_A'),
      hit('TEST_B'),
      hit('TEST_C'),
    ]);
    expect(scored.score).toBe(5);
  });

  it('does not cap a group exactly at its maxScore below it', () => {
    const scored = scoreHits(compiled({ groups: { a: { maxScore: 5 } } }), [hit('TEST_A'), hit('TEST_B')]);
    expect(scored.score).toBe(5);
  });
});

describe('scoreHits: thresholds → action', () => {
  const p = compiled({ thresholds: { warn: 2, review: 5, block: 9 } });

  it.each([
    [0, 'allow'],
    [1.999, 'allow'],
    [2, 'warn'],
    [4.999, 'warn'],
    [5, 'review'],
    [8.999, 'review'],
    [9, 'block'],
    [100, 'block'],
  ] as const)('score %d → %s', (score, action) => {
    // TEST_C weighs 4: the factor sets the score.
    const scored = scoreHits(p, score === 0 ? [] : [hit('TEST_C', score / 4)]);
    expect(scored.score).toBe(score);
    expect(scored.action).toBe(action);
    expect(scored.forced).toBeUndefined();
  });

  it('allows everything when the policy has no thresholds', () => {
    expect(scoreHits(compiled(), [hit('TEST_C', 1000)]).action).toBe('allow');
  });

  it('applies a negative threshold to a zero score', () => {
    expect(scoreHits(compiled({ thresholds: { warn: -1 } }), []).action).toBe('warn');
  });
});

describe('scoreHits: forced actions', () => {
  const p = compiled({ thresholds: { warn: 1, block: 10 } });

  it('raises the action to the declared forced action, naming the signal', () => {
    const scored = scoreHits(p, [hit('TEST_FORCE_HOLD')]);
    expect(scored.action).toBe('hold');
    expect(scored.forced).toEqual({ action: 'hold', by: 'TEST_FORCE_HOLD', kind: 'signal' });
    expect(scored.score).toBe(0);
  });

  it('does not force when the forcing signal is absent (near miss)', () => {
    const scored = scoreHits(p, [hit('TEST_A')]);
    expect(scored.action).toBe('warn');
    expect(scored.forced).toBeUndefined();
  });

  it('does not lower a more severe scored action, and does not claim to have forced it', () => {
    const scored = scoreHits(p, [hit('TEST_FORCE_HOLD'), hit('TEST_C', 3)]);
    expect(scored.score).toBe(12);
    expect(scored.action).toBe('block');
    expect(scored.forced).toBeUndefined();
  });

  it('names the forcing signal when the score reaches the same action', () => {
    const scored = scoreHits(compiled({ thresholds: { hold: 1 } }), [hit('TEST_FORCE_HOLD'), hit('TEST_A')]);
    expect(scored.action).toBe('hold');
    expect(scored.forced?.by).toBe('TEST_FORCE_HOLD');
  });

  it('takes the most severe of several forced actions', () => {
    const scored = scoreHits(p, [hit('TEST_FORCE_REVIEW'), hit('TEST_FORCE_HOLD')]);
    expect(scored.forced).toEqual({ action: 'hold', by: 'TEST_FORCE_HOLD', kind: 'signal' });
  });

  it('names the first signal by name when two force the same action, whatever their order', () => {
    for (const hits of [
      [hit('TEST_FORCE_REVIEW_2'), hit('TEST_FORCE_REVIEW')],
      [hit('TEST_FORCE_REVIEW'), hit('TEST_FORCE_REVIEW_2')],
    ]) {
      expect(scoreHits(p, hits).forced?.by).toBe('TEST_FORCE_REVIEW');
    }
  });

  it('lets a policy force a signal that declares no forced action', () => {
    const scored = scoreHits(compiled({ signals: { TEST_A: { forceAction: 'freeze' } } }), [hit('TEST_A')]);
    expect(scored.action).toBe('freeze');
    expect(scored.forced?.by).toBe('TEST_A');
  });

  it('lets a policy change a declared forced action', () => {
    const scored = scoreHits(compiled({ signals: { TEST_FORCE_HOLD: { forceAction: 'warn' } } }), [
      hit('TEST_FORCE_HOLD'),
    ]);
    expect(scored.action).toBe('warn');
  });

  it('disables a declared forced action with forceAction: null', () => {
    const scored = scoreHits(compiled({ signals: { TEST_FORCE_HOLD: { forceAction: null } } }), [
      hit('TEST_FORCE_HOLD'),
    ]);
    expect(scored.action).toBe('allow');
    expect(scored.forced).toBeUndefined();
    expect(scored.hits.map((h) => h.signal)).toEqual(['TEST_FORCE_HOLD']);
  });

  it('does not force through a disabled signal', () => {
    const scored = scoreHits(compiled({ signals: { TEST_FORCE_HOLD: { enabled: false } } }), [
      hit('TEST_FORCE_HOLD'),
    ]);
    expect(scored.action).toBe('allow');
    expect(scored.forced).toBeUndefined();
  });
});

describe('scoreHits: disabled signals', () => {
  it('drops a disabled signal from the hits and the score', () => {
    const scored = scoreHits(compiled({ signals: { TEST_C: { enabled: false } } }), [
      hit('TEST_A'),
      hit('TEST_C'),
    ]);
    expect(scored.hits.map((h) => h.signal)).toEqual(['TEST_A']);
    expect(scored.score).toBe(2);
  });

  it('keeps a signal explicitly enabled (near miss)', () => {
    const scored = scoreHits(compiled({ signals: { TEST_C: { enabled: true } } }), [hit('TEST_C')]);
    expect(scored.hits.map((h) => h.signal)).toEqual(['TEST_C']);
  });
});

describe('scoreHits: properties', () => {
  const names = SIGNALS.map((s) => s.name);
  const hitArb = fc.record({
    signal: fc.constantFrom(...names, 'TEST_UNKNOWN'),
    factor: fc.double({ min: -1000, max: 1000, noNaN: true }),
  });
  const policyArb = fc.record({
    weights: fc.dictionary(fc.constantFrom(...names), fc.double({ min: -1000, max: 1000, noNaN: true })),
    caps: fc.record({ a: fc.option(fc.double({ min: 0.001, max: 50, noNaN: true }), { nil: undefined }) }),
  });

  it('is independent of the order of the hits', () => {
    fc.assert(
      fc.property(policyArb, fc.array(hitArb, { maxLength: 12 }), fc.nat(), (pp, raw, seed) => {
        const p = compiled({
          signals: Object.fromEntries(Object.entries(pp.weights).map(([k, weight]) => [k, { weight }])),
          groups: pp.caps.a === undefined ? {} : { a: { maxScore: pp.caps.a } },
          thresholds: { warn: 1, review: 5, block: 20 },
        });
        const hits = raw.map((h) => hit(h.signal, h.factor));
        const shuffled = [...hits];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (seed + i * 7919) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j] as RawHit, shuffled[i] as RawHit];
        }
        const a = scoreHits(p, hits);
        const b = scoreHits(p, shuffled);
        expect(b.score).toBe(a.score);
        expect(b.action).toBe(a.action);
        expect(b.forced).toEqual(a.forced);
        const key = (s: Scored) => s.hits.map((h) => `${h.signal}:${h.factor}`).sort();
        expect(key(b)).toEqual(key(a));
      }),
    );
  });

  it('gives an action monotone in the score for a fixed policy', () => {
    const thresholdsArb = fc
      .uniqueArray(fc.integer({ min: -50, max: 200 }), { minLength: 0, maxLength: 6 })
      .chain((values) =>
        fc
          .shuffledSubarray(ACTIONS.slice(1) as Action[], {
            minLength: values.length,
            maxLength: values.length,
          })
          .map((actions) => {
            const sorted = [...values].sort((x, y) => x - y);
            const byRank = [...actions].sort((x, y) => severity(x) - severity(y));
            return Object.fromEntries(byRank.map((a, i) => [a, sorted[i]]));
          }),
      );
    fc.assert(
      fc.property(
        thresholdsArb,
        fc.double({ min: -300, max: 300, noNaN: true }),
        fc.double({ min: -300, max: 300, noNaN: true }),
        (thresholds, x, y) => {
          const p = compiled({ thresholds, signals: { TEST_C: { weight: 1 } } });
          const [low, high] = x <= y ? [x, y] : [y, x];
          const a = scoreHits(p, [hit('TEST_C', low)]);
          const b = scoreHits(p, [hit('TEST_C', high)]);
          expect(a.score).toBeLessThanOrEqual(b.score);
          expect(severity(a.action)).toBeLessThanOrEqual(severity(b.action));
        },
      ),
    );
  });
});

describe('explain', () => {
  const p = compiled({ thresholds: { warn: 1, block: 10 } });
  const reasonsOf = (hits: RawHit[], policy = p) => explain(scoreHits(policy, hits), describeSignal);

  it('gives reasons in Japanese and English with params filled', () => {
    const { reasons } = reasonsOf([hit('TEST_A', 1, { word: 'bit.ly' })]);
    expect(reasons).toEqual([{ signal: 'TEST_A', ja: 'bit.ly を含みます', en: 'Contains bit.ly' }]);
  });

  it('falls back to the description without a reason text, and to the name for an unknown signal', () => {
    expect(reasonsOf([hit('TEST_B')]).reasons[0]).toEqual({
      signal: 'TEST_B',
      ja: 'TEST_B の説明',
      en: 'TEST_B description',
    });
    const scored: Scored = {
      action: 'warn',
      score: 1,
      hits: [{ ...hit('TEST_GONE'), group: 'x', weight: 1, score: 1 }],
    };
    expect(explain(scored, describeSignal).reasons[0]).toEqual({
      signal: 'TEST_GONE',
      ja: 'TEST_GONE',
      en: 'TEST_GONE',
    });
  });

  it('orders reasons strongest first by absolute score', () => {
    const { reasons } = reasonsOf([hit('TEST_A'), hit('TEST_GOOD', 5), hit('TEST_C')]);
    expect(reasons.map((r) => r.signal)).toEqual(['TEST_GOOD', 'TEST_C', 'TEST_A']);
  });

  it('puts the forcing signal first even at zero score', () => {
    const { reasons } = reasonsOf([hit('TEST_C'), hit('TEST_FORCE_HOLD')]);
    expect(reasons.map((r) => r.signal)).toEqual(['TEST_FORCE_HOLD', 'TEST_C']);
  });

  it('leaves out zero-score signals that forced nothing', () => {
    const { reasons } = reasonsOf([hit('TEST_ZERO'), hit('TEST_A')]);
    expect(reasons.map((r) => r.signal)).toEqual(['TEST_A']);
  });

  it('fills the customer text beside the reviewer text, only for a signal that has one', () => {
    const { reasons } = reasonsOf([
      hit('TEST_CUSTOMER', 1, { count: 4, limit: 3, product: 'SIM' }),
      hit('TEST_A', 1, { word: 'x' }),
    ]);
    expect(reasons).toEqual([
      {
        signal: 'TEST_CUSTOMER',
        ja: '4 件目（上限 3）',
        en: 'Number 4 (limit 3)',
        customer: { ja: 'SIM はお申し込みいただけません', en: 'The SIM cannot be applied for' },
      },
      { signal: 'TEST_A', ja: 'x を含みます', en: 'Contains x' },
    ]);
    expect(Object.hasOwn(reasons[1] ?? {}, 'customer')).toBe(false);
  });

  it('explains a zero-score signal declared explainAlways, and only that one', () => {
    const { reasons, summary } = reasonsOf([hit('TEST_EXCEPTION'), hit('TEST_ZERO')]);
    expect(reasons.map((r) => r.signal)).toEqual(['TEST_EXCEPTION']);
    expect(summary).toEqual({
      ja: '判定: 許可（スコア 0、理由 1 件）：本部が承認した例外の範囲内の申込',
      en: 'Verdict: allow (score 0, 1 reason): Application within an exception approved by HQ',
    });
  });

  it('puts an explainAlways reason after the scored ones', () => {
    const { reasons } = reasonsOf([hit('TEST_EXCEPTION'), hit('TEST_A', 1, { word: 'x' })]);
    expect(reasons.map((r) => r.signal)).toEqual(['TEST_A', 'TEST_EXCEPTION']);
  });

  it('says a reason once per distinct text, and twice for different params', () => {
    const same = reasonsOf([hit('TEST_A', 1, { word: 'x' }), hit('TEST_A', 1, { word: 'x' })]).reasons;
    expect(same).toHaveLength(1);
    const different = reasonsOf([hit('TEST_A', 1, { word: 'x' }), hit('TEST_A', 1, { word: 'y' })]).reasons;
    expect(different.map((r) => r.en)).toEqual(['Contains x', 'Contains y']);
  });

  it('keeps a placeholder without a param visible', () => {
    expect(reasonsOf([hit('TEST_A')]).reasons[0]?.en).toBe('Contains {word}');
  });

  describe('summary', () => {
    it('says nothing was found when no signal mattered', () => {
      expect(reasonsOf([]).summary).toEqual({
        ja: '問題は検出されませんでした（許可）',
        en: 'No problem found (allow)',
      });
    });

    it('gives the action, score, number of reasons and the top reason’s description', () => {
      expect(reasonsOf([hit('TEST_A')]).summary).toEqual({
        ja: '判定: 警告（スコア 2、理由 1 件）：TEST_A の説明',
        en: 'Verdict: warn (score 2, 1 reason): TEST_A description',
      });
      expect(reasonsOf([hit('TEST_A'), hit('TEST_C', 2)]).summary.en).toBe(
        'Verdict: block (score 10, 2 reasons): TEST_C description',
      );
    });

    it('names the signal that forced the action, and describes it', () => {
      expect(reasonsOf([hit('TEST_C'), hit('TEST_FORCE_HOLD')]).summary).toEqual({
        ja: '判定: 保留（TEST_FORCE_HOLD により強制、スコア 4、理由 2 件）：TEST_FORCE_HOLD の説明',
        en: 'Verdict: hold (forced by TEST_FORCE_HOLD, score 4, 2 reasons): TEST_FORCE_HOLD description',
      });
    });

    it('describes an unknown top signal by its name', () => {
      const scored: Scored = {
        action: 'warn',
        score: 1,
        hits: [{ ...hit('TEST_GONE'), group: 'x', weight: 1, score: 1 }],
      };
      expect(explain(scored, describeSignal).summary.en).toBe('Verdict: warn (score 1, 1 reason): TEST_GONE');
    });

    it('says when the allow or deny list decided', () => {
      const base = { score: 0, hits: [] };
      const allow = explain(
        {
          ...base,
          action: 'allow',
          forced: { action: 'allow', by: 'POLICY_ALLOW_LISTED', kind: 'allow_override' },
        },
        describeSignal,
      );
      expect(allow.summary).toEqual({
        ja: '許可リストに一致したため許可',
        en: 'allow: matched the allow list',
      });
      const deny = explain(
        {
          ...base,
          action: 'hold',
          forced: { action: 'hold', by: 'POLICY_DENY_LISTED', kind: 'deny_override' },
        },
        describeSignal,
      );
      expect(deny.summary).toEqual({ ja: '拒否リストに一致したため保留', en: 'hold: matched the deny list' });
    });
  });
});
