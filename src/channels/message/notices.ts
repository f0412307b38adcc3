import type { Action, LocalizedText, Notice, SignalDeclaration, VerdictHit } from '../../core/index.ts';
import type { MessageKind, MessagePayload } from './message-schema.ts';

/** The longest SMS / RCS warning label in Japanese characters: it must fit a notification. */
export const SHORT_LABEL_MAX = 70;

/** The longest customer phrase a label quotes (signals promise ≤ 40 Japanese characters), and in English. */
const PHRASE_MAX = 40;
const PHRASE_MAX_EN = 120;

/**
 * Phrases for the intel signals as a message's recipient reads them: their
 * own `customer` texts speak to a contract applicant about the data they
 * gave, not to someone who received a lure.
 */
const INTEL_PHRASES: Readonly<Record<string, LocalizedText>> = {
  INTEL_MATCH_URL: {
    ja: '詐欺に使われたと報告されたリンクが含まれています',
    en: 'It contains a link reported as used for fraud',
  },
  INTEL_MATCH_DOMAIN: {
    ja: '詐欺に使われたと報告されたサイトへのリンクが含まれています',
    en: 'It links to a site reported as used for fraud',
  },
  INTEL_MATCH_PHONE: {
    ja: '詐欺に使われたと報告された電話番号が含まれています',
    en: 'It contains a phone number reported as used for fraud',
  },
  INTEL_MATCH_EMAIL: {
    ja: '詐欺に使われたと報告された連絡先が含まれています',
    en: 'It contains a contact address reported as used for fraud',
  },
};

/** When no hit explains the action (a deny list decided, say). */
const GENERIC: LocalizedText = {
  ja: '詐欺の疑いがある内容が含まれています',
  en: 'It contains signs of fraud',
};

const SMS_TAIL: LocalizedText = {
  ja: 'リンクを開かず公式アプリ等で確認を',
  en: 'Do not open links; check in the official app or site.',
};

const ADVICE: LocalizedText = {
  ja:
    'リンクを開かず、公式アプリや公式サイトから確認してください。不審な電話番号に折り返さないでください。' +
    'パスワードや認証コード、カード番号は入力・返信しないでください。' +
    '不安なときは警察相談専用電話 #9110 か消費者ホットライン 188 に相談してください。',
  en:
    'Do not open the links: check in the official app or on the official site. Do not call back unknown numbers. ' +
    'Never enter or reply with passwords, verification codes or card numbers. ' +
    'If in doubt, call the police advice line #9110 or the consumer hotline 188.',
};

/** Recruitment for crimes (闇バイト, P7): the advice is not to apply. */
const RECRUITMENT_ADVICE: LocalizedText = {
  ja:
    '「高収入」「即日現金」「荷物を受け取るだけ」といった募集は、犯罪の実行役を集める闇バイトの可能性があります。' +
    '応募せず、身分証の写真や個人情報を送らないでください。' +
    '応募してしまった・脅されているときは警察相談専用電話 #9110 か最寄りの警察に相談してください。',
  en:
    'Offers of "high pay", "cash the same day" or "just receive parcels" may be recruitment for crimes (yami baito). ' +
    'Do not apply and do not send ID photos or personal details. ' +
    'If you applied or are being threatened, call the police advice line #9110 or your local police.',
};

const NOT_FRAUD: LocalizedText = {
  ja: '詐欺ではない場合は、アプリの「詐欺ではない」から報告してください。',
  en: 'If it is not fraud, report it as "not fraud" in the app.',
};

const KIND_JA = {
  sms: ' SMS ',
  rcs: 'メッセージ',
  dm: 'メッセージ',
  post: '投稿',
} as const satisfies Record<MessageKind, string>;
const KIND_EN = {
  sms: 'SMS',
  rcs: 'message',
  dm: 'message',
  post: 'post',
} as const satisfies Record<MessageKind, string>;

/** Short labels for phone messages (a notification), long ones for DMs and posts. */
const isShort = (kind: MessageKind) => kind === 'sms' || kind === 'rcs';

/**
 * The hits that explain the action, strongest first, each phrase once: at
 * most `max` customer phrases (the signal's `customer` text, else its
 * description; the intel matches' own phrases).
 */
export function topPhrases(
  hits: readonly VerdictHit[],
  describe: (signal: string) => SignalDeclaration | undefined,
  max: number,
): LocalizedText[] {
  const ranked = hits.filter((h) => h.score > 0).sort((a, b) => b.score - a.score);
  const phrases: LocalizedText[] = [];
  const seen = new Set<string>();
  for (const hit of ranked) {
    if (phrases.length >= max) break;
    const declared = describe(hit.signal);
    const text = INTEL_PHRASES[hit.signal] ?? declared?.customer ?? declared?.description;
    if (!text) continue;
    const ja = trimPhrase(fill(text.ja, hit.params));
    if (ja === '' || seen.has(ja)) continue;
    seen.add(ja);
    phrases.push({ ja, en: trimPhrase(fill(text.en, hit.params), PHRASE_MAX_EN) });
  }
  return phrases.length > 0 ? phrases : [GENERIC];
}

/** A phrase without its closing full stop, and never longer than a label can quote. */
function trimPhrase(text: string, max = PHRASE_MAX): string {
  const t = text.trim().replace(/[。.]+$/u, '');
  const chars = [...t];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : t;
}

/** `{param}` placeholders filled from the hit's params; an unknown one is left out. */
function fill(text: string, params: VerdictHit['params']): string {
  if (!text.includes('{')) return text;
  return text.replace(/\{(\w+)\}/g, (_m, name: string) => String(params?.[name] ?? '')).trim();
}

const chars = (s: string) => [...s].length;

/** The SMS / RCS warning label: ≤ {@link SHORT_LABEL_MAX} Japanese characters, whatever the phrase. */
function shortWarning(phrase: LocalizedText): Notice {
  const head = '【詐欺の疑い】';
  let ja = `${head}${phrase.ja}。${SMS_TAIL.ja}`;
  if (chars(ja) > SHORT_LABEL_MAX) ja = `${head}${phrase.ja}`;
  if (chars(ja) > SHORT_LABEL_MAX) ja = `${head}${GENERIC.ja}。${SMS_TAIL.ja}`;
  return { code: 'message.warning.sms', ja, en: `Possible scam: ${phrase.en}. ${SMS_TAIL.en}` };
}

/** The DM / post warning label: what was found (up to three things) and what to do. */
function longWarning(phrases: readonly LocalizedText[], recruitment: boolean, kind: MessageKind): Notice {
  const advice = recruitment ? RECRUITMENT_ADVICE : ADVICE;
  const what = recruitment ? '犯罪への加担を募る闇バイトの疑い' : '詐欺の疑い';
  const whatEn = recruitment ? 'may be recruitment for crimes' : 'may be a scam';
  return {
    code: 'message.warning.dm',
    ja: `【${what}】この${KIND_JA[kind]}には次の点が見つかりました: ${phrases.map((p) => p.ja).join('／')}。${advice.ja}`,
    en: `This ${KIND_EN[kind]} ${whatEn}. Found: ${phrases.map((p) => p.en).join('; ')}. ${advice.en}`,
  };
}

/** The notice for a blocked message: moved to the filtered folder (迷惑メッセージフォルダ), or a post withheld. */
function filteredNotice(phrase: LocalizedText, recruitment: boolean, kind: MessageKind): Notice {
  if (kind === 'post') {
    const why = recruitment ? '犯罪の実行役を募集する内容（闇バイト）の疑い' : '詐欺の疑い';
    const whyEn = recruitment ? 'it may recruit people for crimes' : 'it may be a scam';
    return {
      code: 'message.post_withheld',
      ja: `この投稿は${why}があるため公開を停止しました（${phrase.ja}）。誤りの場合は異議を申し立ててください。`,
      en: `This post was withheld because ${whyEn} (${phrase.en}). If this is a mistake, please appeal.`,
    };
  }
  return {
    code: 'message.filtered',
    ja: `この${KIND_JA[kind]}は詐欺の疑いがあるため迷惑メッセージフォルダに移動しました（${phrase.ja}）。${NOT_FRAUD.ja}`,
    en: `This ${KIND_EN[kind]} was moved to the filtered folder because it may be a scam (${phrase.en}). ${NOT_FRAUD.en}`,
  };
}

/** Recruitment for crimes among the hits (the `POST_*` signals of P7). */
const isRecruitment = (hits: readonly VerdictHit[]) =>
  hits.some((h) => h.score > 0 && h.signal.startsWith('POST_'));

/**
 * The message channel's notices (issue 9 item 3; I1, I3, P7): a `warn`
 * verdict carries a ready-to-show warning label in Japanese and English —
 * short for SMS and RCS (`message.warning.sms`, ≤ 70 Japanese characters:
 * it fits a notification), longer for DMs and posts (`message.warning.dm`:
 * what was found, what to do, #9110 and 188) — and a `block` the notice for
 * the recipient's filtered folder (`message.filtered`; a post:
 * `message.post_withheld`). Built from the strongest hits' `customer`
 * texts, never from thresholds, scores or other people's data. Other actions
 * carry none.
 *
 * @example messageNotices(describe)({ action: 'warn', hits }, { kind: 'sms', … }, {})
 * // [{ code: 'message.warning.sms', ja: '【詐欺の疑い】実在の企業をかたる…。リンクを開かず公式アプリ等で確認を', en: '…' }]
 */
export function messageNotices(describe: (signal: string) => SignalDeclaration | undefined) {
  return (
    scored: { readonly action: Action; readonly hits: readonly VerdictHit[] },
    payload: MessagePayload,
    _settings: Readonly<Record<string, unknown>>,
  ): readonly Notice[] => {
    if (scored.action !== 'warn' && scored.action !== 'block') return [];
    const kind = payload.kind;
    const recruitment = isRecruitment(scored.hits);
    if (scored.action === 'block') {
      const [top] = topPhrases(scored.hits, describe, 1);
      return [filteredNotice(top ?? GENERIC, recruitment, kind)];
    }
    if (isShort(kind)) {
      const [top] = topPhrases(scored.hits, describe, 1);
      return [shortWarning(top ?? GENERIC)];
    }
    return [longWarning(topPhrases(scored.hits, describe, 3), recruitment, kind)];
  };
}
