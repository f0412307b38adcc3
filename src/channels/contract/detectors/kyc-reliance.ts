import type { Hit } from '../../../core/index.ts';
import { type KycMethod, SIM_TYPES } from '../contract-schema.ts';
import { fallbackEvidence } from '../settings.ts';
import {
  type ContractDetector,
  daysBetween,
  japanDate,
  requestedLines,
  ruleTime,
  settingsOf,
} from './application.ts';
import { ruleInForce } from './kyc-method.ts';
import { counted, KYC_METHOD_LABELS, listOf, SIM_TYPE_LABELS } from './labels.ts';

/** What to ask for when the channel has no rule set: the strongest methods. */
const STRONGEST: readonly KycMethod[] = ['jpki_signature', 'ic_chip_face'];

/**
 * Reliance on another service's KYC (他社の本人確認結果への依拠, measure
 * P5): allowed only at a sufficient assurance level — the policy sets the
 * minimum per SIM type (`reliance.minAssurance`; the most demanding type
 * requested decides) — and only while fresh (`reliance.maxAgeDays` since
 * the relied-on check). Either failing gets a step-up naming the methods of
 * the channel's rule set in force that do not rely on another service.
 */
export const kycReliance: ContractDetector = {
  name: 'contract.kyc_reliance',
  signals: ['CONTRACT_KYC_RELIANCE_LOW_ASSURANCE', 'CONTRACT_KYC_RELIANCE_STALE'],
  run(event, ctx) {
    const app = event.payload;
    const kyc = app.identityVerification;
    if (kyc?.method !== 'reliance') return [];
    const read = settingsOf(ctx);
    const { settings } = read;
    const requested = requestedLines(app);
    let simType = SIM_TYPES.find((t) => requested[t] > 0) ?? 'voice';
    for (const t of SIM_TYPES) {
      if (requested[t] > 0 && settings.reliance.minAssurance[t] > settings.reliance.minAssurance[simType])
        simType = t;
    }
    const required = settings.reliance.minAssurance[simType];
    const time = ruleTime(app, ctx.now, settings.kycRuleDate.maxBackdateDays);
    const rule = ruleInForce(settings.kycRules, app.salesChannel.type, japanDate(time.at));
    const own = rule?.allowed.filter((m) => m !== 'reliance') ?? [];
    const stepUp = listOf(own.length > 0 ? own : STRONGEST, KYC_METHOD_LABELS);
    const provider = kyc.provider ?? '(unknown)';
    const common = [
      `provider=${provider}`,
      `performed_at=${kyc.performedAt}`,
      `assurance_level=${kyc.assuranceLevel}`,
    ];
    const hits: Hit[] = [];
    if (kyc.assuranceLevel < required) {
      hits.push({
        signal: 'CONTRACT_KYC_RELIANCE_LOW_ASSURANCE',
        evidence: [
          ...common,
          `required=${required} for ${simType}`,
          `requested_types=${SIM_TYPES.filter((t) => requested[t] > 0).join(',')}`,
          ...fallbackEvidence(read, 'reliance'),
        ],
        params: {
          provider,
          level: kyc.assuranceLevel,
          required,
          simTypeJa: SIM_TYPE_LABELS[simType].ja,
          simTypeEn: SIM_TYPE_LABELS[simType].en,
          stepUpJa: stepUp.ja,
          stepUpEn: stepUp.en,
        },
      });
    }
    const ageDays = daysBetween(new Date(kyc.performedAt), ctx.now);
    const maxAgeDays = settings.reliance.maxAgeDays;
    // An added line (P3) carries the holder's original verification: its age is expected, not stale.
    if (ageDays > maxAgeDays && app.addedLine === undefined) {
      hits.push({
        signal: 'CONTRACT_KYC_RELIANCE_STALE',
        evidence: [
          ...common,
          `age_days=${ageDays}`,
          `max_age_days=${maxAgeDays}`,
          ...fallbackEvidence(read, 'reliance'),
        ],
        params: {
          provider,
          ageDays,
          ageDaysEn: counted(ageDays, 'day'),
          maxAgeDays,
          maxAgeDaysEn: counted(maxAgeDays, 'day'),
          stepUpJa: stepUp.ja,
          stepUpEn: stepUp.en,
        },
      });
    }
    return hits;
  },
};
