import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid } from '../../test/intel/expect-invalid.ts';
import { INDICATOR_TYPES, isMamoruError, SENSITIVE_INDICATOR_TYPES } from '../core/index.ts';
import { indicatorValue } from './indicator-value.ts';
import { createKeyedHasher, isKeyedHash } from './keyed-hash.ts';
import { normaliseIndicator } from './normalise-indicator.ts';

const KEY = 'test-key-0123456789abcdef';
const hasher = createKeyedHasher(KEY);

describe('createKeyedHasher (M3, T2)', () => {
  it('is HMAC-SHA256 over a type-separated, versioned message', () => {
    const expected = createHmac('sha256', KEY).update('mamoru:v1:card:4111111111111111').digest('hex');
    expect(hasher.hash('card', '4111111111111111')).toBe(expected);
    expect(isKeyedHash(expected)).toBe(true);
  });

  it('separates types and keys', () => {
    expect(hasher.hash('card', '123456789012')).not.toBe(hasher.hash('bank_account', '123456789012'));
    expect(createKeyedHasher(new TextEncoder().encode(KEY)).hash('card', 'x')).toBe(hasher.hash('card', 'x'));
    expect(createKeyedHasher(`${KEY}!`).hash('card', 'x')).not.toBe(hasher.hash('card', 'x'));
  });

  it('refuses a short key', () => {
    expect(() => createKeyedHasher('short')).toThrow(/at least 16 bytes/);
  });
});

describe('indicatorValue', () => {
  it('hashes sensitive types and never returns their raw value', () => {
    const card = indicatorValue('card', '4111 1111 1111 1111', hasher);
    expect(card).toBe(hasher.hash('card', '4111111111111111'));
    expect(card).not.toContain('4111');
    expect(indicatorValue('bank_account', '0001-123-普通-1234567', hasher)).toBe(
      hasher.hash('bank_account', 'jp:0001:123:1:1234567'),
    );
    expect(indicatorValue('identity', { name: '山田太郎', birthdate: '1980-01-02' }, hasher)).toBe(
      hasher.hash('identity', '山田太郎|1980-01-02||'),
    );
  });

  it('keeps ordinary types in canonical form', () => {
    expect(indicatorValue('phone', '090-1234-5678', hasher)).toBe('+819012345678');
  });

  it('accepts an already-hashed sensitive value, lower-cased', () => {
    const h = hasher.hash('card', '4111111111111111');
    expect(indicatorValue('card', h.toUpperCase(), hasher, { hashed: true })).toBe(h);
  });

  it('refuses a malformed hash, or a hash for an ordinary type', () => {
    expectInvalid(() => indicatorValue('card', 'abc', hasher, { hashed: true }), /64 hex/);
    expectInvalid(
      () => indicatorValue('phone', 'a'.repeat(64), hasher, { hashed: true }),
      /only bank_account/,
    );
  });

  it('property: sensitive values are always 64 hex digits, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SENSITIVE_INDICATOR_TYPES),
        fc.string({ maxLength: 40 }),
        (type, raw) => {
          try {
            expect(isKeyedHash(indicatorValue(type, raw, hasher))).toBe(true);
          } catch (error) {
            expect(isMamoruError(error) && error.code === 'invalid_indicator').toBe(true);
          }
        },
      ),
    );
  });
});

describe('normaliseIndicator', () => {
  it('property: for every type, only invalid_indicator is thrown and the result is a fixed point', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...INDICATOR_TYPES),
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.string({ unit: 'grapheme', maxLength: 20 }),
          fc.webUrl(),
          fc.emailAddress(),
        ),
        (type, raw) => {
          let once: string;
          try {
            once = normaliseIndicator(type, raw);
          } catch (error) {
            expect(isMamoruError(error) && error.code === 'invalid_indicator', String(error)).toBe(true);
            return;
          }
          expect(normaliseIndicator(type, once)).toBe(once);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('refuses a non-string for every type but identity, and over-long input', () => {
    expectInvalid(() => normaliseIndicator('phone', { name: 'x' }), /string/);
    expectInvalid(() => normaliseIndicator('url', `http://example.com/${'a'.repeat(9000)}`), /longer/);
    expectInvalid(() => normaliseIndicator('url', `http://example.com/${'%20'.repeat(2000)}`), /2048/);
  });
});
