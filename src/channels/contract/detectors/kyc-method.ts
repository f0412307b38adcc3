import type { SalesChannel } from '../contract-schema.ts';
import { fallbackEvidence, type KycRule } from '../settings.ts';
import { type ContractDetector, japanDate, ruleTime, settingsOf } from './application.ts';
import { enDate, jaDate, KYC_METHOD_LABELS, listOf, SALES_CHANNEL_LABELS } from './labels.ts';

/**
 * The rule set in force for a sales channel on a date (Japan, `YYYY-MM-DD`):
 * the one with the latest `from` on or before it; of two with the same
 * `from`, the later in the list. Undefined when none has started.
 */
export function ruleInForce(
  rules: readonly KycRule[],
  channel: SalesChannel,
  date: string,
): KycRule | undefined {
  let found: KycRule | undefined;
  for (const rule of rules) {
    if (rule.channel !== channel || rule.from > date) continue;
    if (!found || rule.from >= found.from) found = rule;
  }
  return found;
}

/**
 * KYC method rules (本人確認方法): each sales channel accepts the methods of
 * the rule set in force on the application's date (`kycRules`, with
 * effective dates). By default, from 2026-04-01 online sign-up accepts only
 * the JPKI signature certificate or IC-chip reading with a face match;
 * photos and copies of documents are refused. A method outside the rule
 * blocks the application; the reason names the methods accepted.
 */
export const kycMethod: ContractDetector = {
  name: 'contract.kyc_method',
  signals: ['CONTRACT_KYC_METHOD_NOT_ALLOWED'],
  run(event, ctx) {
    const app = event.payload;
    const kyc = app.identityVerification;
    if (kyc === undefined) return [];
    const read = settingsOf(ctx);
    const { settings } = read;
    const time = ruleTime(app, ctx.now, settings.kycRuleDate.maxBackdateDays);
    const channel = app.salesChannel.type;
    const rule = ruleInForce(settings.kycRules, channel, japanDate(time.at));
    if (rule === undefined || rule.allowed.includes(kyc.method)) return [];
    const allowed = listOf(rule.allowed, KYC_METHOD_LABELS);
    return [
      {
        signal: 'CONTRACT_KYC_METHOD_NOT_ALLOWED',
        evidence: [
          `method=${kyc.method}`,
          `sales_channel=${channel}`,
          `rule_from=${rule.from}${rule.label ? ` (${rule.label})` : ''}`,
          `allowed=${rule.allowed.join(',')}`,
          time.evidence,
          ...fallbackEvidence(read, 'kycRules', 'kycRuleDate'),
        ],
        params: {
          channelJa: SALES_CHANNEL_LABELS[channel].ja,
          channelEn: SALES_CHANNEL_LABELS[channel].en,
          methodJa: KYC_METHOD_LABELS[kyc.method].ja,
          methodEn: KYC_METHOD_LABELS[kyc.method].en,
          ruleFrom: rule.from,
          ruleFromJa: jaDate(rule.from),
          ruleFromEn: enDate(rule.from),
          allowedJa: allowed.ja,
          allowedEn: allowed.en,
        },
      },
    ];
  },
};
