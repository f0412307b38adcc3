import { describe, expect, it } from 'vitest';
import { kycDocumentExpiry } from './kyc-document-expiry.ts';
import { application, run, signals } from './test-fixtures.ts';

const withExpiry = (documentExpiry: string) =>
  application({
    identityVerification: {
      method: 'ic_chip_face',
      assuranceLevel: 3,
      performedAt: '2026-05-10T11:55:00+09:00',
      documentExpiry,
    },
  });

describe('contract.kyc_document_expiry', () => {
  it('refuses a document that expired before the application date', async () => {
    const hits = await run(kycDocumentExpiry, withExpiry('2026-05-09'));
    expect(signals(hits)).toEqual(['CONTRACT_KYC_DOCUMENT_EXPIRED']);
    expect(hits[0]!.params).toEqual({
      expiry: '2026-05-09',
      expiryJa: '2026年5月9日',
      expiryEn: '9 May 2026',
    });
  });

  it('accepts a document on its last valid day, and one without an expiry given (near misses)', async () => {
    expect(await run(kycDocumentExpiry, withExpiry('2026-05-10'))).toEqual([]);
    expect(
      await run(
        kycDocumentExpiry,
        application({
          identityVerification: {
            method: 'jpki_signature',
            assuranceLevel: 3,
            performedAt: '2026-05-10T11:55:00+09:00',
          },
        }),
      ),
    ).toEqual([]);
  });

  it('can be turned off; a wrong type falls back to refusing, and says so', async () => {
    expect(
      await run(kycDocumentExpiry, withExpiry('2020-01-01'), { settings: { refuseExpiredDocuments: false } }),
    ).toEqual([]);
    const hits = await run(kycDocumentExpiry, withExpiry('2020-01-01'), {
      settings: { refuseExpiredDocuments: 'no' },
    });
    expect(hits[0]!.evidence.some((e) => e.startsWith('setting_fallback=refuseExpiredDocuments'))).toBe(true);
  });
});
