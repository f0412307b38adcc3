import { describe, expect, it } from 'vitest';
import { registeredUser } from './registered-user.ts';
import { application, CORPORATE_HOLDER, context, run, signals } from './test-fixtures.ts';

const user = (name: string) => ({ name, birthDate: '2010-04-01', address: '東京都新宿区西新宿2-8-1' });
const voice = (count: number, registered?: string) => ({
  simType: 'voice',
  count,
  ...(registered ? { registeredUser: user(registered) } : {}),
});

describe('contract.registered_user (P6)', () => {
  it('scores each voice line beyond the first two without a registered user', async () => {
    const hits = await run(registeredUser, application({ lines: [voice(4)] }));
    expect(signals(hits)).toEqual(['CONTRACT_REGISTERED_USER_MISSING']);
    expect(hits[0]!.factor).toBe(2);
    expect(hits[0]!.params).toMatchObject({ missing: 2, freeLines: 2, simTypesJa: '音声・SMS付きデータ' });
  });

  it('counts lines already held first', async () => {
    const hits = await run(registeredUser, application({ lines: [voice(1)] }), {
      services: context({ existingLines: { voice: 1, data_sms: 1, data: 0 } }),
    });
    expect(hits[0]!.factor).toBe(1);
  });

  it('passes a family whose lines name their users, two own lines, and data-only lines (near misses)', async () => {
    const family = application({
      lines: [
        voice(1),
        voice(1, '山田 花子'),
        voice(1, '山田 一郎'),
        voice(1, '山田 次郎'),
        voice(1, '山田 三郎'),
        voice(1, '山田 四郎'),
      ],
    });
    expect(await run(registeredUser, family)).toEqual([]);
    expect(await run(registeredUser, application({ lines: [voice(2)] }))).toEqual([]);
    const iot = application({
      holder: CORPORATE_HOLDER,
      lines: [{ simType: 'data', count: 200, product: 'iot_module' }],
    });
    expect(await run(registeredUser, iot)).toEqual([]);
  });

  it('follows the carrier’s settings', async () => {
    const app = application({ lines: [voice(4)] });
    expect(await run(registeredUser, app, { settings: { registeredUser: { freeLines: 5 } } })).toEqual([]);
    expect(
      await run(registeredUser, app, { settings: { registeredUser: { holderTypes: ['corporation'] } } }),
    ).toEqual([]);
    const bad = await run(registeredUser, app, { settings: { registeredUser: { freeLines: '2' } } });
    expect(bad[0]!.evidence.some((e) => e.startsWith('setting_fallback=registeredUser.freeLines'))).toBe(
      true,
    );
  });

  it('reviews every corporate voice or SMS line without its real user, and passes its data-only IoT lines', async () => {
    const corporate = (lines: unknown[]) => application({ holder: CORPORATE_HOLDER, lines });
    const hits = await run(registeredUser, corporate([voice(2), voice(1, '社員 一')]));
    expect(signals(hits)).toEqual(['CONTRACT_CORP_REGISTERED_USER_MISSING']);
    expect(hits[0]!.params).toMatchObject({ missing: 2, missingEn: '2 lines' });
    expect(await run(registeredUser, corporate([voice(1, '社員 一'), voice(1, '社員 二')]))).toEqual([]);
    // The carrier may turn the corporate rule off.
    expect(
      await run(registeredUser, corporate([voice(2)]), {
        settings: { registeredUser: { corporateSimTypes: [] } },
      }),
    ).toEqual([]);
  });
});
