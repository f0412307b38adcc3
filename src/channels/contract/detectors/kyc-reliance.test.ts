import { describe, expect, it } from 'vitest';
import { kycReliance } from './kyc-reliance.ts';
import { application, run, signals } from './test-fixtures.ts';

const relying = (
  assuranceLevel: number,
  performedAt: string,
  lines: unknown[] = [{ simType: 'voice', count: 1 }],
) =>
  application({
    identityVerification: { method: 'reliance', assuranceLevel, performedAt, provider: 'みらい銀行' },
    lines,
  });

describe('contract.kyc_reliance (P5)', () => {
  it('steps up reliance below the level required for voice, naming the methods to use instead', async () => {
    const hits = await run(kycReliance, relying(2, '2026-05-01T10:00:00+09:00'));
    expect(signals(hits)).toEqual(['CONTRACT_KYC_RELIANCE_LOW_ASSURANCE']);
    expect(hits[0]!.params).toMatchObject({
      provider: 'みらい銀行',
      level: 2,
      required: 3,
      simTypeJa: '音声',
      stepUpJa:
        '「マイナンバーカードの署名用電子証明書（公的個人認証）」「ICチップの読取りと顔照合」「ICチップの読取り」「本人確認書類の目視確認」',
    });
  });

  it('needs less for data-only lines, but the most demanding type requested decides', async () => {
    const data = [{ simType: 'data', count: 1 }];
    expect(await run(kycReliance, relying(2, '2026-05-01T10:00:00+09:00', data))).toEqual([]);
    const mixed = await run(
      kycReliance,
      relying(2, '2026-05-01T10:00:00+09:00', [...data, { simType: 'data_sms', count: 1 }]),
    );
    expect(mixed[0]!.params).toMatchObject({ required: 3, simTypeJa: 'SMS付きデータ' });
  });

  it('steps up reliance on a check older than 180 days', async () => {
    const hits = await run(kycReliance, relying(3, '2025-10-01T10:00:00+09:00'));
    expect(signals(hits)).toEqual(['CONTRACT_KYC_RELIANCE_STALE']);
    expect(hits[0]!.params).toMatchObject({ ageDays: 221, maxAgeDays: 180 });
  });

  it('accepts fresh reliance at the required level, and other methods (near misses)', async () => {
    expect(await run(kycReliance, relying(3, '2026-01-01T10:00:00+09:00'))).toEqual([]);
    expect(await run(kycReliance, application())).toEqual([]);
  });

  it('follows the carrier’s levels and freshness, falling back on bad values', async () => {
    const app = relying(2, '2026-03-01T10:00:00+09:00');
    expect(
      await run(kycReliance, app, { settings: { reliance: { minAssurance: { voice: 2 }, maxAgeDays: 90 } } }),
    ).toEqual([]);
    const bad = await run(kycReliance, app, { settings: { reliance: { minAssurance: { voice: 7 } } } });
    expect(bad[0]!.params).toMatchObject({ required: 3 });
    expect(bad[0]!.evidence.some((e) => e.startsWith('setting_fallback=reliance.minAssurance.voice'))).toBe(
      true,
    );
  });
});
