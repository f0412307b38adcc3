import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, japanDate, ruleTime, settingsOf } from './application.ts';
import { enDate, jaDate } from './labels.ts';

/**
 * Expired identity documents are refused (有効期限切れの本人確認書類): the
 * document's expiry date is before the application's date in Japan (a
 * document is valid through its expiry date). `refuseExpiredDocuments`
 * turns the check off. For an added line (P3) the document is the one shown
 * at the holder's original verification, judged on that day (`ruleTime`).
 */
export const kycDocumentExpiry: ContractDetector = {
  name: 'contract.kyc_document_expiry',
  signals: ['CONTRACT_KYC_DOCUMENT_EXPIRED'],
  run(event, ctx) {
    const app = event.payload;
    const expiry = app.identityVerification?.documentExpiry;
    if (expiry === undefined) return [];
    const read = settingsOf(ctx);
    if (!read.settings.refuseExpiredDocuments) return [];
    const time = ruleTime(app, ctx.now, read.settings.kycRuleDate.maxBackdateDays);
    const today = japanDate(time.at);
    if (expiry >= today) return [];
    return [
      {
        signal: 'CONTRACT_KYC_DOCUMENT_EXPIRED',
        evidence: [
          `document_expiry=${expiry}`,
          time.evidence,
          `method=${app.identityVerification?.method}`,
          ...fallbackEvidence(read, 'refuseExpiredDocuments', 'kycRuleDate'),
        ],
        params: { expiry, expiryJa: jaDate(expiry), expiryEn: enDate(expiry) },
      },
    ];
  },
};
