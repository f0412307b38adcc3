import {
  defineSignals,
  type EnrichmentRef,
  type FieldIssue,
  type SignalDeclaration,
  type ThresholdProfile,
  type Waiver,
} from '../../core/index.ts';
import { INTEL_SIGNALS } from '../../intel/intel-signals.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import { thresholdLevelIssues } from '../strength-thresholds.ts';
import { type MessagePart, type MessageScreening, messageDb } from './message-part.ts';
import type { MessageDetector, MessageEnrichment } from './message-state.ts';
import { messageNotices } from './notices.ts';
import { REPORT_MESSAGES_JA, reportOperations } from './reports.ts';
import { subscriberOperations } from './subscriber-operations.ts';
import { DEFAULT_SUBSCRIBER, STRENGTHS, type Strength, SubscriberStore } from './subscriber-store.ts';

/** What screening knows of the recipient (the `message.subscriber` enrichment's answer). */
export interface SubscriberView {
  readonly filtering: boolean;
  readonly strength: Strength;
  /** The sender is on the subscriber's personal allow list. */
  readonly allowedSender: boolean;
  /** The recipient's keyed hash; null when the message names no recipient. */
  readonly subscriber: string | null;
  /** The sender as the allow list keeps it (`normaliseAllowedSender`); null when it normalises to nothing. */
  readonly sender: string | null;
}

/** The subscriber's settings for the message's recipient, read by the waiver and the thresholds hook. */
export const SUBSCRIBER: EnrichmentRef<SubscriberView> = { name: 'message.subscriber' };

/** The answer's check: a type guard, not a schema parse, since it runs on every screening. */
function isSubscriberView(v: unknown): v is SubscriberView {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.filtering === 'boolean' &&
    (STRENGTHS as readonly unknown[]).includes(o.strength) &&
    typeof o.allowedSender === 'boolean' &&
    (o.subscriber === null || typeof o.subscriber === 'string') &&
    (o.sender === null || typeof o.sender === 'string')
  );
}

/**
 * The subscriber signals (group `subscriber`, weight 0, always explained):
 * they only ever replace other hits through the waiver, so the verdict says
 * why a message was delivered unfiltered.
 */
export const SUBSCRIBER_SIGNALS = defineSignals([
  {
    name: 'MESSAGE_FILTERING_OFF',
    group: 'subscriber',
    weight: 0,
    explainAlways: true,
    description: {
      ja: '受信者が迷惑メッセージフィルタを無効にしている（I3）',
      en: 'The recipient turned message filtering off (I3)',
    },
    reason: {
      ja: '受信者が迷惑メッセージフィルタを無効にしているため、検知した内容（{covers}）があってもそのまま配信します',
      en: 'The recipient turned filtering off, so the message is delivered despite what was found ({covers})',
    },
    customer: {
      ja: '迷惑メッセージフィルタが無効のため、そのまま届けました',
      en: 'Filtering is off for you, so this was delivered as it is',
    },
  },
  {
    name: 'MESSAGE_SENDER_ALLOWED',
    group: 'subscriber',
    weight: 0,
    explainAlways: true,
    description: {
      ja: '受信者が許可リストに登録した送信者（内容の検知を免除、脅威情報の一致は免除しない）',
      en: "A sender on the recipient's allow list (content checks waived, threat-intel matches not)",
    },
    reason: {
      ja: '送信者 {sender} は受信者の許可リストにあるため、内容の検知（{covers}）を免除しました',
      en: "The sender {sender} is on the recipient's allow list: content checks ({covers}) are waived",
    },
    customer: {
      ja: '許可リストの送信者からのメッセージです',
      en: 'This is from a sender on your allow list',
    },
  },
]);

/**
 * The intel matches an allow list never waives: a friend's hijacked account
 * or a spoofed number still sends a listed phishing URL or call-back number.
 */
const NEVER_WAIVED_BY_ALLOW_LIST: ReadonlySet<string> = new Set(INTEL_SIGNALS.map((s) => s.name));

/** Thresholds of each strength other than standard (the policy's own thresholds are standard). */
export interface StrengthThresholds {
  readonly warn: number;
  readonly block: number;
}

/**
 * Default thresholds of the strengths (`settings.strength`): low warns at
 * 6 and blocks at 12 (one strong sign alone, scored 4 or 5, is let through
 * unlabelled; a strong sign with a weaker one warns); high warns at 2.5 and
 * blocks at 6 (a weak sign alone warns, one strong sign with a weak one
 * blocks). Standard is the policy's own thresholds (warn 4, block 8 by default).
 */
export const DEFAULT_STRENGTH: Readonly<Record<Exclude<Strength, 'standard'>, StrengthThresholds>> = {
  low: { warn: 6, block: 12 },
  high: { warn: 2.5, block: 6 },
};

/** The part's default settings: `settings.strength`. */
export const SUBSCRIBER_DEFAULT_SETTINGS = Object.freeze({ strength: DEFAULT_STRENGTH });

/**
 * What is wrong with `settings.strength`: an object with `low` and/or `high`,
 * each `{ warn, block }` finite with 0 < warn < block ≤ 10^6. `standard` is
 * refused: the policy's `thresholds` are the standard strength.
 */
export function strengthSettingsIssues(settings: Readonly<Record<string, unknown>>): FieldIssue[] {
  const strength = settings.strength;
  if (strength === undefined) return [];
  const issues: FieldIssue[] = [];
  if (typeof strength !== 'object' || strength === null || Array.isArray(strength)) {
    return [
      {
        path: 'settings.strength',
        message: 'must be an object: { low?: { warn, block }, high?: { warn, block } }',
        ja: '{ low?: { warn, block }, high?: { warn, block } } の形のオブジェクトで指定してください',
      },
    ];
  }
  for (const [name, value] of Object.entries(strength)) {
    const path = `settings.strength.${name}`;
    if (name === 'standard') {
      issues.push({
        path,
        message: "the standard strength is the policy's thresholds: set thresholds instead",
        ja: '標準の強度はポリシーの thresholds です。thresholds を設定してください',
      });
      continue;
    }
    if (name !== 'low' && name !== 'high') {
      issues.push({ path, message: 'must be low or high', ja: 'low か high で指定してください' });
      continue;
    }
    issues.push(...thresholdLevelIssues(value, path, ['warn', 'block']));
  }
  return issues;
}

// Profiles made once per settings object (the engine freezes and reuses a policy's settings).
const PROFILES = new WeakMap<object, Partial<Record<Strength, ThresholdProfile>>>();

/**
 * The thresholds of a strength under the channel settings: standard →
 * undefined (the policy's own decide); low and high from `settings.strength`,
 * each falling back to {@link DEFAULT_STRENGTH} when the policy does not set
 * it (a policy's `settings.strength` replaces the default object whole).
 */
export function strengthProfile(
  strength: Strength,
  settings: Readonly<Record<string, unknown>>,
): ThresholdProfile | undefined {
  if (strength === 'standard') return undefined;
  let made = PROFILES.get(settings);
  if (!made) {
    made = {};
    PROFILES.set(settings, made);
  }
  const known = made[strength];
  if (known) return known;
  const given = (settings.strength as Record<string, StrengthThresholds | undefined> | undefined)?.[strength];
  const t = given ?? DEFAULT_STRENGTH[strength];
  const profile: ThresholdProfile = Object.freeze({
    name: strength,
    thresholds: Object.freeze({ warn: t.warn, block: t.block }),
  });
  made[strength] = profile;
  return profile;
}

/**
 * The subscriber's settings as the waiver (I3): filtering off covers every
 * hit (MESSAGE_FILTERING_OFF: delivered, the verdict says why); a sender on
 * the allow list covers the content hits but never an intel match
 * (MESSAGE_SENDER_ALLOWED). Without the enrichment's answer (it failed or
 * did not run) nothing is waived: fail safe.
 */
export function subscriberWaiver(screening: MessageScreening): Waiver | undefined {
  const view = screening.enriched(SUBSCRIBER);
  if (!view) return undefined;
  const who = view.subscriber ? [`subscriber=${view.subscriber.slice(0, 16)}`] : [];
  if (!view.filtering) {
    return {
      signal: 'MESSAGE_FILTERING_OFF',
      covers: () => true,
      evidence: ['filtering=off', ...who],
      params: { covers: 'all' },
    };
  }
  if (view.allowedSender) {
    const sender = view.sender ?? '';
    return {
      signal: 'MESSAGE_SENDER_ALLOWED',
      covers: (hit) => !NEVER_WAIVED_BY_ALLOW_LIST.has(hit.signal),
      evidence: [`sender=${sender}`, 'allow_list=yes', ...who],
      params: { sender, covers: 'content' },
    };
  }
  return undefined;
}

/**
 * Per-subscriber settings (I3: nuisance-message filtering on by default and
 * free), the strength → thresholds hook, the waiver (filtering off, the
 * personal allow list), the warning labels and filtered-folder notices, and
 * the subscribers' and reports' operations.
 *
 * `describe` finds any signal of the channel (for the notices' customer
 * texts); the channel gives it once every part's signals are known.
 */
export function subscriberPart(
  deps: ChannelDeps,
  describe: (signal: string) => SignalDeclaration | undefined = () => undefined,
): MessagePart {
  const store = new SubscriberStore(messageDb(deps), deps.hasher);
  const enrichment: MessageEnrichment<SubscriberView> = {
    name: SUBSCRIBER.name,
    budgetMs: 30,
    output: isSubscriberView,
    // Answers at once from the cache (most screenings): no promise of its own.
    run: (screening) => {
      const { recipient } = screening.event.payload;
      const sender = store.senderOf(screening.event.payload.sender) ?? null;
      const key = recipient === undefined ? undefined : store.keyOf(recipient);
      if (key === undefined) return { ...DEFAULT_SUBSCRIBER, allowedSender: false, subscriber: null, sender };
      const orgId = screening.event.orgId;
      const cached = store.cachedView(orgId, key, sender ?? undefined);
      if (cached) return { ...cached.settings, allowedSender: cached.allowedSender, subscriber: key, sender };
      return store
        .screeningView(orgId, key, sender ?? undefined)
        .then((view) => ({ ...view.settings, allowedSender: view.allowedSender, subscriber: key, sender }));
    },
  };
  // Fires nothing: it makes the engine run the enrichment the waiver and the thresholds read. A policy that
  // disables it turns per-subscriber settings off (every message filtered at the policy's thresholds).
  // In the post stage: the lookup, started with the screening, overlaps every other detector instead of holding
  // the detect stage back.
  const detector: MessageDetector = {
    name: 'message.subscriber',
    stage: 'post',
    signals: SUBSCRIBER_SIGNALS.map((s) => s.name),
    needs: [SUBSCRIBER.name],
    run: () => [],
  };
  return {
    signals: SUBSCRIBER_SIGNALS,
    detectors: [detector],
    enrichments: [enrichment],
    defaultSettings: SUBSCRIBER_DEFAULT_SETTINGS,
    settingsIssues: strengthSettingsIssues,
    waiver: subscriberWaiver,
    thresholds: (screening) => {
      const view = screening.enriched(SUBSCRIBER);
      return view ? strengthProfile(view.strength, screening.settings) : undefined;
    },
    notices: messageNotices(describe),
    operations: [...subscriberOperations(store), ...reportOperations(deps, store)],
    messagesJa: REPORT_MESSAGES_JA,
  };
}
