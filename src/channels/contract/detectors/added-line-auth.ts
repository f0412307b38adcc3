import type { Hit, LocalizedText } from '../../../core/index.ts';
import type { NamedLineState } from '../contract-context.ts';
import { NEEDS_HISTORY } from '../history.ts';
import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, contextEvidence, hasHistory, servicesOf, settingsOf } from './application.ts';
import { ADDED_LINE_AUTH_LABELS, listOf } from './labels.ts';

/** What the reviewer reads of a named line the applicant does not hold. */
const NOT_HELD: Readonly<Record<Exclude<NamedLineState, 'held'> | 'no_lines', LocalizedText>> = {
  other_holder: {
    ja: '指定された回線は他の名義のご契約です',
    en: 'the line named is held by another holder',
  },
  cancelled: {
    ja: '指定された回線は解約済みです',
    en: 'the line named has been cancelled',
  },
  unknown: {
    ja: '指定された回線は当社の回線記録にありません',
    en: 'the line named is not in the carrier’s line records',
  },
  no_lines: {
    ja: 'お申込みの方の名義で利用中の回線が当社の回線記録にありません',
    en: 'the applicant holds no line in the carrier’s line records',
  },
};

/**
 * Added lines (追加回線, measure P3): a line added to an existing contract
 * through My Page, an app or a shop is authenticated, not verified again.
 *
 * - Its authentication must be more than ID and password — multi-factor
 *   authentication such as biometrics (生体認証), a one-time password
 *   (ワンタイムパスワード) or a passkey. One outside the carrier's accepted
 *   factors (`addedLineFactors`) gets a step-up naming the accepted ones
 *   (`CONTRACT_ADDED_LINE_WEAK_AUTH`).
 * - The applicant must really hold the line the application names, as the
 *   carrier's lines say (active or suspended, in the applicant's name); with
 *   no line named, the applicant must hold at least one line. Lines granted
 *   to the holder within the velocity window count as held (the carrier's
 *   import may not show them yet), and a named number the carrier's lines do
 *   not know at all passes only for such a holder. Otherwise
 *   `CONTRACT_ADDED_LINE_NOT_HELD` sends it to HQ: an added line is how a
 *   stolen My Page account or a made-up "existing customer" would skip
 *   identity verification.
 */
export const addedLineAuth: ContractDetector = {
  name: 'contract.added_line_auth',
  signals: ['CONTRACT_ADDED_LINE_WEAK_AUTH', 'CONTRACT_ADDED_LINE_NOT_HELD'],
  needs: NEEDS_HISTORY,
  run(event, ctx) {
    const added = event.payload.addedLine;
    if (added === undefined) return [];
    const hits: Hit[] = [];
    const read = settingsOf(ctx);
    const accepted = read.settings.addedLineFactors;
    if (!accepted.includes(added.authentication)) {
      const method = ADDED_LINE_AUTH_LABELS[added.authentication];
      const list = listOf(accepted, ADDED_LINE_AUTH_LABELS);
      hits.push({
        signal: 'CONTRACT_ADDED_LINE_WEAK_AUTH',
        evidence: [
          `authentication=${added.authentication}`,
          `accepted=${accepted.join(',')}`,
          ...fallbackEvidence(read, 'addedLineFactors'),
        ],
        params: { methodJa: method.ja, methodEn: method.en, acceptedJa: list.ja, acceptedEn: list.en },
      });
    }
    // Holding is judged on the carrier's lines, which only a loaded context has.
    if (!hasHistory(ctx)) return hits;
    const context = servicesOf(ctx);
    const held = context.existingLines;
    const heldCount = held.voice + held.data_sms + held.data;
    // Lines granted to the holder within the window that the carrier's import may not show yet.
    const granted = context.holderApplications
      .filter((a) => a.action === 'allow' || a.action === 'warn')
      .reduce((n, a) => n + a.lines, 0);
    const state =
      added.lineNumber === undefined
        ? heldCount + granted > 0
          ? 'held'
          : 'no_lines'
        : (context.namedLine ?? 'unknown');
    // A number the carrier's lines do not know yet may be one granted lately: only then is it given the benefit.
    if (state !== 'held' && !(state === 'unknown' && granted > 0)) {
      const text = NOT_HELD[state];
      hits.push({
        signal: 'CONTRACT_ADDED_LINE_NOT_HELD',
        evidence: [
          `named_line=${added.lineNumber ?? '(none)'}`,
          `state=${state}`,
          `lines_held=${heldCount}`,
          `lines_granted_in_window=${granted}`,
          ...contextEvidence(ctx),
        ],
        params: { stateJa: text.ja, stateEn: text.en },
      });
    }
    return hits;
  },
};
