import { createHmac, createSecretKey } from 'node:crypto';
import type { IndicatorType } from '../core/index.ts';

/** A keyed hash of canonical indicator values (HMAC-SHA256, hex). */
export interface KeyedHasher {
  /** `HMAC-SHA256(key, "mamoru:v1:<type>:" + canonical)` as 64 lower-case hex digits. */
  hash(type: IndicatorType, canonical: string): string;
}

/** Shortest key accepted: 128 bits. */
export const MIN_KEY_BYTES = 16;

/** True for a value already in keyed-hash form (64 hex digits). */
export function isKeyedHash(value: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(value);
}

/**
 * Create the keyed hasher for sensitive indicators (measures M3 and T2:
 * mule accounts and compromised cards are shared, never their numbers).
 * Bank accounts, cards and identities are stored, looked up, returned and
 * shared only as this hash; the raw value never reaches the database.
 *
 * The key is secret and is the same for every organisation of one sharing
 * network (distributed out of band): equal values then hash equally across
 * partners, while someone holding a leaked database or feed cannot recover
 * the values by hashing every card number or account (they are too few for
 * a plain hash to protect). The `mamoru:v1:<type>:` prefix separates the
 * types (a card number and an account number with the same digits never
 * collide) and versions the scheme.
 *
 * @throws Error when the key is shorter than {@link MIN_KEY_BYTES} — a
 *   configuration error, raised at start.
 * @example
 * const hasher = createKeyedHasher(process.env.MAMORU_INTEL_KEY!);
 * hasher.hash('card', '4111111111111111') // '…64 hex…'
 */
export function createKeyedHasher(key: Uint8Array | string): KeyedHasher {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (bytes.length < MIN_KEY_BYTES) throw new Error(`intel hash key must be at least ${MIN_KEY_BYTES} bytes`);
  // A KeyObject made once: HMAC with it is about five times faster than importing the raw key on every call.
  const secret = createSecretKey(bytes);
  bytes.fill(0);
  return Object.freeze({
    hash(type: IndicatorType, canonical: string): string {
      return createHmac('sha256', secret).update(`mamoru:v1:${type}:${canonical}`, 'utf8').digest('hex');
    },
  });
}
