import { describe, expect, it } from 'vitest';
import { addedLineAuth } from './added-line-auth.ts';
import { application, run, signals } from './test-fixtures.ts';

const added = (authentication: string) => application({ addedLine: { authentication } });

describe('contract.added_line_auth (P3)', () => {
  it('steps up an added line authenticated by password only, naming the accepted factors', async () => {
    const hits = await run(addedLineAuth, added('password'));
    expect(signals(hits)).toEqual(['CONTRACT_ADDED_LINE_WEAK_AUTH']);
    expect(hits[0]!.params).toEqual({
      methodJa: 'ID・パスワード',
      methodEn: 'ID and password',
      acceptedJa: '「ワンタイムパスワード」「生体認証」「パスキー」「店頭でのICチップ読取り」',
      acceptedEn: 'a one-time password, biometrics, a passkey or IC-chip reading in person',
    });
  });

  it('lets a passkey, an OTP, biometrics or in-person IC reading through (near misses)', async () => {
    for (const factor of ['passkey', 'otp', 'biometric', 'in_person_ic'])
      expect(await run(addedLineAuth, added(factor)), factor).toEqual([]);
  });

  it('ignores new contracts', async () => {
    expect(await run(addedLineAuth, application())).toEqual([]);
  });

  it('follows the carrier’s accepted factors, and falls back to the default on a bad list', async () => {
    const strict = await run(addedLineAuth, added('otp'), { settings: { addedLineFactors: ['passkey'] } });
    expect(strict[0]!.params).toMatchObject({ acceptedJa: '「パスキー」', acceptedEn: 'a passkey' });
    const bad = await run(addedLineAuth, added('password'), {
      settings: { addedLineFactors: ['sms_magic'] },
    });
    expect(bad[0]!.evidence.some((e) => e.startsWith('setting_fallback=addedLineFactors'))).toBe(true);
    expect(bad[0]!.evidence).toContain('accepted=otp,biometric,passkey,in_person_ic');
  });
});
