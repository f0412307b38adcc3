import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS } from './message-schema.ts';
import {
  classifySender,
  gsmSeptets,
  normaliseSender,
  SENDER_FORMATS,
  senderBrandClaim,
} from './sender-format.ts';

describe('classifySender (MESSAGE_SENDER_*, I1)', () => {
  it.each([
    ['090-1234-5678', 'mobile', '+819012345678'],
    ['+81 80 1234 5678', 'mobile', '+818012345678'],
    ['060-1234-5678', 'mobile', '+816012345678'],
    ['020-1234-5678', 'm2m', '+812012345678'],
    ['050-1234-5678', 'ip-phone', '+815012345678'],
    // docomo shows a business's real number, freephone and landlines included: not impossible.
    ['0120-123-456', 'freephone', '+81120123456'],
    ['0800-123-4567', 'freephone', '+818001234567'],
    ['03-1234-5678', 'landline', '+81312345678'],
    ['0570-123-456', 'jp-other', '+81570123456'],
    ['0005123456', 'short-code', '0005123456'],
    ['00051234', 'short-code', '00051234'],
    ['21234', 'short-code', '21234'],
    ['00321234', 'short-code', '00321234'],
    ['+1 202 555 0123', 'international', '+12025550123'],
    ['+44 7700 900123', 'international', '+447700900123'],
    ['0086 138 0013 8000', 'international', '+8613800138000'],
    ['Amazon', 'alphanumeric', 'AMAZON'],
    ['1234567', 'digits', '1234567'],
  ])('%s is %s (%s)', (sender, format, normalised) => {
    const c = classifySender('sms', sender);
    expect(c.format).toBe(format);
    expect(c.normalised).toBe(normalised);
    expect(c.problem).toBeUndefined();
  });

  it.each([
    ['090-0123-4567', 'invalid-jp-number'],
    ['+81 3 0000 0000', 'invalid-jp-number'],
    ['+81 090 1234 5678', 'trunk-zero'],
    ['+1555', 'impossible-number'],
    ['123456789012345678901', 'too-many-digits'],
    ['AmazonJapanInfo', 'too-long-id'],
    ['アマゾン', 'non-gsm-id'],
    ['АMAZON', 'non-gsm-id'],
    ['ＳＭＢＣ', 'non-gsm-id'],
    ['Amazon\u202E', 'control-characters'],
    ['SMBC\u200B', 'control-characters'],
  ])('%s cannot be an SMS sender: %s', (sender, problem) => {
    expect(classifySender('sms', sender).problem).toBe(problem);
  });

  it('judges sender IDs by the rules of the kind: long names and kana are fine over RCS and as handles', () => {
    expect(classifySender('rcs', 'AmazonJapanInfo')).toMatchObject({ format: 'alphanumeric' });
    expect(classifySender('rcs', 'AmazonJapanInfo').problem).toBeUndefined();
    expect(classifySender('rcs', 'ＳＭＢＣ')).toEqual({ format: 'alphanumeric', normalised: 'SMBC' });
    expect(classifySender('dm', '@アマゾン公式サポート')).toEqual({
      format: 'handle',
      normalised: '@アマゾン公式サポート',
    });
    expect(classifySender('dm', '@taro\u202E').problem).toBe('control-characters');
  });

  it('counts GSM septets: the extension table takes two', () => {
    expect(gsmSeptets('ABC[]')).toBe(7);
    expect(gsmSeptets('Ä-Ü é')).toBe(5);
    expect(gsmSeptets('ア')).toBeUndefined();
  });

  it('normalises a sender as the registry keys it, refusing ones no network carries', () => {
    expect(normaliseSender(' Amazon ')).toBe('AMAZON');
    expect(normaliseSender('0120-123-456')).toBe('+81120123456');
    expect(normaliseSender('0005-123-456')).toBe('0005123456');
    expect(normaliseSender('+8109012345678')).toBeUndefined();
    expect(normaliseSender('AMAZON\u0000')).toBeUndefined();
  });

  it('never throws and answers a known format for any string and kind (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MESSAGE_KINDS),
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        (kind, s) => {
          const c = classifySender(kind, s);
          expect(SENDER_FORMATS).toContain(c.format);
          senderBrandClaim(kind, s);
          normaliseSender(s);
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9 -]{1,24}$/), (s) => {
        expect(SENDER_FORMATS).toContain(classifySender('sms', s).format);
      }),
      { numRuns: 2000 },
    );
  });

  it('costs about a microsecond for a repeated or mobile sender', () => {
    const senders = ['+819012345678', '09011112222', 'Amazon', '0120123456', '+12025550123'];
    for (const s of senders) classifySender('sms', s);
    const n = 50_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) classifySender('sms', senders[i % senders.length]!);
    const fresh = performance.now();
    for (let i = 0; i < n; i++) classifySender('sms', `0901${String(10_000_000 + i).slice(1)}`);
    const t1 = performance.now();
    // Generous bounds for a shared 2-core machine: ~0.1 µs and ~1 µs measured.
    expect(((fresh - t0) * 1000) / n).toBeLessThan(5);
    expect(((t1 - fresh) * 1000) / n).toBeLessThan(10);
  });
});

describe('senderBrandClaim', () => {
  it.each([
    ['sms', 'AMAZON', 'Amazon', 'exact'],
    ['sms', 'Amazon', 'Amazon', 'exact'],
    ['sms', 'AMZN', 'Amazon', 'exact'],
    ['sms', 'AMAZ0N', 'Amazon', 'exact'],
    ['sms', 'AMAZOM', 'Amazon', 'near'],
    ['sms', 'SMBC-Card', '三井住友カード', 'exact'],
    ['sms', 'SMBC-Info', '三井住友銀行', 'word'],
    ['sms', 'MyRakuten', '楽天', 'word'],
    ['sms', 'RAKUTENINFO', '楽天', 'inside'],
    ['sms', 'SAGAWA', '佐川急便', 'exact'],
    ['sms', 'KuronekoYamato', 'ヤマト運輸', 'exact'],
    ['sms', 'JAPANPOST', '日本郵便', 'exact'],
    ['sms', 'MUFG', '三菱UFJニコス', 'exact'],
    ['sms', 'docomo', 'NTT docomo', 'exact'],
    ['sms', 'au', 'au', 'exact'],
    ['sms', 'SoftBank', 'softbank', 'exact'],
    ['dm', '@amazon_support_jp', 'Amazon', 'word'],
    ['rcs', 'Mizuho', 'みずほ銀行', 'exact'],
  ] as const)('%s sender %s claims %s (%s)', (kind, sender, brand, how) => {
    expect(senderBrandClaim(kind, sender)).toMatchObject({ brand, how });
  });

  it.each([
    ['sms', 'AUDI'],
    ['sms', 'TAKAHASHI'],
    ['sms', 'Info'],
    ['sms', 'SHOP-NEWS'],
    ['sms', 'NETBANK'],
    ['dm', '@mizuho_tanaka'],
    ['dm', '@yamato_1990'],
    ['dm', '@apple_pie_lover'],
    ['sms', '0120123456'],
  ] as const)('%s sender %s claims no brand (near miss)', (kind, sender) => {
    expect(senderBrandClaim(kind, sender)).toBeNull();
  });
});
