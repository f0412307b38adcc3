import type { Hit } from '../../../core/index.ts';
import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, settingsOf } from './application.ts';
import { counted, SIM_TYPE_LABELS } from './labels.ts';

/**
 * Identity verification missing (データSIM本人確認, measure P1): data SIMs
 * applied for without any identity verification. The carrier's exempt
 * products (a tourist prepaid SIM, an IoT module…; `exemptProducts`) waive
 * it for data-only SIMs alone: a data SIM with SMS is never exempt, since
 * seed 001 treats it like a voice SIM (SMS付きSIMは、音声SIMと同様に、特殊詐欺
 * などに使われるリスクがある). Voice lines without identity verification fire
 * `CONTRACT_KYC_MISSING`: the law requires it for voice, and no product is
 * exempt.
 *
 * An added line (追加回線, P3) of an existing holder is authenticated, not
 * verified again: it needs no identity verification here (the added-line
 * checks judge its authentication and that the applicant holds the line).
 */
export const kycMissing: ContractDetector = {
  name: 'contract.kyc_missing',
  signals: ['CONTRACT_DATA_SIM_NO_KYC', 'CONTRACT_KYC_MISSING'],
  run(event, ctx) {
    const app = event.payload;
    if (app.identityVerification !== undefined || app.addedLine !== undefined) return [];
    const read = settingsOf(ctx);
    const exempt = new Set(read.settings.exemptProducts);
    const hits: Hit[] = [];
    for (const simType of ['data_sms', 'data'] as const) {
      // Only a data-only SIM can be exempt: SMS makes it as risky as voice.
      const lines = app.lines.filter(
        (l) =>
          l.simType === simType &&
          (simType === 'data_sms' || l.product === undefined || !exempt.has(l.product)),
      );
      if (lines.length === 0) continue;
      const count = lines.reduce((n, l) => n + l.count, 0);
      hits.push({
        signal: 'CONTRACT_DATA_SIM_NO_KYC',
        evidence: [
          `sim_type=${simType}`,
          `lines=${count}`,
          `products=${[...new Set(lines.map((l) => l.product ?? '(none)'))].join(',')}`,
          simType === 'data_sms'
            ? 'exempt_products=(none: an SMS-capable SIM is never exempt)'
            : `exempt_products=${[...exempt].join(',') || '(none)'}`,
          ...fallbackEvidence(read, 'exemptProducts'),
        ],
        params: {
          simTypeJa: SIM_TYPE_LABELS[simType].ja,
          simTypeEn: SIM_TYPE_LABELS[simType].en,
          lines: count,
          linesEn: counted(count, 'line'),
        },
      });
    }
    const voice = app.lines.filter((l) => l.simType === 'voice').reduce((n, l) => n + l.count, 0);
    if (voice > 0) {
      hits.push({
        signal: 'CONTRACT_KYC_MISSING',
        evidence: ['sim_type=voice', `lines=${voice}`, 'identity_verification=(none)'],
        params: { lines: voice, linesEn: counted(voice, 'line') },
      });
    }
    return hits;
  },
};
