import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters for API key secrets (N = 2^14, r = 8, p = 1: about 16 MiB and tens of ms). */
const N = 16_384;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/**
 * Hash a secret for storage as `scrypt$N$r$p$salt$hash` (salt and hash in
 * base64url). The parameters travel with the hash so they can be raised later
 * without invalidating stored keys.
 */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, N, R, P, HASH_BYTES);
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Whether `secret` matches a stored `scrypt$…` hash; false for a hash it cannot read. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? '', 'base64url');
  const expected = Buffer.from(parts[5] ?? '', 'base64url');
  const valid = (x: number, max: number) => Number.isSafeInteger(x) && x > 0 && x <= max;
  if (!valid(n, 2 ** 20) || !valid(r, 32) || !valid(p, 16) || expected.length === 0) return false;
  try {
    return timingSafeEqual(await derive(secret, salt, n, r, p, expected.length), expected);
  } catch {
    return false; // parameters scrypt refuses (N not a power of two…): not a hash we wrote
  }
}

function derive(
  secret: string,
  salt: Buffer,
  n: number,
  r: number,
  p: number,
  length: number,
): Promise<Buffer> {
  // The default maxmem (32 MiB) is just above N=2^14, r=8; allow stored hashes with larger parameters.
  const maxmem = 128 * n * r * p + 32 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, { N: n, r, p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
