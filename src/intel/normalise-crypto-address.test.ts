import { bech32, bech32m } from 'bech32';
import bs58check from 'bs58check';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { bech32Decode } from './bech32.ts';
import { normaliseCryptoAddress } from './normalise-crypto-address.ts';

// Mainnet vectors of BIP 173 / BIP 350 as Bitcoin Core's test/functional/rpc_validateaddress.py replays them.
const SEGWIT_VALID = [
  'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4',
  'bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3',
  'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y',
  'BC1SW50QGDZ25J',
  'bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs',
  'bc1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvses5wp4dt',
  'bc1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvses7epu4h',
  'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
  'bc1pfeessrawgf',
];
const SEGWIT_INVALID = [
  'tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty',
  'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5',
  'BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2',
  'bc1rw5uspcuh',
  'bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90',
  'BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P',
  'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3t4',
  'bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du',
  'bc1qfysxzmfq2phhyarvv9hxgtjgdajxcw3fpkpph893lw',
  'bc1gmk9yu',
  'tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut',
  'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd',
  'BC1PFYSXZMFQ2PHHYARVV9HXGTJGFAZYCWJYPQQQF9ZLQ6',
  'bc1qfysxzmfq2phhyarvv9hxgtjgfazycwjypqqqfm706a',
  'BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R',
  'bc1pw5dgrnzv',
  'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav',
  'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf',
];

describe('normaliseCryptoAddress (M2)', () => {
  it.each(SEGWIT_VALID)('accepts SegWit %s', (address) => {
    expect(normaliseCryptoAddress(address)).toBe(`btc:${address.toLowerCase()}`);
  });

  it.each(SEGWIT_INVALID)('refuses SegWit %s', (address) => {
    expectInvalid(() => normaliseCryptoAddress(address));
  });

  it('checks the BIP 173 generic Bech32 checksum vectors', () => {
    for (const s of [
      'a12uel5l',
      'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
      'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
    ])
      expect(bech32Decode(s)?.encoding).toBe('bech32');
    for (const s of ['pzry9x0s0muk', '1pzry9x0s0muk', 'x1b4n0q5v', 'li1dgmt3', 'A1G7SGD8'])
      expect(bech32Decode(s)).toBeUndefined();
  });

  it.each([
    ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', 'btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'],
    ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', 'btc:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy'],
    ['bitcoin:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa?amount=0.1', 'btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'],
    ['0x52908400098527886E0F7030069857D2E4169EE7', 'eth:0x52908400098527886e0f7030069857d2e4169ee7'],
    [
      'ethereum:0x52908400098527886E0F7030069857D2E4169EE7@1',
      'eth:0x52908400098527886e0f7030069857d2e4169ee7',
    ],
    ['bsc:0x52908400098527886E0F7030069857D2E4169EE7', 'eth:0x52908400098527886e0f7030069857d2e4169ee7'],
    ['TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 'trx:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'],
    // Begins as an upper-case testnet address does (found by the bs58check property below).
    ['TB115BhpCAFbjPUgniZ36TZYxNB67fPKzr', 'trx:TB115BhpCAFbjPUgniZ36TZYxNB67fPKzr'],
    ['XRP:rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh', 'xrp:rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh'],
    ['btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', 'btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseCryptoAddress(raw)).toBe(expected);
  });

  it.each([
    ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', /Bitcoin/],
    ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz', /Bitcoin/],
    ['tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', /testnet/],
    ['0x5290840009852788', /EVM/],
    ['TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T', /TRON/],
    ['rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh', /<chain>:<address>/],
    ['xrp:short', /16–128/],
    ['eth:0x123', /Ethereum/],
    ['', /empty/],
  ])('refuses %j', (raw, pattern) => {
    expectInvalid(() => normaliseCryptoAddress(raw), pattern);
  });

  it('property: never throws anything but invalid_indicator, and is idempotent', () => {
    const alphabet = fc.constantFrom(...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0x:');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: alphabet, maxLength: 64 }),
          fc.string({ maxLength: 50 }),
          fc.constantFrom(...SEGWIT_VALID, ...SEGWIT_INVALID),
        ),
        (raw) => {
          const once = onlyInvalidIndicator(() => normaliseCryptoAddress(raw));
          if (once !== undefined) expect(normaliseCryptoAddress(once)).toBe(once);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('property: any P2PKH, P2SH or TRON payload encoded by bs58check is accepted; one changed character is refused', () => {
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    fc.assert(
      fc.property(
        fc.constantFrom(0x00, 0x05, 0x41),
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.nat(),
        fc.nat(),
        (version, hash, at, by) => {
          const address = bs58check.encode(Uint8Array.of(version, ...hash));
          const chain = version === 0x41 ? 'trx' : 'btc';
          expect(normaliseCryptoAddress(address)).toBe(`${chain}:${address}`);
          const i = at % address.length;
          const c = alphabet[(alphabet.indexOf(address[i]!) + 1 + (by % 57)) % 58]!;
          const changed = address.slice(0, i) + c + address.slice(i + 1);
          expectInvalid(() => normaliseCryptoAddress(changed));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: SegWit programs encoded by the bech32 package are accepted with the right checksum only', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16 }),
        fc.uint8Array({ minLength: 2, maxLength: 40 }),
        (version, program) => {
          if (version === 0 && program.length !== 20 && program.length !== 32) return;
          const words = [version, ...bech32.toWords(program)];
          const right = version === 0 ? bech32 : bech32m;
          const wrong = version === 0 ? bech32m : bech32;
          const address = right.encode('bc', words);
          expect(normaliseCryptoAddress(address.toUpperCase())).toBe(`btc:${address}`);
          expectInvalid(() => normaliseCryptoAddress(wrong.encode('bc', words)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
