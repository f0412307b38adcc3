import type { ChannelModule, ChannelPlugin } from '../../core/index.ts';
import { INTEL_SIGNALS, intelMatchDetectors } from '../../intel/index.ts';
import { extractMessage } from './message-extractor.ts';
import { type MessagePayload, messageSchema } from './message-schema.ts';

export { extractMessage } from './message-extractor.ts';
export { MESSAGE_KINDS, type MessageKind, type MessagePayload, messageSchema } from './message-schema.ts';

/**
 * The message channel (measure I1): SMS, DMs and posts screened before they
 * reach the recipient, so a fraud lure is blocked or shown with a warning.
 * This first version matches the sender and every URL, e-mail address and
 * phone number in the text against intel (`INTEL_MATCH_*`); lure and
 * recruitment-post models come with the message channel issue.
 */
export const message: ChannelModule<MessagePayload> = {
  name: 'message',
  title: { ja: 'メッセージ（SMS・DM・投稿）', en: 'Messages (SMS, DMs, posts)' },
  schema: messageSchema,
  signals: INTEL_SIGNALS,
  detectors: intelMatchDetectors<MessagePayload>(),
  extract: extractMessage,
  defaultPolicy: {
    id: 'message.default',
    channel: 'message',
    description: 'メッセージの既定ポリシー / Default message policy',
    thresholds: { warn: 3, review: 6, block: 9 },
    groups: { intel: { maxScore: 20 } },
  },
  example: {
    kind: 'sms',
    sender: '+81300000000',
    text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
    sentAt: '2026-01-15T09:30:00+09:00',
  },
};

/** The message channel as the registry lists it: no tables of its own yet, so no migrations. */
export const messagePlugin: ChannelPlugin = { name: 'message', create: () => message };
