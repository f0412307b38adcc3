import bs58check from 'bs58check';
import { decodeSegwitAddress } from './bech32.ts';
import { checkRaw, invalidIndicator } from './invalid-indicator.ts';

/** Chain names people write, mapped to the label used in the canonical form. */
const CHAIN_ALIASES: Readonly<Record<string, string>> = {
  bitcoin: 'btc',
  btc: 'btc',
  ethereum: 'eth',
  eth: 'eth',
  tron: 'trx',
  trx: 'trx',
};

const P2PKH = 0x00;
const P2SH = 0x05;
const TRON = 0x41;

/**
 * Normalise a crypto-asset address (measure M2: transfers to exchanges and
 * mule wallets) to `<chain>:<address>`:
 *
 * - Bitcoin: base58check P2PKH (`1…`) and P2SH (`3…`) with their checksum,
 *   and SegWit `bc1…` (Bech32 for v0, Bech32m for v1+) with its checksum,
 *   lower-cased → `btc:<address>`. Testnet addresses are refused.
 * - Ethereum and every EVM chain: `0x` + 40 hex → `eth:0x<lower case>` (the
 *   same key on every EVM chain; EIP-55 mixed case is not verified).
 * - TRON: base58check with version 0x41 (`T…`) → `trx:<address>`.
 * - Fallback for any other chain: the caller names it, `<chain>:<address>`
 *   (`xrp:r…`, `sol:…`); the chain is lower-cased, the address (16–128
 *   letters and digits) kept as given because most encodings are
 *   case-sensitive, and no checksum is checked. A bare address of an
 *   unknown form is refused rather than guessed.
 *
 * `bitcoin:…?amount=` (BIP 21) and `ethereum:…@1` (EIP-681) URIs are accepted.
 * Base58check is decoded by `bs58check`, Bech32/Bech32m by `bech32` (issue 8, item 9).
 *
 * @throws MamoruError `invalid_indicator` naming what is wrong.
 * @example normaliseCryptoAddress('0xAbC…') // 'eth:0xabc…'
 */
export function normaliseCryptoAddress(raw: string): string {
  const s = checkRaw('crypto_address', raw).normalize('NFKC').trim();
  if (s === '') throw invalidIndicator('crypto_address', 'is empty');
  const prefixed = /^([a-zA-Z][a-zA-Z0-9-]{1,15}):(.*)$/.exec(s);
  if (!prefixed) return bare(s);
  const label = prefixed[1]!.toLowerCase();
  const address = prefixed[2]!.split(/[?@/]/, 1)[0]!.trim();
  const chain = CHAIN_ALIASES[label];
  if (/^0x[0-9a-fA-F]{40}$/.test(address)) return `eth:${address.toLowerCase()}`;
  switch (chain) {
    case 'btc':
      return bitcoin(address) ?? fail('is not a valid Bitcoin address (checksum or format)');
    case 'eth':
      return fail('is not an Ethereum address (0x followed by 40 hex digits)');
    case 'trx':
      return tron(address) ?? fail('is not a valid TRON address (checksum or format)');
    default:
      if (!/^[A-Za-z0-9]{16,128}$/.test(address))
        return fail(`${label}: the address must be 16–128 letters and digits`);
      return `${label}:${address}`;
  }
}

function bare(s: string): string {
  if (/^0x[0-9a-fA-F]{40}$/.test(s)) return `eth:${s.toLowerCase()}`;
  if (/^0x/i.test(s)) return fail('looks like an EVM address but is not 0x followed by 40 hex digits');
  // A TRON address may begin "TB1", as an upper-case Bitcoin testnet address does: its checksum decides.
  const trx = /^T/.test(s) ? tron(s) : undefined;
  if (trx) return trx;
  if (/^(bc|tb|bcrt)1/i.test(s) || /^[13]/.test(s))
    return bitcoin(s) ?? fail('is not a valid Bitcoin address (checksum or format)');
  if (/^T/.test(s)) return tron(s) ?? fail('is not a valid TRON address (checksum or format)');
  return fail('is not a recognised address; give it as <chain>:<address> (for example xrp:r…)');
}

function bitcoin(s: string): string | undefined {
  if (/^(tb|bcrt)1/i.test(s)) fail('is a Bitcoin testnet address');
  if (/^bc1/i.test(s)) {
    // Bech32 is case-insensitive but never mixed-case.
    if (s !== s.toLowerCase() && s !== s.toUpperCase()) return undefined;
    const lower = s.toLowerCase();
    return decodeSegwitAddress('bc', lower) ? `btc:${lower}` : undefined;
  }
  if (s.length < 26 || s.length > 35) return undefined;
  const payload = bs58check.decodeUnsafe(s);
  if (payload?.length !== 21) return undefined;
  if (payload[0] === P2PKH || payload[0] === P2SH) return `btc:${s}`;
  return undefined;
}

function tron(s: string): string | undefined {
  if (s.length !== 34) return undefined;
  const payload = bs58check.decodeUnsafe(s);
  return payload?.length === 21 && payload[0] === TRON ? `trx:${s}` : undefined;
}

function fail(message: string): never {
  throw invalidIndicator('crypto_address', message);
}
