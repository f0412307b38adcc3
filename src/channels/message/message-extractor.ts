import type { ExtractTools, IndicatorRef } from '../../core/index.ts';
import { extractTextIndicators, extractUrlIndicators, uniqueRefs } from '../../intel/index.ts';
import type { MessageScreening } from './message-part.ts';
import type { MessagePayload } from './message-schema.ts';

/**
 * Indicators of a message: the sender's phone number (or e-mail address),
 * every URL (with its domain), e-mail and phone number in the text, the
 * links given apart, and every URL of the screening's state (`ctx.state.urls`,
 * extracted through obfuscation: `hxxps://example[.]com` and `exa mple.com`
 * are matched against intel as `https://example.com/`; issue 9 item 2). The
 * recipient is the one being protected and is not looked up.
 */
export function extractMessage(
  payload: MessagePayload,
  tools: ExtractTools,
  screening?: Pick<MessageScreening, 'state'>,
): IndicatorRef[] {
  const refs: IndicatorRef[] = [];
  const sender =
    tools.indicator('phone', payload.sender, 'sender') ?? tools.indicator('email', payload.sender, 'sender');
  if (sender) refs.push(sender);
  refs.push(...extractTextIndicators(payload.text, tools, 'text'));
  payload.urls?.forEach((url, i) => {
    refs.push(...extractUrlIndicators(url, tools, `urls.${i}`));
  });
  for (const u of screening?.state?.urls ?? []) refs.push(...extractUrlIndicators(u.url, tools, 'text'));
  return uniqueRefs(refs);
}
