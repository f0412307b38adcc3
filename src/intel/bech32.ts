import { bech32, bech32m } from 'bech32';

/**
 * SegWit address decoding (BIP 173 / BIP 350) for the crypto-address
 * normaliser (measure M2). The Bech32 and Bech32m checksums, the character
 * set and the 5-to-8-bit regrouping are the `bech32` package's (bitcoinjs);
 * what is kept here is only the SegWit layer on top of it (witness version,
 * program length, which checksum each version needs), which that package
 * leaves to its callers and no small, well-kept package offers alone.
 */
export type Bech32Encoding = 'bech32' | 'bech32m';

/**
 * Decode a Bech32/Bech32m string: its human-readable part, 5-bit data
 * (checksum removed) and encoding. Lower-case input only: the normaliser
 * lower-cases an all-upper-case address itself and refuses a mixed-case one.
 *
 * @example bech32Decode('a12uel5l') // { hrp: 'a', data: [], encoding: 'bech32' }
 */
export function bech32Decode(
  s: string,
): { hrp: string; data: number[]; encoding: Bech32Encoding } | undefined {
  if (s !== s.toLowerCase()) return undefined;
  const classic = bech32.decodeUnsafe(s);
  if (classic) return { hrp: classic.prefix, data: classic.words, encoding: 'bech32' };
  const modern = bech32m.decodeUnsafe(s);
  if (modern) return { hrp: modern.prefix, data: modern.words, encoding: 'bech32m' };
  return undefined;
}

/**
 * Decode a SegWit address (BIP 173/350) for the given human-readable part:
 * version 0 needs Bech32 and a 20- or 32-byte program, versions 1–16 need
 * Bech32m and 2–40 bytes.
 *
 * @example decodeSegwitAddress('bc', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4')?.version // 0
 */
export function decodeSegwitAddress(
  hrp: string,
  address: string,
): { version: number; program: Uint8Array } | undefined {
  const decoded = bech32Decode(address);
  if (!decoded || decoded.hrp !== hrp || decoded.data.length < 1) return undefined;
  const version = decoded.data[0]!;
  if (version > 16) return undefined;
  // fromWordsUnsafe refuses padding of 5 bits or more, or non-zero padding, as BIP 173 asks.
  const program = bech32.fromWordsUnsafe(decoded.data.slice(1));
  if (!program || program.length < 2 || program.length > 40) return undefined;
  if (version === 0 && program.length !== 20 && program.length !== 32) return undefined;
  if ((version === 0) !== (decoded.encoding === 'bech32')) return undefined;
  return { version, program: Uint8Array.from(program) };
}
