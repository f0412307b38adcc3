import { NEEDS_HISTORY } from '../history.ts';
import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, contextEvidence, servicesOf, settingsOf, shortKey } from './application.ts';
import { counted } from './labels.ts';

/**
 * One person registered as the real user of lines under many holders
 * (利用者登録, measure P6): a registered user of this application is also
 * registered under at least `registeredUser.sharedUser.minOtherHolders`
 * other holders — on the carrier's lines (held now) or in applications
 * within `sharedUser.windowDays`. Resellers put one "user" on SIMs bought
 * under many names. Users are matched by name and birth date (keyed).
 * HQ reviews; HQ's approved exception covers it.
 */
export const registeredUserShared: ContractDetector = {
  name: 'contract.registered_user_shared',
  signals: ['CONTRACT_REGISTERED_USER_SHARED'],
  needs: NEEDS_HISTORY,
  run(event, ctx) {
    const _app = event.payload;
    const read = settingsOf(ctx);
    const { minOtherHolders, windowDays } = read.settings.registeredUser.sharedUser;
    const context = servicesOf(ctx);
    const shared = context.sharedUsers.filter((u) => u.otherHolders >= minOtherHolders);
    if (shared.length === 0) return [];
    const most = Math.max(...shared.map((u) => u.otherHolders));
    const evidence = [
      ...shared.map(
        (u) =>
          `lines.${u.line}.registeredUser=${shortKey(u.userKey)} other_holders=${u.otherHolders} (at least ${minOtherHolders})`,
      ),
      `window_days=${windowDays} (applications; the carrier's lines held now)`,
      ...fallbackEvidence(read, 'registeredUser'),
      ...contextEvidence(ctx),
    ];
    return [
      {
        signal: 'CONTRACT_REGISTERED_USER_SHARED',
        evidence,
        params: { otherHolders: most, otherHoldersEn: counted(most, 'holder') },
      },
    ];
  },
};
