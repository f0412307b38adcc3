import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectInvalid, onlyInvalidIndicator } from '../../test/intel/expect-invalid.ts';
import { type IdentityAttributes, normaliseIdentity } from './normalise-identity.ts';

describe('normaliseIdentity (P2, P6, M3)', () => {
  it.each([
    [{ name: '山田　太郎', birthdate: '1980/1/2' }, '山田 太郎|1980-01-02||'],
    [
      { name: ' YAMADA  Taro ', birthdate: '19800102', address: '東京都千代田区１－１' },
      'yamada taro|1980-01-02|東京都千代田区1-1|',
    ],
    [{ name: 'ﾔﾏﾀﾞ ﾀﾛｳ', document: 'AB 1234-5678' }, 'ヤマダ タロウ|||ab12345678'],
    ['山田 太郎|1980年1月2日', '山田 太郎|1980-01-02||'],
    ['山田 太郎|1980-01-02||', '山田 太郎|1980-01-02||'],
    ['Yamada Taro||Tokyo|', 'yamada taro||tokyo|'],
  ] as [string | IdentityAttributes, string][])('%j → %j', (raw, expected) => {
    expect(normaliseIdentity(raw)).toBe(expected);
  });

  it('the object and the string forms agree', () => {
    expect(normaliseIdentity({ name: '佐藤花子', birthdate: '1990-12-31', address: '大阪市' })).toBe(
      normaliseIdentity('佐藤花子|1990/12/31|大阪市'),
    );
  });

  it.each([
    [{ name: '', birthdate: '1980-01-02' }, /needs a name/],
    [{ name: '山田太郎' }, /at least one/],
    [{ name: '山田太郎', birthdate: '1980-02-30' }, /real date/],
    [{ name: '山田太郎', birthdate: 'yesterday' }, /birthdate/],
    [{ name: '山田|太郎', birthdate: '1980-01-02' }, /must not contain \|/],
    [{ name: '山田太郎', birthDate: '1980-01-02' } as unknown as IdentityAttributes, /unknown attribute/],
    ['a|b|c|d|e', /more than 4/],
  ] as [string | IdentityAttributes, RegExp][])('refuses %j', (raw, pattern) => {
    expectInvalid(() => normaliseIdentity(raw), pattern);
  });

  it('is stable when a combining mark follows a removed hyphen in the document number', () => {
    const once = normaliseIdentity({ name: 'x', document: 't -\u0308' });
    expect(once).toBe('x|||\u1e97');
    expect(normaliseIdentity(once)).toBe(once);
  });

  it('property: never throws anything but invalid_indicator, and is idempotent', () => {
    const attr = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.constant('1980/01/02'),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(attr, { maxLength: 5 }).map((a) => a.join('|')),
          fc.record(
            { name: attr, birthdate: attr, address: attr, document: attr },
            { requiredKeys: ['name'] },
          ),
        ),
        (raw) => {
          const once = onlyInvalidIndicator(() => normaliseIdentity(raw));
          if (once !== undefined) expect(normaliseIdentity(once)).toBe(once);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
