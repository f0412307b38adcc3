import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, settingsOf } from './application.ts';
import { counted } from './labels.ts';

/**
 * Sign-ups by program (自作プログラムによる不正契約, measure P6; seed 001: a
 * young person signed contracts fraudulently with a program written with
 * generative AI): an online session whose form was filled faster than a
 * person can (`automation.minFormSeconds`) or that took more attempts than
 * a person makes (`automation.maxAttempts`), as the carrier's sign-up system
 * reports them (`session`). HQ reviews. Either limit `null` turns it off.
 */
export const sessionAutomation: ContractDetector = {
  name: 'contract.session_automation',
  signals: ['CONTRACT_SESSION_AUTOMATED'],
  run(event, ctx) {
    const session = event.payload.session;
    if (session === undefined) return [];
    const read = settingsOf(ctx);
    const { minFormSeconds, maxAttempts } = read.settings.automation;
    const ja: string[] = [];
    const en: string[] = [];
    const evidence: string[] = [];
    if (
      minFormSeconds !== null &&
      session.formSeconds !== undefined &&
      session.formSeconds < minFormSeconds
    ) {
      ja.push(`入力時間 ${session.formSeconds} 秒`);
      en.push(`form filled in ${counted(session.formSeconds, 'second')}`);
      evidence.push(`form_seconds=${session.formSeconds} < ${minFormSeconds}`);
    }
    if (maxAttempts !== null && session.attempts !== undefined && session.attempts > maxAttempts) {
      ja.push(`試行 ${session.attempts} 回`);
      en.push(counted(session.attempts, 'attempt'));
      evidence.push(`attempts=${session.attempts} > ${maxAttempts}`);
    }
    if (evidence.length === 0) return [];
    return [
      {
        signal: 'CONTRACT_SESSION_AUTOMATED',
        evidence: [...evidence, ...fallbackEvidence(read, 'automation')],
        params: { problemJa: ja.join('、'), problemEn: en.join(', ') },
      },
    ];
  },
};
