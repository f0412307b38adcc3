import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTRACT_SETTINGS } from '../settings.ts';
import { kycMethod, ruleInForce } from './kyc-method.ts';
import { application, run, signals } from './test-fixtures.ts';

const online = (method: string, submittedAt: string) =>
  application({
    salesChannel: { type: 'online' },
    identityVerification: { method, assuranceLevel: 2, performedAt: submittedAt },
    submittedAt,
  });

describe('contract.kyc_method', () => {
  it('blocks a document photo online after 2026-04-01, naming the allowed methods', async () => {
    const hits = await run(kycMethod, online('document_photo', '2026-04-10T10:00:00+09:00'), {
      now: new Date('2026-04-10T01:05:00Z'),
    });
    expect(signals(hits)).toEqual(['CONTRACT_KYC_METHOD_NOT_ALLOWED']);
    expect(hits[0]!.params).toMatchObject({
      channelJa: 'オンライン',
      methodJa: '本人確認書類の画像送信',
      ruleFrom: '2026-04-01',
      allowedJa: '「マイナンバーカードの署名用電子証明書（公的個人認証）」「ICチップの読取りと顔照合」',
      allowedEn: 'the JPKI signature certificate of the My Number Card or IC-chip reading with a face match',
    });
    expect(hits[0]!.evidence).toContain('rule_date=2026-04-10 (submittedAt 2026-04-10T10:00:00+09:00)');
  });

  it('allows the same photo under the older rule set before 2026-04-01 (near miss)', async () => {
    const hits = await run(kycMethod, online('document_photo', '2026-03-20T10:00:00+09:00'), {
      now: new Date('2026-03-20T01:05:00Z'),
    });
    expect(hits).toEqual([]);
  });

  it('changes rules at midnight in Japan, not UTC', async () => {
    const now = new Date('2026-04-02T00:00:00Z');
    // 2026-04-01 00:30 in Japan is still 2026-03-31 in UTC.
    expect(
      signals(await run(kycMethod, online('document_photo', '2026-04-01T00:30:00+09:00'), { now })),
    ).toEqual(['CONTRACT_KYC_METHOD_NOT_ALLOWED']);
    expect(await run(kycMethod, online('document_photo', '2026-03-31T23:59:00+09:00'), { now })).toEqual([]);
  });

  it('does not let an application dated far back choose the older rules', async () => {
    const hits = await run(kycMethod, online('document_photo', '2026-03-20T10:00:00+09:00'), {
      now: new Date('2026-05-10T03:00:00Z'),
    });
    expect(signals(hits)).toEqual(['CONTRACT_KYC_METHOD_NOT_ALLOWED']);
    expect(hits[0]!.evidence.some((e) => e.includes('more than 30 days back'))).toBe(true);
  });

  it('judges by the day the identity was verified when the application is dated before it', async () => {
    const backdated = application({
      salesChannel: { type: 'online' },
      identityVerification: {
        method: 'document_photo',
        assuranceLevel: 2,
        performedAt: '2026-04-10T09:55:00+09:00',
      },
      submittedAt: '2026-03-31T10:00:00+09:00',
    });
    const hits = await run(kycMethod, backdated, { now: new Date('2026-04-10T01:00:00Z') });
    expect(signals(hits)).toEqual(['CONTRACT_KYC_METHOD_NOT_ALLOWED']);
    expect(hits[0]!.evidence).toContain(
      'rule_date=2026-04-10 (identity verified at 2026-04-10T09:55:00+09:00)',
    );
  });

  it('accepts JPKI and IC chip with face online, and an in-person document check at a shop (near misses)', async () => {
    const now = new Date('2026-05-10T03:00:00Z');
    expect(await run(kycMethod, online('jpki_signature', '2026-05-10T11:00:00+09:00'), { now })).toEqual([]);
    expect(await run(kycMethod, online('ic_chip_face', '2026-05-10T11:00:00+09:00'), { now })).toEqual([]);
    const shop = application({
      identityVerification: {
        method: 'document_visual',
        assuranceLevel: 2,
        performedAt: '2026-05-10T11:00:00+09:00',
      },
    });
    expect(await run(kycMethod, shop, { now })).toEqual([]);
    const copy = application({
      salesChannel: { type: 'agency', agencyId: 'ag-1' },
      identityVerification: {
        method: 'document_copy',
        assuranceLevel: 1,
        performedAt: '2026-05-10T11:00:00+09:00',
      },
    });
    expect((await run(kycMethod, copy, { now }))[0]!.params).toMatchObject({ channelJa: '代理店' });
  });

  it('follows a carrier’s own rule sets, and falls back to the defaults on a malformed one', async () => {
    const now = new Date('2026-05-10T03:00:00Z');
    const app = online('document_photo', '2026-05-10T11:00:00+09:00');
    const lax = { kycRules: [{ from: '2026-01-01', channel: 'online', allowed: ['document_photo'] }] };
    expect(await run(kycMethod, app, { now, settings: lax })).toEqual([]);
    const bad = { kycRules: [{ from: 'April', channel: 'online', allowed: ['document_photo'] }] };
    const hits = await run(kycMethod, app, { now, settings: bad });
    expect(hits[0]!.evidence.some((e) => e.startsWith('setting_fallback=kycRules'))).toBe(true);
  });

  it('picks the latest rule started on or before the date', () => {
    const rules = DEFAULT_CONTRACT_SETTINGS.kycRules;
    expect(ruleInForce(rules, 'online', '2026-03-31')?.from).toBe('2000-01-01');
    expect(ruleInForce(rules, 'online', '2026-04-01')?.from).toBe('2026-04-01');
    expect(ruleInForce(rules, 'online', '1999-12-31')).toBeUndefined();
  });
});
