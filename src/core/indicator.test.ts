import { describe, expect, it } from 'vitest';
import { INDICATOR_TYPES, isSensitiveType, SENSITIVE_INDICATOR_TYPES } from './indicator.ts';

describe('indicator types', () => {
  it('treats bank accounts, cards and identities as sensitive, and nothing else', () => {
    expect(INDICATOR_TYPES.filter(isSensitiveType)).toEqual([...SENSITIVE_INDICATOR_TYPES]);
    expect(isSensitiveType('card')).toBe(true);
    expect(isSensitiveType('phone')).toBe(false);
    expect(isSensitiveType('crypto_address')).toBe(false);
  });
});
