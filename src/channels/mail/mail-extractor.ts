import type { ExtractTools, IndicatorRef } from '../../core/index.ts';
import { extractUrlIndicators, uniqueRefs } from '../../intel/index.ts';
import type { MailScreening } from './mail-part.ts';
import type { MailPayload } from './mail-schema.ts';

/**
 * Indicators of a mail message, looked up in intel (`INTEL_MATCH_*`): the
 * connecting client's IP, the envelope sender, the From and Reply-To
 * addresses with their domains, every link (with its domain), and the
 * e-mail addresses and phone numbers in the subject and the first 20,000 characters of the text
 * (what the normaliser reads, `MailState.normalised`). The
 * recipients are the people protected and are not looked up.
 */
export function extractMail(
  payload: MailPayload,
  tools: ExtractTools,
  screening?: Pick<MailScreening, 'state'>,
): IndicatorRef[] {
  const refs: IndicatorRef[] = [];
  const push = (ref: IndicatorRef | undefined) => {
    if (ref) refs.push(ref);
  };
  const { envelope } = payload;
  if (envelope.clientIp) push(tools.indicator('ip', envelope.clientIp, 'envelope.clientIp'));
  if (envelope.mailFrom) push(tools.indicator('email', envelope.mailFrom, 'envelope.mailFrom'));
  const state = screening?.state;
  if (!state) return uniqueRefs(refs);
  for (const [field, box] of [
    ['from', state.from],
    ...state.replyTo.map((r) => ['replyTo', r] as const),
  ] as const) {
    if (!box) continue;
    push(tools.indicator('email', box.address, field));
    if (box.domain) push(tools.indicator('domain', box.domain, field));
  }
  if (state.mailFromDomain) push(tools.indicator('domain', state.mailFromDomain, 'envelope.mailFrom'));
  for (const u of state.urls) refs.push(...extractUrlIndicators(u.url, tools, 'links'));
  // The e-mail addresses and phone numbers the normaliser already found in the subject and text
  // (refanged, digits only): scanning the text again with the intel extractor cost 0.3 ms a mail.
  for (const r of state.normalised.replacements) {
    if (r.kind === 'email') push(tools.indicator('email', r.value, 'text'));
    else if (r.kind === 'phone') push(tools.indicator('phone', r.value, 'text'));
  }
  return uniqueRefs(refs);
}
