import { fallbackEvidence } from '../settings.ts';
import {
  type ContractDetector,
  contextEvidence,
  coveringException,
  exceptionHit,
  servicesOf,
  settingsOf,
} from './application.ts';
import { SIM_TYPE_LABELS } from './labels.ts';

/**
 * Registered users (利用者登録, measure P6): beyond the holder's first
 * `registeredUser.freeLines` lines of the listed SIM types (lines held
 * count first), every requested line needs its real user registered. A
 * score, not a forced action: weight 2 per line missing, so with the default
 * thresholds two missing lines ask for a step-up (register the users) and
 * three or more go to HQ review. HQ's approved exception covers it.
 */
export const registeredUser: ContractDetector = {
  name: 'contract.registered_user',
  signals: ['CONTRACT_REGISTERED_USER_MISSING', 'CONTRACT_EXCEPTION_APPROVED'],
  run(event, ctx) {
    const app = event.payload;
    const read = settingsOf(ctx);
    const { freeLines, simTypes, holderTypes } = read.settings.registeredUser;
    if (!holderTypes.includes(app.holder.type) || simTypes.length === 0) return [];
    const context = servicesOf(ctx);
    const held = simTypes.reduce((n, t) => n + context.existingLines[t], 0);
    const unregistered = app.lines
      .filter((l) => simTypes.includes(l.simType) && l.registeredUser === undefined)
      .reduce((n, l) => n + l.count, 0);
    const free = Math.max(0, freeLines - held);
    const missing = unregistered - free;
    if (missing <= 0) return [];
    const evidence = [
      `missing=${missing}`,
      `unregistered_requested=${unregistered}`,
      `held=${held} (${simTypes.join(',')})`,
      `free_lines=${freeLines}`,
      ...fallbackEvidence(read, 'registeredUser'),
      ...contextEvidence(ctx),
    ];
    const exception = coveringException(app, context);
    if (exception) return [exceptionHit(exception, 'CONTRACT_REGISTERED_USER_MISSING', evidence)];
    return [
      {
        signal: 'CONTRACT_REGISTERED_USER_MISSING',
        factor: missing,
        evidence,
        params: {
          missing,
          freeLines,
          simTypesJa: simTypes.map((t) => SIM_TYPE_LABELS[t].ja).join('・'),
          simTypesEn: simTypes.map((t) => SIM_TYPE_LABELS[t].en).join('/'),
        },
      },
    ];
  },
};
