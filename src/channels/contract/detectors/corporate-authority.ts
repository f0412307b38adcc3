import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, daysBetween, settingsOf } from './application.ts';
import { type CorporateProblem, corporateHit } from './corporate-problem.ts';
import { counted } from './labels.ts';

/**
 * A representative's authority to act (法人の代理権, measure P4): beside
 * employment (在籍確認), the person applying for a corporation must be its
 * representative (代表者, checked against a recent registry certificate,
 * 登記事項証明書) or carry a letter of authority (委任状) from it, dated
 * within `corporate.authorityMaxAgeDays` (90) of the application. Missing or
 * stale → HQ reviews. `corporate.requireAuthority: false` turns it off.
 * HQ's approved exception for the application covers it.
 */
export const corporateAuthority: ContractDetector = {
  name: 'contract.corporate_authority',
  signals: ['CONTRACT_CORP_AUTHORITY_UNVERIFIED'],
  run(event, ctx) {
    const app = event.payload;
    if (app.holder.type !== 'corporation') return [];
    const read = settingsOf(ctx);
    const { requireAuthority, authorityMaxAgeDays } = read.settings.corporate;
    if (!requireAuthority) return [];
    const authority = app.holder.corporation?.authority;
    let problem: CorporateProblem | undefined;
    if (!authority) {
      problem = {
        ja: '代理権を確認した記録がありません',
        en: 'no proof of authority was given',
        evidence: ['authority=(none)'],
      };
    } else {
      const ageDays = daysBetween(new Date(`${authority.issuedOn}T00:00:00+09:00`), ctx.now);
      if (ageDays > authorityMaxAgeDays) {
        const what =
          authority.basis === 'letter_of_authority'
            ? { ja: '委任状', en: 'the letter of authority' }
            : { ja: '登記事項証明書', en: 'the registry certificate' };
        problem = {
          ja: `${what.ja}の日付が ${ageDays} 日前で、${authorityMaxAgeDays} 日以内のものが必要です`,
          en: `${what.en} is ${counted(ageDays, 'day')} old; it must be within ${counted(authorityMaxAgeDays, 'day')}`,
          evidence: [
            `authority=${authority.basis} issued_on=${authority.issuedOn}`,
            `age_days=${ageDays} max_age_days=${authorityMaxAgeDays}`,
          ],
        };
      }
    }
    if (!problem) return [];
    const evidence = [...problem.evidence, ...fallbackEvidence(read, 'corporate')];
    return [corporateHit('CONTRACT_CORP_AUTHORITY_UNVERIFIED', { ...problem, evidence })];
  },
};
