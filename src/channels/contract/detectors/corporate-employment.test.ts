import { describe, expect, it } from 'vitest';
import { corporateEmployment } from './corporate-employment.ts';
import { application, CORPORATE_HOLDER, context, run, signals } from './test-fixtures.ts';

const corporate = (employmentVerification?: unknown, corporateNumber = '7000012050002') =>
  application({
    holder: {
      ...CORPORATE_HOLDER,
      corporation: {
        corporateNumber,
        name: '株式会社テスト',
        ...(employmentVerification ? { employmentVerification } : {}),
      },
    },
    lines: [{ simType: 'data', count: 200, product: 'iot_module' }],
  });

describe('contract.corporate_employment (P4)', () => {
  it('reviews a corporate application without employment verification', async () => {
    const hits = await run(corporateEmployment, corporate());
    expect(signals(hits)).toEqual(['CONTRACT_CORP_EMPLOYMENT_UNVERIFIED']);
    expect(hits[0]!.params).toEqual({
      problemJa: '在籍確認の記録がありません',
      problemEn: 'no employment verification was given',
    });
  });

  it('reviews a verification older than 30 days', async () => {
    const hits = await run(
      corporateEmployment,
      corporate({ method: 'phone_callback', verifiedAt: '2026-03-01T10:00:00+09:00' }),
    );
    expect(hits[0]!.evidence).toContain('age_days=70 max_age_days=30');
  });

  it('passes a fresh verification, and ignores persons (near misses)', async () => {
    expect(
      await run(
        corporateEmployment,
        corporate({ method: 'employee_id', verifiedAt: '2026-05-01T10:00:00+09:00' }),
      ),
    ).toEqual([]);
    expect(await run(corporateEmployment, application())).toEqual([]);
  });

  it('reviews an invalid corporate number that bypassed the schema', async () => {
    const app = corporate({ method: 'employee_id', verifiedAt: '2026-05-01T10:00:00+09:00' });
    const bad = {
      ...app,
      holder: {
        ...app.holder,
        corporation: { ...app.holder.corporation!, corporateNumber: '8000012050002' },
      },
    };
    const hits = await run(corporateEmployment, bad);
    expect(hits[0]!.params).toMatchObject({ problemJa: '法人番号が正しくありません' });
  });

  it('is covered by HQ’s approved exception for the application', async () => {
    const services = context({
      exception: {
        caseId: 'case_9',
        approvedBy: 'hq',
        approvedAt: '2026-05-10T04:00:00.000Z',
        held: { voice: 0, data_sms: 0, data: 0 },
        lines: { voice: 0, data_sms: 0, data: 200 },
      },
    });
    const hits = await run(corporateEmployment, corporate(), { services });
    expect(signals(hits)).toEqual(['CONTRACT_EXCEPTION_APPROVED']);
  });

  it('follows the carrier’s freshness limit, falling back on a bad value', async () => {
    const old = corporate({ method: 'phone_callback', verifiedAt: '2026-03-01T10:00:00+09:00' });
    expect(
      await run(corporateEmployment, old, { settings: { corporate: { employmentMaxAgeDays: 90 } } }),
    ).toEqual([]);
    const hits = await run(corporateEmployment, old, {
      settings: { corporate: { employmentMaxAgeDays: -1 } },
    });
    expect(
      hits[0]!.evidence.some((e) => e.startsWith('setting_fallback=corporate.employmentMaxAgeDays')),
    ).toBe(true);
  });
});
