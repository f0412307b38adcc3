import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, settingsOf } from './application.ts';
import { ADDED_LINE_AUTH_LABELS, listOf } from './labels.ts';

/**
 * Added lines (追加回線, measure P3): a line added to an existing contract
 * must be authenticated by more than ID and password — multi-factor
 * authentication such as biometrics (生体認証) or a one-time password
 * (ワンタイムパスワード). An authentication outside the carrier's accepted
 * factors (`addedLineFactors`) gets a step-up naming the accepted ones.
 */
export const addedLineAuth: ContractDetector = {
  name: 'contract.added_line_auth',
  signals: ['CONTRACT_ADDED_LINE_WEAK_AUTH'],
  run(event, ctx) {
    const added = event.payload.addedLine;
    if (added === undefined) return [];
    const read = settingsOf(ctx);
    const accepted = read.settings.addedLineFactors;
    if (accepted.includes(added.authentication)) return [];
    const method = ADDED_LINE_AUTH_LABELS[added.authentication];
    const list = listOf(accepted, ADDED_LINE_AUTH_LABELS);
    return [
      {
        signal: 'CONTRACT_ADDED_LINE_WEAK_AUTH',
        evidence: [
          `authentication=${added.authentication}`,
          `accepted=${accepted.join(',')}`,
          ...fallbackEvidence(read, 'addedLineFactors'),
        ],
        params: { methodJa: method.ja, methodEn: method.en, acceptedJa: list.ja, acceptedEn: list.en },
      },
    ];
  },
};
