import type { ChannelDeps } from '../channel-deps.ts';
import type { MessagePart } from './message-part.ts';

/** MESSAGE_CAMPAIGN (I1): near-identical texts from many senders within a window. */
export function campaignPart(_deps: ChannelDeps): MessagePart {
  return {};
}
