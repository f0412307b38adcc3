import { defineSignals, type EnrichmentRef, type FieldIssue, type Hit } from '../../../core/index.ts';
import type { ChannelDeps } from '../../channel-deps.ts';
import { type MessageDb, type MessagePart, messageDb } from '../message-part.ts';
import type { MessagePayload } from '../message-schema.ts';
import type { MessageDetector, MessageEnrichment, MessageState } from '../message-state.ts';
import { classifySender, type SenderClass, senderBrandClaim } from '../sender-format.ts';
import { REGISTRY_MESSAGES_JA, registryOperations, verifiedSenderStore } from '../sender-registry.ts';

/**
 * MESSAGE_SENDER_* (measure I1: filter fraud-luring SMS and DMs): who the
 * message says it is from. A sender no Japanese network can deliver; a sender
 * ID or handle wearing a brand's name that the organisation has not
 * registered as the brand's; an international number writing as a Japanese
 * brand or institution; a days-old account sending links or money talk.
 *
 * Weights (message policy: warn ≥ 4, block ≥ 8): each strong sign alone
 * warns (5), two block; the new-account sign alone stays below warn.
 */
export const SENDER_SIGNALS = defineSignals([
  {
    name: 'MESSAGE_SENDER_IMPOSSIBLE',
    group: 'sender',
    weight: 5,
    description: {
      ja: 'どの国内網からも届き得ない送信者（番号計画外の番号、長すぎる送信者ID、制御文字など）',
      en: 'A sender no Japanese network can deliver (a number outside the numbering plan, a sender ID too long, control characters…)',
    },
    reason: {
      ja: '送信者 {sender} は{kind}では届き得ない形式です（{problem}）',
      en: 'Sender {sender} cannot reach a phone as a {kind} sender ({problem})',
    },
    customer: { ja: '送信元が偽装されている可能性があります', en: 'The sender may be spoofed' },
  },
  {
    name: 'MESSAGE_SENDER_BRAND_UNVERIFIED',
    group: 'sender',
    weight: 5,
    description: {
      ja: '企業名を名乗る送信者ID・アカウントが、認証済み送信者に登録されていない',
      en: 'A sender ID or account claims a brand but is not in the verified-sender registry',
    },
    reason: {
      ja: '送信者 {sender} は {brand} を名乗っていますが、認証済み送信者に登録がありません',
      en: 'Sender {sender} claims to be {brand} but is not a registered sender of it',
    },
    customer: {
      ja: '企業名をかたる未確認の送信者からのメッセージです',
      en: 'An unverified sender is using a company’s name',
    },
  },
  {
    name: 'MESSAGE_SENDER_INTL_AS_DOMESTIC',
    group: 'sender',
    weight: 5,
    description: {
      ja: '海外の番号から、国内の企業・機関をかたる、または不在・料金・口座などの日本語メッセージ',
      en: 'An international number sending as a Japanese brand or institution, or Japanese text about deliveries, fees or accounts',
    },
    reason: {
      ja: '海外（{country}）の番号 {sender} から、{claim} の日本語メッセージです',
      en: 'An international number {sender} ({country}) sends Japanese text: {claim}',
    },
    customer: {
      ja: '海外の番号から国内の企業などをかたるメッセージです',
      en: 'A foreign number is writing as a Japanese company or service',
    },
  },
  {
    name: 'MESSAGE_SENDER_NEW_ACCOUNT',
    group: 'sender',
    weight: 2,
    description: {
      ja: '作成から間もないアカウントからのリンク・金銭の話を含むメッセージ',
      en: 'A days-old account sending a link or talking money',
    },
    reason: {
      ja: '作成から {days} 日のアカウントがリンクや金額を送っています',
      en: 'An account {days} days old sends a link or an amount',
    },
    customer: {
      ja: '作成されたばかりのアカウントからのメッセージです',
      en: 'The account was created very recently',
    },
  },
]);

/** `settings.sender` of the message policy. */
export interface SenderSettings {
  /**
   * `international` (default): alphanumeric SMS sender IDs arrive over
   * international routes and are no sign by their form; `impossible`: the
   * carrier's gateway takes none, so any alphanumeric SMS sender was forged.
   */
  readonly alphanumericSms: 'international' | 'impossible';
  /** An account younger than this many days is new (MESSAGE_SENDER_NEW_ACCOUNT). */
  readonly newAccountDays: number;
}
const DEFAULTS: SenderSettings = { alphanumericSms: 'international', newAccountDays: 7 };

function senderSettings(settings: Readonly<Record<string, unknown>>): SenderSettings {
  const s = settings.sender as Partial<SenderSettings> | undefined;
  return {
    alphanumericSms: s?.alphanumericSms === 'impossible' ? 'impossible' : 'international',
    newAccountDays:
      typeof s?.newAccountDays === 'number' && s.newAccountDays >= 0
        ? s.newAccountDays
        : DEFAULTS.newAccountDays,
  };
}

function settingsIssues(settings: Readonly<Record<string, unknown>>): FieldIssue[] {
  const s = settings.sender;
  if (s === undefined) return [];
  if (typeof s !== 'object' || s === null || Array.isArray(s))
    return [{ path: 'settings.sender', message: 'expected an object' }];
  const issues: FieldIssue[] = [];
  for (const [key, value] of Object.entries(s)) {
    if (key === 'alphanumericSms') {
      if (value !== 'international' && value !== 'impossible')
        issues.push({
          path: 'settings.sender.alphanumericSms',
          message: 'must be one of international, impossible',
        });
    } else if (key === 'newAccountDays') {
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 365)
        issues.push({ path: 'settings.sender.newAccountDays', message: 'must be an integer from 0 to 365' });
    } else issues.push({ path: `settings.sender.${key}`, message: 'unknown setting: the policy is refused' });
  }
  return issues;
}

/** The registry's answer for this screening's sender. `checked`: false when the sender needed no lookup. */
export interface VerifiedSenderAnswer {
  readonly checked: boolean;
  /** The brand the sender is registered for, or null. */
  readonly brand: string | null;
}
export const VERIFIED_SENDERS: EnrichmentRef<VerifiedSenderAnswer> = { name: 'message.verified-senders' };
const NOT_CHECKED: VerifiedSenderAnswer = Object.freeze({ checked: false, brand: null });

const isAnswer = (v: unknown): v is VerifiedSenderAnswer =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as VerifiedSenderAnswer).checked === 'boolean' &&
  ((v as VerifiedSenderAnswer).brand === null || typeof (v as VerifiedSenderAnswer).brand === 'string');

/** Whether the registry is asked about this sender: one claiming a brand, or an international number. */
function needsLookup(payload: MessagePayload, c: SenderClass): boolean {
  if (c.format === 'international') return true;
  if (c.format !== 'alphanumeric' && c.format !== 'handle') return false;
  return senderBrandClaim(payload.kind, payload.sender) !== null;
}

/** A Japanese brand named in the (normalised: katakana as hiragana, lower case) text. */
const JA_CLAIM =
  /amazon|あまぞん|楽天|rakuten|佐川急便|やまと運輸|くろねこやまと|日本郵便|郵便局|ゆうちょ|japan ?post|三井住友|smbc|三菱ufj|mufg|みずほ銀行|りそな|nttどこも|【どこも】|docomo|そふとばんく|softbank|kddi|【au】|paypay|ぺいぺい|めるかり|mercari|国税庁|税務署|総務省|年金機構|nhk|東京電力|えきねっと|いおんかーど|えぽすかーど|jcb|ntt/u;
/** What lures from abroad write about: missed deliveries, unpaid fees, accounts, refunds, prizes, institutions. */
const JA_TOPIC =
  /不在|持ち帰|再配達|お荷物|未払|未納|料金|請求|口座|停止|凍結|本人確認|ろぐいん|あかうんと|せきゅりてぃ|当選|還付|給付金|暗証番号|かーど|銀行|信用金庫|警察|市役所|区役所|電力/gu;
const JAPANESE = /[\p{Script=Hiragana}\p{Script=Han}]/u;

function intlHit(payload: MessagePayload, c: SenderClass, state: MessageState): Hit | undefined {
  const text = state.text.text;
  if (!JAPANESE.test(text)) return undefined;
  const claim = JA_CLAIM.exec(text)?.[0];
  let factor = 1;
  let what: string;
  if (claim !== undefined) what = `claims ${claim}`;
  else {
    const topics = new Set(text.match(JA_TOPIC) ?? []);
    const hasLink = state.urls.length > 0;
    if (topics.size === 0 || (topics.size < 2 && !hasLink)) return undefined;
    factor = 0.8;
    what = `writes of ${[...topics].slice(0, 4).join(', ')}${hasLink ? ' with a link' : ''}`;
  }
  const country = c.country ?? 'unknown';
  return {
    signal: 'MESSAGE_SENDER_INTL_AS_DOMESTIC',
    factor,
    evidence: [`sender=${c.normalised}`, `country=${country}`, what],
    params: { sender: payload.sender, country, claim: claim ?? what },
  };
}

/** Impossible senders and new accounts: no lookup. */
const formatDetector: MessageDetector = {
  name: 'message.sender_format',
  signals: ['MESSAGE_SENDER_IMPOSSIBLE', 'MESSAGE_SENDER_NEW_ACCOUNT'],
  run(event, ctx) {
    const p = event.payload;
    const c = classifySender(p.kind, p.sender);
    const settings = senderSettings(ctx.settings);
    const hits: Hit[] = [];
    let problem: string | undefined = c.problem;
    if (
      problem === undefined &&
      p.kind === 'sms' &&
      c.format === 'alphanumeric' &&
      settings.alphanumericSms === 'impossible'
    )
      problem = 'alphanumeric-not-carried';
    // Numbers and sender IDs are network facts of SMS and RCS; a DM or post handle is the platform's, and only controls in it are forged.
    if (problem !== undefined && (p.kind === 'sms' || p.kind === 'rcs' || problem === 'control-characters'))
      hits.push({
        signal: 'MESSAGE_SENDER_IMPOSSIBLE',
        evidence: [`sender=${JSON.stringify(p.sender.slice(0, 64))}`, `kind=${p.kind}`, `problem=${problem}`],
        params: { sender: p.sender.slice(0, 64), kind: p.kind, problem },
      });
    const age = p.platform?.senderAccountAgeDays;
    if ((p.kind === 'dm' || p.kind === 'post') && age !== undefined && age < settings.newAccountDays) {
      const money = ctx.state.text.replacements.some((r) => r.kind === 'amount');
      if (ctx.state.urls.length > 0 || money)
        hits.push({
          signal: 'MESSAGE_SENDER_NEW_ACCOUNT',
          factor: age <= 1 ? 1.5 : 1,
          evidence: [
            `account_age_days=${age}`,
            ctx.state.urls.length > 0 ? `urls=${ctx.state.urls.length}` : 'amount',
          ],
          params: { days: age },
        });
    }
    return hits;
  },
};

/** Brand claims and international numbers, against the registry. */
const brandDetector: MessageDetector = {
  name: 'message.sender_brand',
  signals: ['MESSAGE_SENDER_BRAND_UNVERIFIED', 'MESSAGE_SENDER_INTL_AS_DOMESTIC'],
  needs: [VERIFIED_SENDERS.name],
  run(event, ctx) {
    const p = event.payload;
    const c = classifySender(p.kind, p.sender);
    const registered = ctx.enriched(VERIFIED_SENDERS).brand;
    if (registered !== null) return [];
    if (c.format === 'international') {
      const hit = intlHit(p, c, ctx.state);
      return hit ? [hit] : [];
    }
    if (c.format !== 'alphanumeric' && c.format !== 'handle') return [];
    if (p.platform?.senderVerified === true) return [];
    const claim = senderBrandClaim(p.kind, p.sender);
    if (claim === null) return [];
    // A post under a brand-like name is often a fan or a shop; a DM from one, or an SMS sender ID, is a claim.
    const factor = p.kind === 'post' ? 0.5 : p.kind === 'dm' ? 0.8 : 1;
    return [
      {
        signal: 'MESSAGE_SENDER_BRAND_UNVERIFIED',
        factor,
        evidence: [
          `sender=${c.normalised}`,
          `brand=${claim.brand}`,
          `matched=${claim.alias} (${claim.how})`,
          'registry=none',
        ],
        params: { sender: p.sender.slice(0, 64), brand: claim.brand },
      },
    ];
  },
};

function verifiedSendersEnrichment(db: MessageDb): MessageEnrichment<VerifiedSenderAnswer> {
  const store = verifiedSenderStore(db);
  const lookupKey = (payload: MessagePayload): string | undefined => {
    const c = classifySender(payload.kind, payload.sender);
    return needsLookup(payload, c) ? c.normalised : undefined;
  };
  return {
    name: VERIFIED_SENDERS.name,
    budgetMs: 30,
    output: isAnswer,
    cache: { key: (s) => lookupKey(s.event.payload), ttlMs: () => 60_000 },
    async run(screening) {
      const key = lookupKey(screening.event.payload);
      if (key === undefined) return NOT_CHECKED;
      const brand = await store.lookup(screening.event.orgId, key);
      return { checked: true, brand: brand ?? null };
    },
  };
}

/** MESSAGE_SENDER_* (I1): impossible sender formats, unverified brand sender IDs, international numbers as domestic brands. */
export function senderPart(deps: ChannelDeps): MessagePart {
  const db = messageDb(deps);
  return {
    signals: SENDER_SIGNALS,
    detectors: [formatDetector, brandDetector],
    enrichments: [verifiedSendersEnrichment(db)],
    operations: registryOperations(verifiedSenderStore(db)),
    defaultSettings: { sender: DEFAULTS },
    settingsIssues,
    messagesJa: {
      ...REGISTRY_MESSAGES_JA,
      'must be an integer from 0 to 365': '0 から 365 の整数で指定してください',
    },
  };
}
