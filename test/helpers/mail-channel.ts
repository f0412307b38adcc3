import {
  createMailChannel,
  type MailChannel,
  type MailChannelOptions,
} from '../../src/channels/mail/index.ts';
import { type ChannelKit, channelKit } from './channel-kit.ts';

/** The mail channel built for suites that read none of its tables, its engine and default policy. */
export interface MailKit extends Omit<ChannelKit<MailChannel>, 'channel'> {
  readonly mail: MailChannel;
}

/** A mail payload from a raw message and the envelope fields given (one recipient by default). */
export function mailPayload(
  raw: string,
  envelope: { clientIp?: string; helo?: string; mailFrom?: string; rcptTo?: string[] } = {},
): unknown {
  return { raw, envelope: { rcptTo: ['user@example.jp'], ...envelope } };
}

/**
 * The mail channel on a database that answers no rows (`unconnectedDb`),
 * with an engine, the default policy and a `screen` helper: the set-up every
 * pure detector suite of the channel shares.
 *
 * DNS is off unless `options.dns` gives a resolver (one on a loopback
 * server of `test/helpers/dns-server.ts`): no test asks the internet.
 *
 * @example const { screen } = mailKit(); const verdict = await screen(mailPayload(raw));
 */
export function mailKit(options: MailChannelOptions = {}, key = 'mail-test-key-0123456789abcdef'): MailKit {
  const { channel, ...kit } = channelKit(
    (deps) => createMailChannel(deps, { dns: 'off', authServId: 'mx.test.example', ...options }),
    key,
  );
  return { ...kit, mail: channel };
}
