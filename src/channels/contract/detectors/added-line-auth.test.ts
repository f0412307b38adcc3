import { describe, expect, it } from 'vitest';
import { addedLineAuth } from './added-line-auth.ts';
import { application, context, recent, run, signals } from './test-fixtures.ts';

const added = (authentication: string, lineNumber?: string) =>
  application({ addedLine: { authentication, ...(lineNumber ? { lineNumber } : {}) } });
/** An existing holder: one voice line held, the named line theirs. */
const holder = context({ existingLines: { voice: 1, data_sms: 0, data: 0 }, namedLine: 'held' });

describe('contract.added_line_auth (P3)', () => {
  it('steps up an added line authenticated by password only, naming the accepted factors', async () => {
    const hits = await run(addedLineAuth, added('password'), { services: holder });
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
      expect(await run(addedLineAuth, added(factor), { services: holder }), factor).toEqual([]);
    expect(await run(addedLineAuth, added('otp', '+819012345678'), { services: holder })).toEqual([]);
  });

  it('flags an added line naming a line the applicant does not hold, whatever the authentication', async () => {
    for (const state of ['other_holder', 'cancelled', 'unknown'] as const) {
      const hits = await run(addedLineAuth, added('biometric', '+819012345678'), {
        services: context({ existingLines: { voice: 1, data_sms: 0, data: 0 }, namedLine: state }),
      });
      expect(signals(hits), state).toEqual(['CONTRACT_ADDED_LINE_NOT_HELD']);
      expect(hits[0]!.evidence).toContain(`state=${state}`);
    }
    const weak = await run(addedLineAuth, added('password', '+819012345678'), {
      services: context({ namedLine: 'other_holder' }),
    });
    expect(signals(weak)).toEqual(['CONTRACT_ADDED_LINE_NOT_HELD', 'CONTRACT_ADDED_LINE_WEAK_AUTH']);
  });

  it('flags an added line by someone who holds no line at all, and passes one who holds any (near miss)', async () => {
    const none = await run(addedLineAuth, added('otp'), { services: context() });
    expect(signals(none)).toEqual(['CONTRACT_ADDED_LINE_NOT_HELD']);
    expect(none[0]!.evidence).toContain('state=no_lines');
    const some = await run(addedLineAuth, added('otp'), {
      services: context({ existingLines: { voice: 0, data_sms: 0, data: 1 } }),
    });
    expect(some).toEqual([]);
  });

  it('counts lines granted lately (not yet in the carrier’s import) as held; another holder’s line stays flagged', async () => {
    const granted = context({
      holderApplications: [recent({ holderKey: 'a'.repeat(64), lines: 1, action: 'allow' })],
    });
    expect(await run(addedLineAuth, added('otp'), { services: granted })).toEqual([]);
    expect(
      await run(addedLineAuth, added('otp', '+819012345678'), {
        services: { ...granted, namedLine: 'unknown' },
      }),
    ).toEqual([]);
    const foreign = await run(addedLineAuth, added('otp', '+819012345678'), {
      services: { ...granted, namedLine: 'other_holder' },
    });
    expect(signals(foreign)).toEqual(['CONTRACT_ADDED_LINE_NOT_HELD']);
    // A refused application granted nothing (near miss).
    const refused = context({ holderApplications: [recent({ lines: 1, action: 'block' })] });
    expect(signals(await run(addedLineAuth, added('otp'), { services: refused }))).toEqual([
      'CONTRACT_ADDED_LINE_NOT_HELD',
    ]);
  });

  it('judges the authentication alone when no context was loaded', async () => {
    expect(signals(await run(addedLineAuth, added('password'), { services: undefined }))).toEqual([
      'CONTRACT_ADDED_LINE_WEAK_AUTH',
    ]);
    expect(await run(addedLineAuth, added('otp'), { services: undefined })).toEqual([]);
  });

  it('ignores new contracts', async () => {
    expect(await run(addedLineAuth, application())).toEqual([]);
  });

  it('follows the carrier’s accepted factors, and falls back to the default on a bad list', async () => {
    const strict = await run(addedLineAuth, added('otp'), {
      services: holder,
      settings: { addedLineFactors: ['passkey'] },
    });
    expect(strict[0]!.params).toMatchObject({ acceptedJa: '「パスキー」', acceptedEn: 'a passkey' });
    const bad = await run(addedLineAuth, added('password'), {
      services: holder,
      settings: { addedLineFactors: ['sms_magic'] },
    });
    expect(bad[0]!.evidence.some((e) => e.startsWith('setting_fallback=addedLineFactors'))).toBe(true);
    expect(bad[0]!.evidence).toContain('accepted=otp,biometric,passkey,in_person_ic');
  });
});
