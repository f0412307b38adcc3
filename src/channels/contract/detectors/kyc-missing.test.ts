import { describe, expect, it } from 'vitest';
import { kycMissing } from './kyc-missing.ts';
import { application, run, signals } from './test-fixtures.ts';

const noKyc = (lines: unknown[]) => application({ identityVerification: undefined, lines });

describe('contract.kyc_missing (P1)', () => {
  it('blocks a data SIM without identity verification, naming the SIM type', async () => {
    const hits = await run(kycMissing, noKyc([{ simType: 'data', count: 2, product: 'router_plan' }]));
    expect(signals(hits)).toEqual(['CONTRACT_DATA_SIM_NO_KYC']);
    expect(hits[0]!.params).toEqual({
      simTypeJa: 'データ専用',
      simTypeEn: 'data-only',
      lines: 2,
      linesEn: '2 lines',
    });
    expect(hits[0]!.evidence).toContain('products=router_plan');
  });

  it('counts SMS-capable data SIMs as data SIMs', async () => {
    const hits = await run(kycMissing, noKyc([{ simType: 'data_sms', count: 1 }]));
    expect(hits[0]!.params).toMatchObject({ simTypeJa: 'SMS付きデータ' });
  });

  it('never exempts an SMS-capable data SIM, whatever its product (SMS is as risky as voice)', async () => {
    for (const product of ['tourist_prepaid', 'iot_module']) {
      const hits = await run(kycMissing, noKyc([{ simType: 'data_sms', count: 1, product }]));
      expect(signals(hits), product).toEqual(['CONTRACT_DATA_SIM_NO_KYC']);
      expect(hits[0]!.evidence).toContain('exempt_products=(none: an SMS-capable SIM is never exempt)');
    }
    // The same product on a data-only SIM is exempt (near miss).
    expect(await run(kycMissing, noKyc([{ simType: 'data', count: 1, product: 'iot_module' }]))).toEqual([]);
  });

  it('asks no identity verification of an added line: it is authenticated, not verified again (P3)', async () => {
    const added = application({
      identityVerification: undefined,
      addedLine: { authentication: 'biometric' },
      lines: [{ simType: 'voice', count: 1 }],
    });
    expect(await run(kycMissing, added)).toEqual([]);
  });

  it('lets exempt products through (near miss), and only them', async () => {
    expect(await run(kycMissing, noKyc([{ simType: 'data', count: 1, product: 'tourist_prepaid' }]))).toEqual(
      [],
    );
    const mixed = await run(
      kycMissing,
      noKyc([
        { simType: 'data', count: 1, product: 'iot_module' },
        { simType: 'data', count: 1, product: 'home_router' },
      ]),
    );
    expect(mixed[0]!.params).toMatchObject({ lines: 1 });
    const carrier = await run(
      kycMissing,
      noKyc([{ simType: 'data', count: 1, product: 'tourist_prepaid' }]),
      {
        settings: { exemptProducts: [] },
      },
    );
    expect(signals(carrier)).toEqual(['CONTRACT_DATA_SIM_NO_KYC']);
  });

  it('fires CONTRACT_KYC_MISSING for voice lines, which no product exempts', async () => {
    const hits = await run(kycMissing, noKyc([{ simType: 'voice', count: 1, product: 'tourist_prepaid' }]));
    expect(signals(hits)).toEqual(['CONTRACT_KYC_MISSING']);
  });

  it('does not fire when identity was verified (near miss)', async () => {
    expect(await run(kycMissing, application({ lines: [{ simType: 'data', count: 1 }] }))).toEqual([]);
  });

  it('falls back to the default exempt list on a bad setting, and says so', async () => {
    const hits = await run(kycMissing, noKyc([{ simType: 'data', count: 1 }]), {
      settings: { exemptProducts: 'tourist_prepaid' },
    });
    expect(hits[0]!.evidence.some((e) => e.startsWith('setting_fallback=exemptProducts'))).toBe(true);
  });
});
