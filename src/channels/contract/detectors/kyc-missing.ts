import type { Hit } from '../../../core/index.ts';
import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, settingsOf } from './application.ts';
import { SIM_TYPE_LABELS } from './labels.ts';

/**
 * Identity verification missing (データSIM本人確認, measure P1): data SIMs
 * (SMS-capable or data-only) applied for without any identity verification,
 * except the carrier's exempt products (a tourist prepaid SIM, an IoT
 * module…; `exemptProducts`). Voice lines without identity verification
 * fire `CONTRACT_KYC_MISSING`: the law requires it for voice, and no product
 * is exempt.
 */
export const kycMissing: ContractDetector = {
  name: 'contract.kyc_missing',
  signals: ['CONTRACT_DATA_SIM_NO_KYC', 'CONTRACT_KYC_MISSING'],
  run(event, ctx) {
    const app = event.payload;
    if (app.identityVerification !== undefined) return [];
    const read = settingsOf(ctx);
    const exempt = new Set(read.settings.exemptProducts);
    const hits: Hit[] = [];
    for (const simType of ['data_sms', 'data'] as const) {
      const lines = app.lines.filter(
        (l) => l.simType === simType && (l.product === undefined || !exempt.has(l.product)),
      );
      if (lines.length === 0) continue;
      const count = lines.reduce((n, l) => n + l.count, 0);
      hits.push({
        signal: 'CONTRACT_DATA_SIM_NO_KYC',
        evidence: [
          `sim_type=${simType}`,
          `lines=${count}`,
          `products=${[...new Set(lines.map((l) => l.product ?? '(none)'))].join(',')}`,
          `exempt_products=${[...exempt].join(',') || '(none)'}`,
          ...fallbackEvidence(read, 'exemptProducts'),
        ],
        params: {
          simTypeJa: SIM_TYPE_LABELS[simType].ja,
          simTypeEn: SIM_TYPE_LABELS[simType].en,
          lines: count,
        },
      });
    }
    const voice = app.lines.filter((l) => l.simType === 'voice').reduce((n, l) => n + l.count, 0);
    if (voice > 0) {
      hits.push({
        signal: 'CONTRACT_KYC_MISSING',
        evidence: ['sim_type=voice', `lines=${voice}`, 'identity_verification=(none)'],
        params: { lines: voice },
      });
    }
    return hits;
  },
};
