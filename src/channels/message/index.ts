import type { ChannelModule, ChannelPlugin, SignalDeclaration } from '../../core/index.ts';
import { INTEL_SIGNALS, intelMatchDetectors } from '../../intel/index.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import { campaignPart } from './campaign.ts';
import { callbackPart } from './detectors/callback.ts';
import { lureModelPart } from './detectors/lure-model.ts';
import { recruitmentPart } from './detectors/recruitment.ts';
import { senderPart } from './detectors/sender.ts';
import { urlPart } from './detectors/url.ts';
import { extractMessage } from './message-extractor.ts';
import type { MessagePart } from './message-part.ts';
import { type MessagePayload, messageSchema } from './message-schema.ts';
import { beginMessage, type MessageState } from './message-state.ts';
import { MESSAGE_MIGRATIONS } from './migrations/index.ts';
import { subscriberKey } from './subscriber-store.ts';
import { subscriberPart } from './subscribers.ts';

export { extractMessage } from './message-extractor.ts';
export { type MessageDb, type MessagePart, type MessageScreening, messageDb } from './message-part.ts';
export {
  MAX_MESSAGE_TEXT,
  MESSAGE_KINDS,
  type MessageKind,
  type MessagePayload,
  messageSchema,
} from './message-schema.ts';
export { beginMessage, type MessageDetector, type MessageState } from './message-state.ts';

/** The message channel as the engine sees it. */
export type MessageChannel = ChannelModule<MessagePayload, MessageState>;

const EXAMPLE: MessagePayload = {
  kind: 'sms',
  sender: '+818011112222',
  recipient: '+819012345678',
  text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
  receivedAt: '2026-01-15T09:30:00+09:00',
};

/**
 * The parts of the message channel, each in its own file: content model,
 * URLs, senders, call-back lures, recruitment posts (P7), campaigns, and the
 * subscribers' settings and reports (I3).
 */
export function messageParts(
  deps: ChannelDeps,
  describe: (signal: string) => SignalDeclaration | undefined = () => undefined,
): MessagePart[] {
  return [
    lureModelPart(),
    urlPart(),
    senderPart(deps),
    callbackPart(),
    recruitmentPart(),
    campaignPart(deps),
    subscriberPart(deps, describe),
  ];
}

/** The one part that gives a hook, if any (two parts giving the same hook is a bug). */
function onlyHook<K extends 'waiver' | 'thresholds' | 'notices'>(
  parts: readonly MessagePart[],
  key: K,
): MessagePart[K] {
  const giving = parts.filter((p) => p[key] !== undefined);
  if (giving.length > 1) throw new Error(`message channel: ${giving.length} parts give the ${key} hook`);
  return giving[0]?.[key];
}

/**
 * The message channel (measures I1, I3, P7): SMS, RCS, DMs and posts
 * screened before they reach the recipient or are published, so a fraud
 * lure is blocked (to the filtered folder) or shown with a warning label,
 * and a recruitment post for crimes (闇バイト) is taken down. Reads the text
 * (a Japanese and English content model, call-back and recruitment cues),
 * its URLs (obfuscation undone; URL model, look-alike brands, hosting
 * platforms, shorteners), its sender (formats, verified sender IDs), its
 * campaign (near-identical texts from many senders) and intel
 * (`INTEL_MATCH_*`); each subscriber's settings decide how strict.
 *
 * @example const message = createMessageChannel({ db: store.db, hasher, decisions: store.decisions, intel });
 */
export function createMessageChannel(deps: ChannelDeps): MessageChannel {
  // The notices quote any part's signal texts: looked up once every part's signals are in.
  const declared = new Map<string, SignalDeclaration>();
  const parts = messageParts(deps, (name) => declared.get(name));
  const signals: SignalDeclaration[] = [...INTEL_SIGNALS];
  const recorders = parts.flatMap((p) => (p.record ? [p.record] : []));
  const messagesJa = Object.assign({}, ...parts.map((p) => p.messagesJa ?? {}));
  for (const p of parts) signals.push(...(p.signals ?? []));
  for (const s of signals) declared.set(s.name, s);
  const defaultSettings: Record<string, unknown> = {};
  for (const p of parts) {
    for (const [key, value] of Object.entries(p.defaultSettings ?? {})) {
      if (Object.hasOwn(defaultSettings, key))
        throw new Error(`message channel: two parts set settings.${key}`);
      defaultSettings[key] = value;
    }
  }
  const issueCheckers = parts.flatMap((p) => (p.settingsIssues ? [p.settingsIssues] : []));
  const waiver = onlyHook(parts, 'waiver');
  const thresholds = onlyHook(parts, 'thresholds');
  const notices = onlyHook(parts, 'notices');
  return {
    name: 'message',
    title: { ja: 'メッセージ（SMS・RCS・DM・投稿）', en: 'Messages (SMS, RCS, DMs, posts)' },
    schema: messageSchema,
    signals,
    detectors: [
      ...intelMatchDetectors<MessagePayload, MessageState>(),
      ...parts.flatMap((p) => p.detectors ?? []),
    ],
    begin: beginMessage,
    extract: extractMessage,
    enrichments: parts.flatMap((p) => p.enrichments ?? []),
    defaultPolicy: {
      id: 'message.default',
      channel: 'message',
      description: 'メッセージの既定ポリシー / Default message policy',
      thresholds: { warn: 4, block: 8 },
      groups: { intel: { maxScore: 20 } },
      // A message cannot wait for a person because a lookup (campaign, verified senders, the subscriber's
      // settings) failed: the verdict stands on the checks that ran, and the failure is recorded and explained.
      signals: { POLICY_ENRICHMENT_FAILED: { forceAction: null } },
    },
    defaultSettings,
    settingsIssues: (settings) => issueCheckers.flatMap((check) => check(settings)),
    ...(waiver ? { waiver } : {}),
    ...(thresholds ? { thresholds } : {}),
    ...(notices ? { notices } : {}),
    // The recipient is the person protected: the decision log keeps only its keyed hash (as the tables do).
    redact: (payload) =>
      payload.recipient === undefined
        ? payload
        : { ...payload, recipient: subscriberKey(deps.hasher, payload.recipient) ?? '' },
    record: async (verdict, screening) => {
      for (const record of recorders) await record(verdict, screening);
    },
    operations: parts.flatMap((p) => p.operations ?? []),
    messagesJa,
    example: EXAMPLE,
  };
}

/** The message channel as the registry lists it: its tables' migrations, then the channel built on them. */
export const messagePlugin: ChannelPlugin<ChannelDeps> = {
  name: 'message',
  migrations: MESSAGE_MIGRATIONS,
  create: createMessageChannel,
};
