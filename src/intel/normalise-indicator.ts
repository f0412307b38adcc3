import { assertNever, type IndicatorType } from '../core/index.ts';
import { invalidIndicator } from './invalid-indicator.ts';
import { normaliseBankAccount } from './normalise-bank-account.ts';
import { normaliseCard } from './normalise-card.ts';
import { normaliseCryptoAddress } from './normalise-crypto-address.ts';
import { normaliseDomain } from './normalise-domain.ts';
import { normaliseEmail } from './normalise-email.ts';
import { type IdentityAttributes, normaliseIdentity } from './normalise-identity.ts';
import { normaliseIp } from './normalise-ip.ts';
import { normalisePhone } from './normalise-phone.ts';
import { normaliseUrl } from './normalise-url.ts';

/**
 * The longest canonical value stored. It keeps every value well inside a
 * PostgreSQL b-tree index entry (the `(type, value)` lookup index).
 */
export const MAX_VALUE_LENGTH = 2048;

/**
 * Normalise a raw value of any indicator type to its canonical form (for
 * sensitive types, the canonical form that is then hashed — never stored).
 * Pure; throws only `MamoruError('invalid_indicator')`.
 *
 * @example normaliseIndicator('phone', '090-1234-5678') // '+819012345678'
 */
export function normaliseIndicator(type: IndicatorType, raw: string | IdentityAttributes): string {
  if (type !== 'identity' && typeof raw !== 'string') throw invalidIndicator(type, 'must be a string');
  const value = normaliseByType(type, raw);
  if (value.length > MAX_VALUE_LENGTH)
    throw invalidIndicator(type, `is longer than ${MAX_VALUE_LENGTH} characters once normalised`);
  return value;
}

function normaliseByType(type: IndicatorType, raw: string | IdentityAttributes): string {
  switch (type) {
    case 'phone':
      return normalisePhone(raw as string);
    case 'url':
      return normaliseUrl(raw as string);
    case 'domain':
      return normaliseDomain(raw as string);
    case 'email':
      return normaliseEmail(raw as string);
    case 'ip':
      return normaliseIp(raw as string);
    case 'bank_account':
      return normaliseBankAccount(raw as string);
    case 'card':
      return normaliseCard(raw as string);
    case 'identity':
      return normaliseIdentity(raw);
    case 'crypto_address':
      return normaliseCryptoAddress(raw as string);
    default:
      return assertNever(type, 'indicator type');
  }
}
