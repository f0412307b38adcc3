import type { Action, Notice, VerdictHit } from '../../core/index.ts';
import type { ContractApplication } from './contract-schema.ts';
import { linesBySimType } from './contract-store-windows.ts';
import { readContractSettings } from './settings.ts';

/**
 * The resale notice (約款上の転売禁止の周知, seed 001: SIMの不正転売の違法性に
 * ついて周知啓発の推進): the short text a shop reads or an online sign-up
 * shows with every allowed contract.
 */
export const RESALE_NOTICE: Notice = Object.freeze({
  code: 'contract.resale_prohibited',
  ja: '【ご案内】契約約款により、携帯電話の回線・SIMカードの譲渡・転売は禁止されています。他人に渡す目的でのご契約や、ご契約の回線を無断で譲渡・転売することは、携帯電話不正利用防止法により処罰の対象となります。',
  en: 'Notice: the terms of contract prohibit giving away or reselling a phone line or SIM card. Contracting a line to hand it to someone else, or transferring a line without the carrier’s consent, is punishable under the Mobile Phone Improper Use Prevention Act.',
});

/** The pledge (誓約書) is required and not signed: the clerk collects it. */
export const COLLECT_PLEDGE: Notice = Object.freeze({
  code: 'contract.collect_pledge',
  ja: '誓約書（回線を第三者に譲渡・転売しないこと、申告した利用目的で使うこと）が未受領です。お客様から受領してください。',
  en: 'The pledge (not to give away or resell the lines, and to use them for the declared purpose) is not signed: collect it from the customer.',
});

/** Over the cap without a declared purpose: HQ decides on the purpose, so the clerk asks for it. */
export const COLLECT_PURPOSE: Notice = Object.freeze({
  code: 'contract.collect_purpose',
  ja: '利用目的が未記入です。本部の審査に必要なため、お客様に利用目的を確認してお申込みに記入してください。',
  en: 'No purpose was declared: HQ needs it to decide, so ask the customer what the lines are for and add it to the application.',
});

const ALLOWED: ReadonlySet<Action> = new Set(['allow', 'warn']);
const REFUSED: ReadonlySet<Action> = new Set(['block', 'freeze']);

/**
 * The notices of a contract verdict (P2, P6): the resale notice on every
 * allowed verdict; the pledge to collect when it is required and not signed
 * (`pledge.requiredOverCap` — over the line cap — or
 * `pledge.requiredFromSmsLines` SMS-capable lines requested or more) and
 * the application is not refused; the purpose to collect when the cap is
 * exceeded and none was declared.
 */
export function contractNotices(
  scored: { readonly action: Action; readonly hits: readonly VerdictHit[] },
  app: ContractApplication,
  settings?: Readonly<Record<string, unknown>>,
): Notice[] {
  const notices: Notice[] = [];
  if (ALLOWED.has(scored.action)) notices.push(RESALE_NOTICE);
  if (REFUSED.has(scored.action)) return notices;
  const { pledge } = readContractSettings(settings).settings;
  const overCap = scored.hits.some((h) => h.signal === 'CONTRACT_LINE_CAP_EXCEEDED');
  const requested = linesBySimType(app.lines);
  const smsLines = requested.voice + requested.data_sms;
  const pledgeRequired =
    (pledge.requiredOverCap && overCap) ||
    (pledge.requiredFromSmsLines !== null && smsLines >= pledge.requiredFromSmsLines);
  if (pledgeRequired && !app.pledgeSigned) notices.push(COLLECT_PLEDGE);
  if (overCap && app.lines.every((l) => l.purpose === undefined)) notices.push(COLLECT_PURPOSE);
  return notices;
}
