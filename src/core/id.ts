import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;

// One crypto call fills random bits for 512 ids: a call per id was a quarter of a verdict's cost.
const POOL = Buffer.alloc(8 * 512);
let poolAt = POOL.length;

/**
 * A time-ordered id with a type prefix (`dec_…`, `case_…`): 48 bits of
 * milliseconds, a 16-bit sequence within the millisecond, 64 random bits, in
 * lower-case base32 (Crockford). Sortable as text, so newest-first listings
 * need no extra column.
 *
 * Monotonic within the process: ids made later sort after earlier ones even
 * when more than 65,536 are made in one millisecond or the clock steps back
 * (the time part then runs slightly ahead of the clock).
 *
 * @example newId('dec') // 'dec_01jq…'
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else if (seq < 0xffff) {
    seq++;
  } else {
    lastMs++;
    seq = 0;
  }
  if (poolAt === POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes.writeUInt16BE(seq, 6);
  POOL.copy(bytes, 8, poolAt, poolAt + 8);
  poolAt += 8;
  return `${prefix}_${base32(bytes)}`;
}

/** The millisecond time an id made by {@link newId} carries. */
export function idTime(id: string): number {
  const body = id.slice(id.lastIndexOf('_') + 1, id.lastIndexOf('_') + 11);
  let ms = 0;
  for (const c of body) ms = ms * 32 + ALPHABET.indexOf(c);
  // 10 characters hold 50 bits; the time is the top 48.
  return Math.floor(ms / 4);
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
