import type { Hit } from '../../../core/index.ts';
import type { ContractApplication, SimType } from '../contract-schema.ts';
import { NEEDS_HISTORY } from '../history.ts';
import { fallbackEvidence } from '../settings.ts';
import { type ContractDetector, contextEvidence, servicesOf, settingsOf } from './application.ts';
import { counted, SIM_TYPE_LABELS } from './labels.ts';

/** Lines of the given SIM types requested without a registered user. */
function unregistered(app: ContractApplication, simTypes: readonly SimType[]): number {
  return app.lines
    .filter((l) => simTypes.includes(l.simType) && l.registeredUser === undefined)
    .reduce((n, l) => n + l.count, 0);
}

function simTypeParams(simTypes: readonly SimType[]) {
  return {
    simTypesJa: simTypes.map((t) => SIM_TYPE_LABELS[t].ja).join('・'),
    simTypesEn: simTypes.map((t) => SIM_TYPE_LABELS[t].en).join('/'),
  };
}

/**
 * Registered users (利用者登録・実際の使用者, measure P6).
 *
 * - A corporation's lines are all used by someone else: every requested line
 *   of `registeredUser.corporateSimTypes` (voice and data+SMS) needs its real
 *   user registered (name and birth date), or HQ reviews it
 *   (`CONTRACT_CORP_REGISTERED_USER_MISSING`, forced review; an empty list
 *   turns it off).
 * - A person's lines: beyond the holder's first `registeredUser.freeLines`
 *   lines of `registeredUser.simTypes` (lines held count first), every
 *   requested line needs its user registered. A score, not a forced action:
 *   weight 2 per line missing, so two missing lines ask for a step-up
 *   (register the users) and three or more go to HQ review
 *   (`CONTRACT_REGISTERED_USER_MISSING`, for the holder types in
 *   `registeredUser.holderTypes`).
 * HQ's approved exception covers both.
 */
export const registeredUser: ContractDetector = {
  name: 'contract.registered_user',
  signals: ['CONTRACT_REGISTERED_USER_MISSING', 'CONTRACT_CORP_REGISTERED_USER_MISSING'],
  needs: NEEDS_HISTORY,
  run(event, ctx) {
    const app = event.payload;
    const read = settingsOf(ctx);
    const { freeLines, simTypes, holderTypes, corporateSimTypes } = read.settings.registeredUser;
    const context = servicesOf(ctx);
    if (app.holder.type === 'corporation' && corporateSimTypes.length > 0) {
      const missing = unregistered(app, corporateSimTypes);
      if (missing === 0) return [];
      const evidence = [
        `missing=${missing}`,
        `holder_type=corporation`,
        `sim_types=${corporateSimTypes.join(',')}`,
        ...fallbackEvidence(read, 'registeredUser'),
      ];
      return [
        {
          signal: 'CONTRACT_CORP_REGISTERED_USER_MISSING',
          evidence,
          params: { missing, missingEn: counted(missing, 'line'), ...simTypeParams(corporateSimTypes) },
        },
      ];
    }
    if (!holderTypes.includes(app.holder.type) || simTypes.length === 0) return [];
    const held = simTypes.reduce((n, t) => n + context.existingLines[t], 0);
    const asked = unregistered(app, simTypes);
    const free = Math.max(0, freeLines - held);
    const missing = asked - free;
    if (missing <= 0) return [];
    const evidence = [
      `missing=${missing}`,
      `unregistered_requested=${asked}`,
      `held=${held} (${simTypes.join(',')})`,
      `free_lines=${freeLines}`,
      ...fallbackEvidence(read, 'registeredUser'),
      ...contextEvidence(ctx),
    ];
    const hit: Hit = {
      signal: 'CONTRACT_REGISTERED_USER_MISSING',
      factor: missing,
      evidence,
      params: {
        missing,
        missingEn: counted(missing, 'line'),
        freeLines,
        freeLinesEn: counted(freeLines, 'line'),
        ...simTypeParams(simTypes),
      },
    };
    return [hit];
  },
};
