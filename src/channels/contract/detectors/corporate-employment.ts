import { isCorporateNumber } from '../corporate-number.ts';
import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, daysBetween, settingsOf } from './application.ts';
import { corporateHit } from './corporate-problem.ts';
import { counted } from './labels.ts';

/**
 * Corporate contracts (法人の代理権・在籍確認, measure P4): the person
 * applying for a corporation must be verified as working there, recently
 * (`corporate.employmentMaxAgeDays` before the application), and the
 * corporate number (法人番号) must be valid (the schema refuses a bad one at
 * the edge; checked again here for events that bypassed it). Otherwise HQ
 * reviews the application. HQ's approved exception for the application
 * covers it.
 */
export const corporateEmployment: ContractDetector = {
  name: 'contract.corporate_employment',
  signals: ['CONTRACT_CORP_EMPLOYMENT_UNVERIFIED'],
  run(event, ctx) {
    const app = event.payload;
    if (app.holder.type !== 'corporation') return [];
    const read = settingsOf(ctx);
    const corporation = app.holder.corporation;
    const maxAgeDays = read.settings.corporate.employmentMaxAgeDays;
    const verification = corporation?.employmentVerification;
    let problem: { ja: string; en: string; evidence: string[] } | undefined;
    if (!corporation || !isCorporateNumber(corporation.corporateNumber)) {
      problem = {
        ja: '法人番号が正しくありません',
        en: 'the corporate number is not valid',
        evidence: [`corporate_number=${corporation?.corporateNumber ?? '(none)'} invalid`],
      };
    } else if (!verification) {
      problem = {
        ja: '在籍確認の記録がありません',
        en: 'no employment verification was given',
        evidence: ['employment_verification=(none)'],
      };
    } else {
      const ageDays = daysBetween(new Date(verification.verifiedAt), ctx.now);
      if (ageDays > maxAgeDays) {
        problem = {
          ja: `在籍確認が ${ageDays} 日前のもので、${maxAgeDays} 日以内の確認が必要です`,
          en: `the verification is ${counted(ageDays, 'day')} old; it must be within ${counted(maxAgeDays, 'day')}`,
          evidence: [
            `employment_verification=${verification.method} at ${verification.verifiedAt}`,
            `age_days=${ageDays} max_age_days=${maxAgeDays}`,
          ],
        };
      }
    }
    if (!problem) return [];
    const evidence = [
      ...problem.evidence,
      ...(corporation ? [`corporate_number=${corporation.corporateNumber}`] : []),
      ...fallbackEvidence(read, 'corporate'),
    ];
    return [corporateHit('CONTRACT_CORP_EMPLOYMENT_UNVERIFIED', { ...problem, evidence })];
  },
};
