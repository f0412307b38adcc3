import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  compilePolicy,
  matchOverride,
  overrideKey,
  type PolicyDocumentInput,
  policyDocumentSchema,
  policyIssues,
} from './policy.ts';
import { POLICY_SIGNALS } from './signals.ts';
import { policy, signal } from './testing.ts';

const SIGNALS = [
  ...POLICY_SIGNALS,
  signal('TEST_A', 2, { group: 'a' }),
  signal('TEST_B', 3, { group: 'b', forceAction: 'hold' }),
];

const base = { id: 'msg-default', channel: 'message' };

/** The paths zod names for a bad document. */
function paths(doc: unknown): string[] {
  const parsed = policyDocumentSchema.safeParse(doc);
  expect(parsed.success).toBe(false);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
}

describe('policy schema', () => {
  it('fills defaults for a minimal document', () => {
    expect(policyDocumentSchema.parse(base)).toEqual({
      ...base,
      thresholds: {},
      signals: {},
      groups: {},
      detectors: {},
      overrides: { allow: [], deny: [], denyAction: 'block' },
      caseSlaHours: {},
      settings: {},
    });
  });

  it('accepts a full document (near miss for every rejection below)', () => {
    const doc: PolicyDocumentInput = {
      ...base,
      description: '標準ポリシー',
      thresholds: { warn: 2, step_up: 4, review: 6, hold: 8, block: 10, freeze: 20 },
      signals: { MSG_URL_SHORTENER: { weight: 1.5, forceAction: null, enabled: true } },
      groups: { url: { maxScore: 5 } },
      detectors: { 'message.url': { enabled: false, budgetMs: 100 } },
      overrides: {
        allow: [{ type: 'phone', value: '+819012345678', reason: '本社' }],
        deny: [],
        denyAction: 'hold',
      },
      caseSlaHours: { review: 24, hold: 4 },
      settings: { lineCap: 5 },
    };
    expect(policyDocumentSchema.safeParse(doc).success).toBe(true);
  });

  it.each([
    ['an id with capitals', { ...base, id: 'Msg' }, 'id'],
    ['an empty channel', { ...base, channel: '' }, 'channel'],
    ['an unknown top-level key', { ...base, weights: {} }, ''],
    ['a threshold that is text', { ...base, thresholds: { block: '10' } }, 'thresholds.block'],
    ['a threshold for allow', { ...base, thresholds: { allow: 0 } }, 'thresholds'],
    [
      'an infinite threshold',
      { ...base, thresholds: { block: Number.POSITIVE_INFINITY } },
      'thresholds.block',
    ],
    [
      'a threshold not above a less severe one',
      { ...base, thresholds: { warn: 5, block: 5 } },
      'thresholds.block',
    ],
    [
      'thresholds out of order',
      { ...base, thresholds: { review: 10, hold: 3, block: 20 } },
      'thresholds.hold',
    ],
    [
      'a signal key that is not a signal name',
      { ...base, signals: { 'msg.url': { weight: 1 } } },
      'signals.msg.url',
    ],
    ['a NaN weight', { ...base, signals: { MSG_X: { weight: Number.NaN } } }, 'signals.MSG_X.weight'],
    ['a weight past the limit', { ...base, signals: { MSG_X: { weight: 1e7 } } }, 'signals.MSG_X.weight'],
    [
      'an unknown forced action',
      { ...base, signals: { MSG_X: { forceAction: 'nuke' } } },
      'signals.MSG_X.forceAction',
    ],
    ['an unknown signal setting', { ...base, signals: { MSG_X: { score: 1 } } }, 'signals.MSG_X'],
    ['a zero group cap', { ...base, groups: { url: { maxScore: 0 } } }, 'groups.url.maxScore'],
    ['a zero budget', { ...base, detectors: { 'a.b': { budgetMs: 0 } } }, 'detectors.a.b.budgetMs'],
    [
      'a budget over a minute',
      { ...base, detectors: { 'a.b': { budgetMs: 60_001 } } },
      'detectors.a.b.budgetMs',
    ],
    [
      'an unknown indicator type',
      { ...base, overrides: { allow: [{ type: 'shoe', value: 'x' }] } },
      'overrides.allow.0.type',
    ],
    [
      'an empty override value',
      { ...base, overrides: { deny: [{ type: 'url', value: '' }] } },
      'overrides.deny.0.value',
    ],
    ['an unknown deny action', { ...base, overrides: { denyAction: 'nuke' } }, 'overrides.denyAction'],
    ['a deny action of allow', { ...base, overrides: { denyAction: 'allow' } }, 'overrides.denyAction'],
    ['a case SLA for block', { ...base, caseSlaHours: { block: 1 } }, 'caseSlaHours'],
    ['a case SLA over a year', { ...base, caseSlaHours: { review: 24 * 366 } }, 'caseSlaHours.review'],
  ])('rejects %s, naming the path', (_what, doc, path) => {
    expect(paths(doc)).toContain(path);
  });

  it('keeps a prototype key out of the parsed signals', () => {
    const doc = policyDocumentSchema.parse(
      JSON.parse(`{"id":"p","channel":"c","signals":{"__proto__":{"weight":9}}}`),
    );
    expect(Object.keys(doc.signals)).toEqual([]);
    const compiled = compilePolicy(
      { version: 1, document: { ...doc, signals: Object.create({ TEST_A: { weight: 9 } }) } },
      SIGNALS,
    );
    expect(compiled.signals.get('TEST_A')?.weight).toBe(2);
  });

  it('checks the threshold order by severity, not by key order', () => {
    expect(policyDocumentSchema.safeParse({ ...base, thresholds: { block: 10, warn: 1 } }).success).toBe(
      true,
    );
    expect(
      z.prettifyError(policyDocumentSchema.safeParse({ ...base, thresholds: { block: 1, warn: 1 } }).error!),
    ).toContain('must be above the warn threshold (1)');
  });
});

describe('compilePolicy', () => {
  it('applies the policy to the declared signals', () => {
    const c = compilePolicy(
      policy({
        channel: 'test',
        thresholds: { warn: 1, block: 9, review: 4 },
        signals: { TEST_A: { weight: 5, forceAction: 'review' }, TEST_B: { enabled: false } },
        groups: { a: { maxScore: 3 }, empty: {} },
        detectors: { 'test.x': { enabled: false }, 'test.y': { budgetMs: 70 } },
        overrides: {
          allow: [{ type: 'email', value: 'a@example.jp' }],
          deny: [{ type: 'url', value: 'http://x/', reason: 'phish' }],
        },
      }),
      SIGNALS,
    );
    expect(c.signals.get('TEST_A')).toMatchObject({ weight: 5, forceAction: 'review', enabled: true });
    expect(c.signals.get('TEST_B')).toMatchObject({ weight: 3, forceAction: 'hold', enabled: false });
    expect(c.thresholds).toEqual([
      ['block', 9],
      ['review', 4],
      ['warn', 1],
    ]);
    expect([...c.groupMax]).toEqual([['a', 3]]);
    expect([...c.disabledDetectors]).toEqual(['test.x']);
    expect([...c.budgets]).toEqual([['test.y', 70]]);
    expect(c.allow.get(overrideKey('email', 'a@example.jp'))).toBe('');
    expect(c.deny.get(overrideKey('url', 'http://x/'))).toBe('phish');
    expect(c.denyAction).toBe('block');
  });

  it('keeps declared weights and forced actions the policy does not touch', () => {
    const c = compilePolicy(policy(), SIGNALS);
    expect(c.signals.get('TEST_B')).toMatchObject({ weight: 3, forceAction: 'hold', enabled: true });
    expect(c.signals.get('TEST_A')?.forceAction).toBeUndefined();
  });

  it('disables a declared forced action with null', () => {
    const c = compilePolicy(policy({ signals: { TEST_B: { forceAction: null } } }), SIGNALS);
    expect(c.signals.get('TEST_B')?.forceAction).toBeUndefined();
  });

  it('ignores settings for the engine’s own signals', () => {
    const c = compilePolicy(
      policy({ signals: { POLICY_DENY_LISTED: { weight: 50, enabled: false } } }),
      SIGNALS,
    );
    expect(c.signals.get('POLICY_DENY_LISTED')).toMatchObject({ weight: 0, enabled: true });
  });
});

describe('matchOverride', () => {
  const c = compilePolicy(
    policy({
      overrides: {
        allow: [{ type: 'phone', value: '+819011112222' }],
        deny: [{ type: 'phone', value: '+819033334444', reason: 'mule' }],
      },
    }),
    SIGNALS,
  );
  const allowed = { type: 'phone', value: '+819011112222' } as const;
  const denied = { type: 'phone', value: '+819033334444' } as const;

  it('finds an allow-listed indicator', () => {
    expect(matchOverride(c, [allowed])).toEqual({ list: 'allow', indicator: allowed, reason: '' });
  });

  it('lets a deny entry win wherever it appears', () => {
    expect(matchOverride(c, [allowed, denied])).toEqual({ list: 'deny', indicator: denied, reason: 'mule' });
    expect(matchOverride(c, [denied, allowed])?.list).toBe('deny');
  });

  it('matches nothing for another type or value (near miss)', () => {
    expect(matchOverride(c, [{ type: 'email', value: '+819011112222' }])).toBeUndefined();
    expect(matchOverride(c, [{ type: 'phone', value: '+81901111222' }])).toBeUndefined();
    expect(matchOverride(c, [])).toBeUndefined();
  });
});

describe('policyIssues', () => {
  const declared = new Set(SIGNALS.map((s) => s.name));
  const detectors = new Set(['test.a']);
  const groups = new Set(['a', 'b', 'policy']);

  it('finds nothing wrong with a policy naming only what exists', () => {
    const doc = policy({
      signals: { TEST_A: { weight: 1 } },
      detectors: { 'test.a': { enabled: false } },
      groups: { a: { maxScore: 1 } },
    });
    expect(policyIssues(doc.document, 'test', declared, detectors, groups)).toEqual([]);
  });

  it('names a channel mismatch, unknown signals, detectors and groups, and the engine’s own signals', () => {
    const doc = policy({
      channel: 'mail',
      signals: { TEST_C: { weight: 1 }, POLICY_ALLOW_LISTED: { weight: 1 } },
      detectors: { 'test.b': { enabled: false } },
      groups: { c: { maxScore: 1 } },
    });
    expect(policyIssues(doc.document, 'test', declared, detectors, groups)).toEqual([
      { path: 'channel', message: 'must be test' },
      { path: 'signals.TEST_C', message: 'unknown signal for this channel' },
      {
        path: 'signals.POLICY_ALLOW_LISTED',
        message:
          "the engine's own signal: use the policy's overrides (allow and deny lists; overrides.denyAction)",
      },
      { path: 'detectors.test.b', message: 'unknown detector for this channel' },
      { path: 'groups.c', message: 'unknown signal group for this channel' },
    ]);
  });

  it('does not check groups when not given them', () => {
    const doc = policy({ groups: { c: { maxScore: 1 } } });
    expect(policyIssues(doc.document, 'test', declared, detectors)).toEqual([]);
  });
});
