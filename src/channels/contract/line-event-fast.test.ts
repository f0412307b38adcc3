import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastLineEvent } from './line-event-fast.ts';
import { lineEventSchema } from './lines-schema.ts';

const anyOf = (...values: unknown[]) => fc.constantFrom(...values);
const KEY = 'ab'.repeat(32);
// Values near every edge the schema draws: lengths, text it refuses, hashes, enums, calendar dates and years.
const field = {
  lineId: fc.oneof(
    fc.string({ maxLength: 8 }),
    anyOf(
      'L1',
      ' L2 ',
      '',
      '  ',
      'x'.repeat(100),
      ` ${'x'.repeat(100)} `,
      'x'.repeat(101),
      'a\u0000b',
      '\uD800',
      5,
    ),
  ),
  holderKey: anyOf(KEY, KEY.toUpperCase(), KEY.slice(1), `${KEY}0`, 'g'.repeat(64), ` ${KEY}`, 7),
  holderType: anyOf('person', 'corporation', 'Person'),
  simType: anyOf('voice', 'data_sms', 'data', 'tv', ''),
  status: anyOf('active', 'suspended', 'cancelled', 'gone'),
  contractedAt: anyOf(
    '2025-04-01',
    '2024-02-29',
    '2023-02-29',
    '2025-13-01',
    '2025-04-31',
    '2025-4-01',
    '1900-01-01',
    '1900-01-02',
    '2199-12-31',
    '2200-01-01',
    '0099-01-01',
    '2025-04-01T00:00:00+09:00',
    '',
    20250401,
  ),
  cancelledAt: anyOf('2025-05-01'),
  salesChannel: anyOf('shop', 'agency', 'online', 'web'),
  outlet: anyOf('shop:1', ' shop:2 ', '', 'x'.repeat(101)),
  holder: anyOf({ name: '山田 太郎', birthDate: '1980-01-02', address: '東京都千代田区千代田1-1' }),
  corporateNumber: anyOf('1234567890123'),
  registeredUserKey: anyOf(KEY),
  other: anyOf('x'),
};
// Mostly valid, one field off at a time: the second shape reaches the fast path often.
const mostly = (valid: fc.Arbitrary<unknown>, any: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: any, weight: 1 });
const inputs = fc.oneof(
  fc.record(field, { requiredKeys: [] }),
  fc.record(
    {
      lineId: mostly(anyOf('L1', ' L2 '), field.lineId),
      holderKey: mostly(anyOf(KEY), field.holderKey),
      simType: mostly(anyOf('voice', 'data'), field.simType),
      status: field.status,
      contractedAt: field.contractedAt,
      outlet: field.outlet,
      salesChannel: field.salesChannel,
    },
    { requiredKeys: ['lineId', 'holderKey', 'simType'] },
  ),
);

describe('fastLineEvent', () => {
  it('accepts only what the schema accepts, and gives what the schema gives (property)', () => {
    let taken = 0;
    fc.assert(
      fc.property(inputs, (input) => {
        const fast = fastLineEvent(input);
        if (fast === undefined) return;
        taken++;
        const parsed = lineEventSchema.safeParse(input);
        expect(parsed.success, JSON.stringify(input)).toBe(true);
        expect(fast).toEqual(parsed.data);
      }),
      { numRuns: 5_000 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it('takes the common import line and leaves the rest to the schema', () => {
    expect(
      fastLineEvent({
        lineId: ' L1 ',
        holderKey: KEY.toUpperCase(),
        simType: 'voice',
        contractedAt: '2025-04-01',
      }),
    ).toEqual({
      lineId: 'L1',
      holderKey: KEY,
      holderType: 'person',
      simType: 'voice',
      status: 'active',
      contractedAt: new Date('2025-03-31T15:00:00Z'),
    });
    for (const other of [
      { lineId: 'L1', holder: { name: 'a' }, simType: 'voice' },
      { lineId: 'L1', holderKey: KEY, simType: 'voice', status: 'cancelled', cancelledAt: '2025-05-01' },
      { lineId: 'L1', holderKey: KEY, simType: 'voice', contractedAt: '2025-02-30' },
      { lineId: 'L1', holderKey: KEY, simType: 'voice', contractedAt: '1900-01-01' },
      { lineId: 'L1', holderKey: KEY, simType: 'voice', contractedAt: undefined },
      Object.assign(Object.create(null), { lineId: 'L1', holderKey: KEY, simType: 'tv' }),
    ])
      expect(fastLineEvent(other), JSON.stringify(other)).toBeUndefined();
    // A JSON line's row has no prototype: still taken.
    expect(
      fastLineEvent(Object.assign(Object.create(null), { lineId: 'L1', holderKey: KEY, simType: 'data' })),
    ).toBeDefined();
  });
});
