import { defineSignals, type EnrichmentRef } from '../../core/index.ts';
import { normalisePhone } from '../../intel/normalise-phone.ts';
import { type SimHash, simhash } from '../../ml/simhash.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import { campaignOperations } from './campaign-operations.ts';
import {
  campaignSettingsIssues,
  DEFAULT_CAMPAIGN_SETTINGS,
  readCampaignSettings,
} from './campaign-settings.ts';
import { CampaignStore, campaignSender } from './campaign-store.ts';
import { type MessagePart, type MessageScreening, messageDb } from './message-part.ts';
import type { MessageDetector, MessageEnrichment, MessageState } from './message-state.ts';
import { subscriberKey } from './subscriber-store.ts';

/**
 * MESSAGE_CAMPAIGN (measure I1; issue 9, build item 2): many near-identical texts from different
 * senders within a window, found in the channel's own table (`message_messages`) by the SimHash of the
 * normalised text, so a new campaign is caught after its first few copies — before any list knows its
 * URL. An analyst turns a campaign into indicators in one step (`campaign-operations.ts`).
 *
 * What counts, and what does not (mass legitimate traffic):
 * - senders are counted, not copies: a brand's OTP or delivery notice goes out from one number or
 *   sender ID to thousands, and is one sender;
 * - senders in the organisation's verified-sender registry (`message_verified_senders`) are not
 *   counted, and a message from one is never a campaign: a brand sending one template from a pool of
 *   short codes registers them;
 * - a text whose only variable part is a one-time code (`<CODE>` and no URL, phone number, e-mail or
 *   amount) is not compared: OTP templates of one service may come from many numbers;
 * - texts shorter than `minShingles` are not compared ("ok", "thanks, on my way" repeat by chance);
 * - a campaign alone warns only when the text gives the recipient somewhere to go or pay — a URL, a
 *   phone number, an e-mail address or an amount (factor 1: weight 4 = the warn threshold); a campaign
 *   of plain text (chain messages, greetings) scores 2, below warn, and adds to other signs.
 * The copies' own verdicts are not used to exclude (the first copies of a new lure are allowed with
 * score 0: that is why this check exists); how many were warned or blocked is evidence.
 */
export const CAMPAIGN_SIGNALS = defineSignals([
  {
    name: 'MESSAGE_CAMPAIGN',
    group: 'campaign',
    weight: 4,
    description: {
      ja: '多数の送信者からほぼ同じ文面が短時間に届いている（一斉送信のキャンペーン）',
      en: 'Near-identical texts from many senders within a short window (a bulk campaign)',
    },
    reason: {
      ja: '直近{windowMinutes}分に{senders}件の送信者から、ほぼ同じ文面が{copies}通届いています（初回 {firstSeen}）',
      en: '{copies} near-identical texts from {senders} senders in the last {windowMinutes} minutes (first seen {firstSeen})',
    },
    customer: {
      ja: '多数の番号から一斉に送られている不審な文面です',
      en: 'This text is being sent in bulk from many numbers',
    },
  },
]);

/** What the campaign lookup answers for one message (its own copy counted in). */
export interface CampaignAnswer {
  /** Near-identical messages in the window, this one included. */
  readonly copies: number;
  /** Distinct senders among them (this one included; verified senders left out). */
  readonly senders: number;
  /** The earliest copy's time (ISO 8601), or null when this is the only one. */
  readonly firstSeen: string | null;
  /** Up to 5 decision ids of earlier copies, newest first. */
  readonly sampleDecisionIds: readonly string[];
  /** How many earlier copies were not allowed (warned, blocked, held…). */
  readonly blocked: number;
  /** A band had more rows than were read: the counts are lower bounds. */
  readonly capped: boolean;
  /** Why the message was not compared: `short`, `otp_template`, `verified_sender`. */
  readonly skipped?: 'short' | 'otp_template' | 'verified_sender';
}

/** The campaign lookup, by name, for the detector. */
export const CAMPAIGN_LOOKUP: EnrichmentRef<CampaignAnswer> = { name: 'message.campaign' };

function isCampaignAnswer(v: unknown): v is CampaignAnswer {
  if (typeof v !== 'object' || v === null) return false;
  const a = v as Record<string, unknown>;
  return (
    Number.isInteger(a.copies) &&
    Number.isInteger(a.senders) &&
    Number.isInteger(a.blocked) &&
    (a.firstSeen === null || typeof a.firstSeen === 'string') &&
    Array.isArray(a.sampleDecisionIds) &&
    typeof a.capped === 'boolean'
  );
}

const fingerprints = new WeakMap<MessageState, SimHash>();

/** The SimHash of a screening's normalised text, made once per screening. */
export function messageFingerprint(state: MessageState): SimHash {
  let fp = fingerprints.get(state);
  if (!fp) {
    fp = simhash(state.text.text);
    fingerprints.set(state, fp);
  }
  return fp;
}

/** Whether the text sends the recipient somewhere: a URL, a phone number, an e-mail address or an amount. */
export function hasContact(state: MessageState): boolean {
  if (state.urls.length > 0) return true;
  return state.text.replacements.some((r) => r.kind !== 'code');
}

/** When the message was received: the payload's time, never later than the screening. */
export function messageTime(screening: Pick<MessageScreening, 'event' | 'now'>): Date {
  const given = screening.event.payload.receivedAt;
  const at = given === undefined ? new Date(screening.event.receivedAt) : new Date(given);
  return Number.isNaN(at.getTime()) || at > screening.now ? screening.now : at;
}

const EMPTY: Omit<CampaignAnswer, 'skipped'> = {
  copies: 1,
  senders: 1,
  firstSeen: null,
  sampleDecisionIds: [],
  blocked: 0,
  capped: false,
};

/** How long a campaign answer is reused for the same text and sender (ms). */
export const CAMPAIGN_CACHE_MS = 2_000;

function campaignEnrichment(store: CampaignStore): MessageEnrichment<CampaignAnswer> {
  return {
    name: CAMPAIGN_LOOKUP.name,
    budgetMs: 40,
    output: isCampaignAnswer,
    // The same text from the same sender within a couple of seconds (a flood) reuses the answer: its
    // copies and senders are at most that old, and the table is not read again for every copy.
    cache: {
      key: (screening) => {
        const fp = messageFingerprint(screening.state);
        return `${fp.hi}:${fp.lo}|${campaignSender(screening.event.payload.sender, screening.event.payload.kind)}`;
      },
      ttlMs: () => CAMPAIGN_CACHE_MS,
    },
    async run(screening) {
      const settings = readCampaignSettings(screening.settings);
      const { state, event } = screening;
      const fp = messageFingerprint(state);
      if (fp.shingles < settings.minShingles) return { ...EMPTY, skipped: 'short' };
      if (!hasContact(state) && state.text.replacements.length > 0)
        return { ...EMPTY, skipped: 'otp_template' };
      const to = messageTime(screening);
      const from = new Date(to.getTime() - settings.windowMinutes * 60_000);
      const { rows, capped } = await store.neighbours(
        event.orgId,
        fp,
        { from, to },
        settings.hammingThreshold,
      );
      const sender = campaignSender(event.payload.sender, event.payload.kind);
      const senders = new Set(rows.map((r) => r.sender));
      senders.add(sender);
      // The registry is read only when the count could reach a campaign.
      if (senders.size >= settings.minSenders) {
        const verified = await store.verifiedSenders(event.orgId, [...senders]);
        if (verified.has(sender)) return { ...EMPTY, skipped: 'verified_sender' };
        for (const v of verified) senders.delete(v);
      }
      rows.sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime());
      const first = rows.at(-1);
      return {
        copies: rows.length + 1,
        senders: senders.size,
        firstSeen: first ? first.receivedAt.toISOString() : null,
        sampleDecisionIds: rows.slice(0, 5).map((r) => r.decisionId),
        blocked: rows.filter((r) => r.action !== 'allow').length,
        capped,
      };
    },
  };
}

/** Most the factor grows with the campaign's size (many senders): 1.5 × weight. */
const MAX_SIZE_FACTOR = 1.5;

const campaignDetector: MessageDetector = {
  name: 'message.campaign',
  signals: ['MESSAGE_CAMPAIGN'],
  needs: [CAMPAIGN_LOOKUP.name],
  run(_event, ctx) {
    const c = ctx.enriched(CAMPAIGN_LOOKUP);
    const settings = readCampaignSettings(ctx.settings);
    if (c.skipped || c.senders < settings.minSenders) return [];
    const contact = hasContact(ctx.state);
    // 1 at minSenders, +0.25 per doubling, capped: a bigger campaign is surer, not a different sign.
    const size = Math.min(MAX_SIZE_FACTOR, 1 + 0.25 * Math.log2(c.senders / settings.minSenders));
    const factor = Math.round((contact ? 1 : 0.5) * size * 1000) / 1000;
    const evidence = [
      `copies=${c.copies}${c.capped ? '+' : ''}`,
      `senders=${c.senders}`,
      `first_seen=${c.firstSeen ?? ''}`,
      `window_minutes=${settings.windowMinutes}`,
      `blocked=${c.blocked}`,
      `contact=${contact ? 'yes' : 'no'}`,
      ...c.sampleDecisionIds.map((id) => `sample=${id}`),
    ];
    return [
      {
        signal: 'MESSAGE_CAMPAIGN',
        factor,
        evidence,
        params: {
          copies: c.copies,
          senders: c.senders,
          windowMinutes: settings.windowMinutes,
          firstSeen: c.firstSeen ?? '',
        },
      },
    ];
  },
};

/** Phone numbers of the text, in E.164 where they parse (as written otherwise). */
function phonesOf(state: MessageState): string[] {
  const out = new Set<string>();
  for (const r of state.text.replacements) {
    if (r.kind !== 'phone') continue;
    try {
      out.add(normalisePhone(r.value));
    } catch {
      out.add(r.value);
    }
  }
  return [...out];
}

/** MESSAGE_CAMPAIGN (I1): near-identical texts from many senders within a window. */
export function campaignPart(deps: ChannelDeps): MessagePart {
  const store = new CampaignStore(messageDb(deps));
  return {
    signals: CAMPAIGN_SIGNALS,
    detectors: [campaignDetector],
    enrichments: [campaignEnrichment(store)],
    defaultSettings: { campaign: DEFAULT_CAMPAIGN_SETTINGS },
    settingsIssues: campaignSettingsIssues,
    operations: campaignOperations(store, deps.intel),
    async record(verdict, screening) {
      const { event, state } = screening;
      const settings = readCampaignSettings(screening.settings);
      await store.record(
        {
          orgId: event.orgId,
          decisionId: verdict.id,
          receivedAt: messageTime(screening),
          kind: event.payload.kind,
          sender: campaignSender(event.payload.sender, event.payload.kind),
          recipientKey: event.payload.recipient
            ? (subscriberKey(deps.hasher, event.payload.recipient) ?? null)
            : null,
          fingerprint: messageFingerprint(state),
          urls: state.urls.map((u) => u.url),
          phones: phonesOf(state),
          action: verdict.action,
          score: verdict.score,
        },
        settings.retentionMinutes,
      );
    },
  };
}
