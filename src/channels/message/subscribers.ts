import type { ChannelDeps } from '../channel-deps.ts';
import type { MessagePart } from './message-part.ts';

/** Per-subscriber settings (I3): filtering on by default, strength, personal allow list; reports. */
export function subscriberPart(_deps: ChannelDeps): MessagePart {
  return {};
}
