import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDifferences, mergeSettings, resolvePolicy, unwrapPolicyInput } from './merge-policy.ts';
import { policyDocumentSchema } from './policy.ts';

/** A channel default shaped like a line channel's: thresholds, forced actions, caps, SLAs and nested settings. */
const DEFAULT = policyDocumentSchema.parse({
  id: 'lines.default',
  channel: 'lines',
  description: '既定 / default',
  thresholds: { step_up: 4, review: 6 },
  signals: {
    LINES_VELOCITY: { forceAction: 'review' },
    LINES_KYC_MISSING: { forceAction: 'block' },
  },
  groups: { kyc: { maxScore: 12 }, line_cap: { maxScore: 6 } },
  caseSlaHours: { review: 72, step_up: 24 },
  settings: {
    lineCaps: { person: { voice: 5, data: 10 }, corporation: { voice: 100, data: null } },
    exemptProducts: ['tourist_prepaid', 'iot_module'],
  },
});

const resolve = (layer: Record<string, unknown>) => {
  const r = resolvePolicy(DEFAULT, layer);
  expect(r.issues).toEqual([]);
  return { ...r, doc: policyDocumentSchema.parse(r.merged) };
};

describe('resolvePolicy: a layer over the channel default', () => {
  it('an empty layer is the default, every part of it from the default', () => {
    const { doc, fromDefault } = resolve({});
    expect(doc).toEqual(DEFAULT);
    expect(fromDefault).toEqual(expect.arrayContaining(['id', 'thresholds', 'signals', 'settings']));
    expect(fromDefault).not.toContain('channel');
  });

  it('a layer with only settings keeps the thresholds, forced actions, caps and SLAs (the reported loss)', () => {
    const { doc, fromDefault } = resolve({ settings: { lineCaps: { person: { voice: 6 } } } });
    expect(doc.thresholds).toEqual({ step_up: 4, review: 6 });
    expect(doc.signals.LINES_VELOCITY).toEqual({ forceAction: 'review' });
    expect(doc.groups.kyc).toEqual({ maxScore: 12 });
    expect(doc.caseSlaHours).toEqual({ review: 72, step_up: 24 });
    expect(doc.settings).toEqual({
      lineCaps: { person: { voice: 6, data: 10 }, corporation: { voice: 100, data: null } },
      exemptProducts: ['tourist_prepaid', 'iot_module'],
    });
    expect(fromDefault).toEqual(
      expect.arrayContaining(['thresholds', 'settings.lineCaps.person.data', 'settings.exemptProducts']),
    );
    expect(fromDefault).not.toContain('settings.lineCaps.person.voice');
  });

  it('what the layer gives wins, key by key; a signal entry merges field by field', () => {
    const { doc, fromDefault } = resolve({
      id: 'carrier.family',
      thresholds: { review: 8, block: 20 },
      signals: { LINES_VELOCITY: { weight: 2 }, LINES_SHARED_DEVICE: { weight: 1 } },
    });
    expect(doc.id).toBe('carrier.family');
    expect(doc.thresholds).toEqual({ step_up: 4, review: 8, block: 20 });
    expect(doc.signals).toEqual({
      LINES_VELOCITY: { forceAction: 'review', weight: 2 },
      LINES_KYC_MISSING: { forceAction: 'block' },
      LINES_SHARED_DEVICE: { weight: 1 },
    });
    expect(fromDefault).toEqual(
      expect.arrayContaining([
        'thresholds.step_up',
        'signals.LINES_VELOCITY.forceAction',
        'signals.LINES_KYC_MISSING',
      ]),
    );
    expect(fromDefault).not.toContain('thresholds.review');
    expect(fromDefault).not.toContain('id');
  });

  it('null removes a default: a threshold, a group cap, a whole section; forceAction null means none', () => {
    const { doc } = resolve({
      thresholds: { step_up: null },
      signals: { LINES_VELOCITY: { forceAction: null }, LINES_KYC_MISSING: null },
      groups: { kyc: { maxScore: null } },
      caseSlaHours: null,
      description: null,
    });
    expect(doc.thresholds).toEqual({ review: 6 });
    // Kept as a value: it also overrides a forced action the signal declares itself.
    expect(doc.signals).toEqual({ LINES_VELOCITY: { forceAction: null } });
    expect(doc.groups).toEqual({ kyc: {}, line_cap: { maxScore: 6 } });
    expect(doc.caseSlaHours).toEqual({});
    expect(doc.description).toBeUndefined();
  });

  it('inside settings null is a value for the channel (no cap); settings: null gives the defaults back', () => {
    expect(resolve({ settings: { lineCaps: { person: { voice: null } } } }).doc.settings.lineCaps).toEqual({
      person: { voice: null, data: 10 },
      corporation: { voice: 100, data: null },
    });
    expect(resolve({ settings: null }).doc.settings).toEqual(DEFAULT.settings);
    // Lists are replaced whole, never merged item by item.
    expect(resolve({ settings: { exemptProducts: ['iot_module'] } }).doc.settings.exemptProducts).toEqual([
      'iot_module',
    ]);
  });

  it('lists of allow and deny entries are replaced whole; denyAction is kept unless given', () => {
    const base = policyDocumentSchema.parse({
      ...DEFAULT,
      overrides: { deny: [{ type: 'phone', value: '+819011112222' }], denyAction: 'review' },
    });
    const r = resolvePolicy(base, { overrides: { deny: [{ type: 'email', value: 'a@example.jp' }] } });
    expect(policyDocumentSchema.parse(r.merged).overrides).toEqual({
      allow: [],
      deny: [{ type: 'email', value: 'a@example.jp' }],
      denyAction: 'review',
    });
  });

  it('id and channel cannot be removed; a value of the wrong kind is left for the schema to name', () => {
    expect(resolvePolicy(DEFAULT, { id: null, channel: null }).issues.map((i) => i.path)).toEqual([
      'id',
      'channel',
    ]);
    const wrong = policyDocumentSchema.safeParse(resolvePolicy(DEFAULT, { thresholds: 5 }).merged);
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.path).toEqual(['thresholds']);
  });

  it('a layer never pollutes prototypes, whatever its keys', () => {
    const layer = JSON.parse('{"__proto__":{"polluted":1},"settings":{"__proto__":{"polluted":2}}}');
    const r = resolvePolicy(DEFAULT, layer);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(r.merged)).toBe(Object.prototype);
    expect(Object.hasOwn(r.merged, '__proto__')).toBe(true);
  });

  it('never throws on any JSON, and its result is plain JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const { layer } = unwrapPolicyInput(value);
        const r = resolvePolicy(DEFAULT, layer);
        const text = JSON.stringify(r.merged);
        expect(JSON.stringify(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it('every threshold the layer gives wins, null removes it, the rest is the default (property)', () => {
    const action = fc.constantFrom('warn', 'step_up', 'review', 'hold', 'block', 'freeze');
    const value = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 100 }));
    fc.assert(
      fc.property(fc.dictionary(action, value), (thresholds) => {
        const merged = resolvePolicy(DEFAULT, { thresholds }).merged.thresholds as Record<string, unknown>;
        for (const a of ['warn', 'step_up', 'review', 'hold', 'block', 'freeze']) {
          const expected = Object.hasOwn(thresholds, a)
            ? (thresholds[a] ?? undefined)
            : (DEFAULT.thresholds as Record<string, number>)[a];
          expect(merged[a]).toBe(expected);
        }
      }),
    );
  });
});

describe('mergeSettings', () => {
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.integer(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
      tie('object'),
    ),
    object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
  })).object as fc.Arbitrary<Record<string, unknown>>;

  it('every leaf given wins and every default leaf not given stays (property)', () => {
    fc.assert(
      fc.property(json, json, (base, given) => {
        const merged = mergeSettings(base, given);
        for (const [key, value] of Object.entries(given)) {
          const under = base[key];
          const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
          if (isObject(value) && isObject(under)) continue; // merged deeper: checked by recursion below
          expect(merged[key]).toEqual(value);
        }
        for (const key of Object.keys(base)) {
          if (!Object.hasOwn(given, key)) expect(merged[key]).toEqual(base[key]);
        }
        // Laying the same settings twice changes nothing more.
        expect(mergeSettings(merged, given)).toEqual(merged);
      }),
    );
  });
});

describe('unwrapPolicyInput: the policy show view is taken back as it is', () => {
  it('takes the document of a view, and of a view sent as a document', () => {
    const view = {
      channel: 'lines',
      version: 3,
      document: { thresholds: { review: 8 } },
      effective: { id: 'x' },
      fromDefault: ['id'],
      createdBy: 'key_1',
      createdAt: '2026-01-01T00:00:00.000Z',
      comment: 'why',
    };
    expect(unwrapPolicyInput(view)).toEqual({
      layer: { thresholds: { review: 8 } },
      effective: { id: 'x' },
      channel: 'lines',
      version: 3,
      issues: [],
    });
    expect(unwrapPolicyInput({ document: view }).layer).toEqual({ thresholds: { review: 8 } });
    expect(unwrapPolicyInput({ ...view, orgId: 'org_1' }).issues).toEqual([]);
  });

  it('a bare layer is the layer; a view with a field it does not have is refused naming it', () => {
    expect(unwrapPolicyInput({ settings: {} })).toEqual({ layer: { settings: {} }, issues: [] });
    expect(unwrapPolicyInput({ document: {}, extra: 1 }).issues).toEqual([
      { path: 'extra', message: 'is not a known field' },
    ]);
    expect(unwrapPolicyInput([1]).issues[0]?.path).toBe('(document)');
  });
});

describe('jsonDifferences', () => {
  it('ignores key order and names each differing path', () => {
    expect(jsonDifferences({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
    expect(jsonDifferences({ a: 1, b: { c: [1, 2] } }, { a: 2, b: { c: [1, 3] }, d: 0 }, 'x')).toEqual([
      'x.a',
      'x.b.c.1',
      'x.d',
    ]);
  });
});
