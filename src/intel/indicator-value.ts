import { type IndicatorType, isSensitiveType } from '../core/index.ts';
import { invalidIndicator } from './invalid-indicator.ts';
import { isKeyedHash, type KeyedHasher } from './keyed-hash.ts';
import type { IdentityAttributes } from './normalise-identity.ts';
import { normaliseIndicator } from './normalise-indicator.ts';

/**
 * The value stored and looked up for a raw indicator: the canonical form for
 * ordinary types; the keyed hash of the canonical form for sensitive ones
 * (bank_account, card, identity). With `hashed: true` the raw value is
 * already that hash (64 hex digits, as a partner shares it) and is only
 * checked and lower-cased; only sensitive types may be given hashed.
 *
 * @throws MamoruError `invalid_indicator` naming what is wrong.
 * @example indicatorValue('card', '4111 1111 1111 1111', hasher) // '…64 hex…'
 */
export function indicatorValue(
  type: IndicatorType,
  raw: string | IdentityAttributes,
  hasher: KeyedHasher,
  options: { readonly hashed?: boolean | undefined } = {},
): string {
  if (options.hashed) {
    if (!isSensitiveType(type))
      throw invalidIndicator(type, 'only bank_account, card and identity are given as hashes', 'hashed');
    if (typeof raw !== 'string' || !isKeyedHash(raw))
      throw invalidIndicator(type, 'a hashed value must be 64 hex digits (HMAC-SHA256)');
    return raw.toLowerCase();
  }
  const canonical = normaliseIndicator(type, raw);
  return isSensitiveType(type) ? hasher.hash(type, canonical) : canonical;
}
