import { createMessageChannel, type MessageChannel } from '../../src/channels/message/index.ts';
import { type ChannelKit, channelKit } from './channel-kit.ts';

/** The message channel built for suites that read none of its tables, its engine and default policy. */
export interface MessageKit extends Omit<ChannelKit<MessageChannel>, 'channel'> {
  readonly message: MessageChannel;
}

/**
 * The message channel on a database that answers no rows (`unconnectedDb`),
 * with an engine, the default policy and a `screen` helper: the set-up every
 * pure detector suite of the channel shares.
 *
 * @example const { screen } = messageKit(); const verdict = await screen({ kind: 'sms', sender: '+819012345678', text });
 */
export function messageKit(key = 'message-test-key-0123456789'): MessageKit {
  const { channel, ...kit } = channelKit(createMessageChannel, key);
  return { ...kit, message: channel };
}
