import { createHash } from 'node:crypto';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const INDEX = new Map([...ALPHABET].map((c, i) => [c, BigInt(i)]));

/** Decode base58 (Bitcoin alphabet); undefined for a character outside it. */
export function base58Decode(s: string): Uint8Array | undefined {
  let value = 0n;
  for (const c of s) {
    const digit = INDEX.get(c);
    if (digit === undefined) return undefined;
    value = value * 58n + digit;
  }
  const bytes: number[] = [];
  while (value > 0n) {
    bytes.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  // Each leading '1' stands for one leading zero byte.
  for (let i = 0; i < s.length && s[i] === '1'; i++) bytes.unshift(0);
  return Uint8Array.from(bytes);
}

/**
 * Decode base58check: the payload (version byte first) when the last four
 * bytes are the first four of SHA-256(SHA-256(payload)); undefined otherwise.
 */
export function base58CheckDecode(s: string): Uint8Array | undefined {
  const bytes = base58Decode(s);
  if (!bytes || bytes.length < 5) return undefined;
  const payload = bytes.subarray(0, -4);
  const checksum = doubleSha256(payload).subarray(0, 4);
  return checksum.every((b, i) => b === bytes[bytes.length - 4 + i]) ? payload : undefined;
}

function doubleSha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}
