import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/**
 * A time-ordered id with a type prefix (`dec_…`, `case_…`): 48 bits of
 * milliseconds, a 16-bit sequence within the millisecond, 64 random bits, in
 * lower-case base32 (Crockford). Sortable as text, so newest-first listings
 * need no extra column.
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now === lastMs) seq = (seq + 1) & 0xffff;
  else {
    lastMs = now;
    seq = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes.writeUInt16BE(seq, 6);
  return `${prefix}_${base32(bytes)}`;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
