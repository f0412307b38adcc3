import type { ChannelDeps } from '../../channel-deps.ts';
import type { MessagePart } from '../message-part.ts';

/** MESSAGE_SENDER_* (I1): impossible sender formats, unverified brand sender IDs, international numbers as domestic brands. */
export function senderPart(_deps: ChannelDeps): MessagePart {
  return {};
}
