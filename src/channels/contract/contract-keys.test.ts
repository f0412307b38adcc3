import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { application, hasher } from '../../../test/contract/fixtures.ts';
import { indicatorValue } from '../../intel/indicator-value.ts';
import {
  addressKey,
  contractKeys,
  identityKey,
  normaliseAddress,
  outletOf,
  redactContract,
} from './contract-keys.ts';

const base = {
  name: '山田 太郎',
  birthDate: '1980-01-02',
  address: '東京都千代田区千代田1-1',
  documentSerial: 'AB12345678',
};

describe('contract keys (P2, P6)', () => {
  it.each([
    ['full-width space and letters', { ...base, name: '山田　太郎' }],
    ['extra white space', { ...base, name: '  山田   太郎 ', address: ' 東京都千代田区千代田1-1 ' }],
    ['full-width digits and hyphen', { ...base, address: '東京都千代田区千代田１－１' }],
    ['a serial with spaces and hyphens', { ...base, documentSerial: 'ab 1234-5678' }],
  ])('one person, one holder key: %s', (_what, identity) => {
    expect(identityKey(identity, hasher)).toBe(identityKey(base, hasher));
  });

  it('keys a Latin name case- and width-blind', () => {
    const a = identityKey({ ...base, name: 'ＹＡＭＡＤＡ Taro' }, hasher);
    expect(identityKey({ ...base, name: 'yamada  TARO' }, hasher)).toBe(a);
  });

  it('keys another person differently', () => {
    expect(identityKey({ ...base, birthDate: '1980-01-03' }, hasher)).not.toBe(identityKey(base, hasher));
    expect(identityKey({ ...base, name: '山田 花子' }, hasher)).not.toBe(identityKey(base, hasher));
  });

  it('is the value of an identity indicator name|birthdate|address, so deny-listed identities match holders', () => {
    expect(identityKey(base, hasher)).toBe(
      indicatorValue(
        'identity',
        { name: base.name, birthdate: base.birthDate, address: base.address },
        hasher,
      ),
    );
  });

  it('leaves the document serial out of the holder key: another document, or none, is the same holder', () => {
    const { documentSerial: _serial, ...withoutSerial } = base;
    expect(identityKey({ ...base, documentSerial: 'ZZ99999999' }, hasher)).toBe(identityKey(base, hasher));
    expect(identityKey(withoutSerial, hasher)).toBe(identityKey(base, hasher));
  });

  it('keys an address alone, blind to spaces and dash variants', () => {
    expect(normaliseAddress('東京都 千代田区　千代田１－２ー３')).toBe('東京都千代田区千代田1-2-3');
    expect(addressKey('東京都 千代田区 千代田1−2―3', hasher)).toBe(
      addressKey('東京都千代田区千代田1-2-3', hasher),
    );
    // A katakana long mark inside a word is not a dash.
    expect(normaliseAddress('センター1')).toBe('センター1');
  });

  it('keys every kind apart: holder, address, device, document never collide', () => {
    const app = application({ deviceFingerprint: 'AB12345678' });
    const keys = contractKeys(app, hasher);
    const all = [keys.holder, keys.address, keys.device, keys.document];
    expect(new Set(all).size).toBe(4);
    for (const k of all) expect(k).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keys a corporation by its corporate number, whoever represents it', () => {
    const corp = (name: string) =>
      application({
        holder: {
          type: 'corporation',
          identity: { ...base, name },
          corporation: { corporateNumber: '7000012050002', name: '株式会社テスト' },
        },
      });
    const a = contractKeys(corp('山田 太郎'), hasher);
    const b = contractKeys(corp('佐藤 花子'), hasher);
    expect(a.holder).toBe(b.holder);
    expect(a.identity).not.toBe(b.identity);
    expect(a.holder).not.toBe(a.identity);
  });

  it('names the identity field that cannot be keyed', () => {
    const app = application({ holder: { type: 'person', identity: { ...base, name: '山田|太郎' } } });
    expect(() => contractKeys(app, hasher)).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        issues: [{ path: 'holder.identity.name', message: 'must not contain |' }],
      }),
    );
    const old = application({ holder: { type: 'person', identity: { ...base, birthDate: '1800-01-01' } } });
    expect(() => contractKeys(old, hasher)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'holder.identity.birthDate' })] }),
    );
  });

  it('names the outlet of each sales channel', () => {
    expect(outletOf({ type: 'online' })).toBe('online');
    expect(outletOf({ type: 'agency', agencyId: 'AG7' })).toBe('AG7');
    expect(outletOf({ type: 'shop', shopId: 'S1' })).toBe('S1');
    expect(outletOf({ type: 'shop' })).toBe('shop:unknown');
  });
});

describe('redactContract', () => {
  it('replaces identities and the device fingerprint by their keys, keeping the rest', () => {
    const app = application({
      deviceFingerprint: 'fp-123',
      lines: [
        { simType: 'voice', count: 1, purpose: '家族用' },
        {
          simType: 'data',
          count: 2,
          registeredUser: { name: '山田 次郎', birthDate: '2010-04-01', address: '東京都千代田区千代田1-1' },
        },
      ],
    });
    const keys = contractKeys(app, hasher);
    const redacted = redactContract(app, keys);
    expect(redacted.holder).toEqual({
      type: 'person',
      holderKey: keys.holder,
      identityKey: keys.identity,
      addressKey: keys.address,
      documentKey: keys.document,
    });
    expect(redacted.lines[0]).toEqual({ simType: 'voice', count: 1, purpose: '家族用' });
    expect(redacted.lines[1]).toEqual({
      simType: 'data',
      count: 2,
      registeredUserKey: keys.registeredUsers[1],
    });
    expect(redacted.deviceKey).toBe(keys.device);
    expect(redacted).not.toHaveProperty('deviceFingerprint');
    expect(redacted.applicationId).toBe(app.applicationId);
  });

  it('property: no raw attribute survives, and spacing never changes a key', () => {
    // Markers make each raw value unmistakable (a bare "a1" could occur inside a hex key).
    const raw = (marker: string) =>
      fc.string({ minLength: 1, maxLength: 12 }).map((s) => `${marker}${s.replace(/[|\s]/g, 'x')}`);
    fc.assert(
      fc.property(
        raw('氏名'),
        raw('住所'),
        raw('番号'),
        raw('利用者'),
        raw('端末'),
        fc.constantFrom(' ', '　', '  '),
        (name, address, serial, user, fingerprint, space) => {
          const identity = { name, birthDate: '1985-06-07', address, documentSerial: serial };
          const app = application({
            holder: { type: 'person', identity },
            deviceFingerprint: fingerprint,
            lines: [
              {
                simType: 'voice',
                count: 1,
                registeredUser: { name: user, birthDate: '2001-01-01', address },
              },
            ],
          });
          const text = JSON.stringify(redactContract(app, contractKeys(app, hasher)));
          for (const value of [name, address, serial, user, fingerprint, '1985-06-07', '2001-01-01'])
            expect(text).not.toContain(value);
          const spaced = { ...identity, name: `${space}${name.slice(0, 2)}${space}${name.slice(2)}${space}` };
          expect(identityKey(spaced, hasher)).toBe(
            identityKey({ ...identity, name: `${name.slice(0, 2)} ${name.slice(2)}` }, hasher),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
