import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastIndicatorInput } from './indicator-input-fast.ts';
import { indicatorInputSchema } from './indicator-schemas.ts';

// Values near every edge the schema draws: types, enums, bounds, text the text rule refuses, wrong kinds.
const anyOf = (...values: unknown[]) => fc.constantFrom(...values);
const field = {
  type: anyOf('domain', 'ip', 'url', 'email', 'phone', 'card', 'identity', 'Domain', 'nope', 1, null),
  value: fc.oneof(
    fc.string({ maxLength: 20 }),
    anyOf('', ' ', 'x'.repeat(8192), 'x'.repeat(8193), 'example.com', 42, null, { name: 'a' }),
  ),
  verdict: anyOf('malicious', 'suspicious', 'benign', 'evil', '', 'MALICIOUS', 3),
  confidence: anyOf(0, 50, 100, -1, 101, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '80', null),
  source: fc.oneof(
    fc.string({ maxLength: 10 }),
    anyOf(
      'feed',
      '  feed  ',
      '',
      '   ',
      'a\u202Eb',
      'a\u200Bb',
      'nul\u0000',
      'x'.repeat(200),
      ` ${'x'.repeat(199)}`,
      'x'.repeat(201),
      7,
    ),
  ),
  scope: anyOf('org', 'partners', 'public', 'private', ''),
  hashed: anyOf(true, false, 'true', 0),
  tags: anyOf([], ['a'], ['a', 'a']),
  description: anyOf('d', ''),
  firstSeen: anyOf('2026-01-01T00:00:00Z', 'yesterday'),
  extra: anyOf('x'),
};
const inputs = fc.oneof(
  fc.record(field, { requiredKeys: [] }),
  fc.record(
    { type: field.type, value: field.value, verdict: field.verdict, source: field.source },
    { requiredKeys: ['type', 'value'] },
  ),
  fc.record({ type: anyOf('domain'), value: anyOf('a.example'), source: anyOf(undefined) }),
);

describe('fastIndicatorInput', () => {
  it('accepts only what the schema accepts, and gives what the schema gives (property)', () => {
    let taken = 0;
    fc.assert(
      fc.property(inputs, (input) => {
        const fast = fastIndicatorInput(input);
        if (fast === undefined) return;
        taken++;
        const parsed = indicatorInputSchema.safeParse(input);
        expect(parsed.success).toBe(true);
        expect(fast).toEqual(parsed.data);
      }),
      { numRuns: 5_000 },
    );
    // The fast path is really taken, not always declined.
    expect(taken).toBeGreaterThan(100);
  });

  it('takes the common import line and leaves the rest to the schema', () => {
    expect(
      fastIndicatorInput({ type: 'domain', value: 'a.example', source: ' feed ', confidence: 80 }),
    ).toEqual({
      type: 'domain',
      value: 'a.example',
      verdict: 'malicious',
      confidence: 80,
      source: 'feed',
      scope: 'org',
      tags: [],
    });
    for (const other of [
      { type: 'identity', value: 'x' },
      { type: 'domain', value: 'a.example', tags: ['t'] },
      { type: 'domain', value: 'a.example', source: undefined },
      { type: 'domain', value: 'a.example', confidence: 1.5 },
      { type: 'domain', value: 'a.example', source: 'a\u202Eb' },
      { type: 'domain', value: '' },
      Object.assign(Object.create({ inherited: 1 }), { type: 'domain', value: 'a.example' }),
      ['domain'],
      null,
    ])
      expect(fastIndicatorInput(other), JSON.stringify(other)).toBeUndefined();
  });
});
