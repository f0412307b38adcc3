import { defineSignals, type Hit } from '../../../core/index.ts';
import type { MessagePart } from '../message-part.ts';
import type { MessageDetector } from '../message-state.ts';

/**
 * MESSAGE_CALLBACK_LURE (measure I1): the text pushes the recipient to CALL a
 * number about unpaid fees, a suspended account, legal action or a refund —
 * the phone-fraud path (架空請求, 還付金詐欺), where the link is replaced by a
 * voice call that a filter of URLs never sees.
 *
 * A number to call (a phone number in the text, or 電話 / 連絡 / call …) is
 * ordinary in notices (「ご不明点はカスタマーセンター 0120-… まで」); what makes
 * the lure is pressure. Cues are read in the normalised text (katakana folded
 * to hiragana, lower case, phone numbers as `<PHONE>`), in four kinds:
 * money owed, legal threats (法的措置, 差し押さえ; and the weaker 裁判, 逮捕,
 * which chat uses too), suspension, refunds; and urgency. It fires on a call
 * to act with a legal threat and money, suspension or a refund, or with a
 * strong legal threat and urgency, or with money, suspension or a refund and
 * urgency (factor 1 to 1.2: alone it warns, weight 5); with two of money,
 * suspension and refund and no urgency (a dunning notice looks like that
 * too) at factor 0.7, below warn alone. Without a number in the text (call the sender back) the factor is
 * four fifths of that.
 */
export const CALLBACK_SIGNALS = defineSignals([
  {
    name: 'MESSAGE_CALLBACK_LURE',
    group: 'callback',
    weight: 5,
    description: {
      ja: '未払い・利用停止・法的措置・返金を理由に電話をかけさせようとする文面',
      en: 'Pushes the recipient to call a number about unpaid fees, suspension, legal action or a refund',
    },
    reason: {
      ja: '{cues} を理由に電話での連絡を求めています（{phone}）',
      en: 'Asks the recipient to call ({phone}) citing {cues}',
    },
    customer: {
      ja: '電話をかけさせて支払いや個人情報を求める詐欺の手口に似ています',
      en: 'Resembles scams that make you call to demand payment or personal details',
    },
  },
]);

const CALL =
  /<PHONE>|電話|連絡|折り返|問い?合わ?せ|こーる|だいやる|\b(?:call|ring|dial|phone|contact)(?:\s+us)?\b/iu;

/** The cue kinds, each a named group of one pattern (one pass over the text). */
const CUES = new RegExp(
  [
    '(?<owed>未払|未納|滞納|延滞|督促|有料(?:動画|さいと|こんてんつ)|支払.{0,8}(?:確認が(?:取|と)れ|確認でき|遅れ|滞)|\\bunpaid\\b|\\boverdue\\b|outstanding (?:balance|amount|payment)|past due)',
    '(?<threat>法的|訴訟|提訴|差し?押さ?え|差押|強制執行|legal action|lawsuit|prosecut)',
    '(?<legal>裁判|逮捕|刑事|民事|弁護士|\\bcourt\\b|\\barrest|\\bwarrant\\b)',
    '(?<suspension>停止|凍結|解約|失効|利用制限|suspen|\\bfrozen\\b|\\blocked\\b|deactivat|terminat|disconnect)',
    '(?<refund>返金|還付|給付金|払い?戻|\\brefund|reimburs)',
    '(?<urgency>本日中|今日中|至急|直ちに|早急|今すぐ|最終(?:通告|通知|警告|期限)|\\d+時間以内|\\burgent|immediately|final notice|within \\d+ hours|\\basap\\b|right away)',
  ].join('|'),
  'giu',
);
const KINDS = ['owed', 'threat', 'legal', 'suspension', 'refund', 'urgency'] as const;
type CueKind = (typeof KINDS)[number];

const callbackDetector: MessageDetector = {
  name: 'message.callback_lure',
  signals: ['MESSAGE_CALLBACK_LURE'],
  run(_event, ctx) {
    const { text, replacements } = ctx.state.text;
    if (!CALL.test(text)) return [];
    const found = new Map<CueKind, string>();
    for (const m of text.matchAll(CUES)) {
      const groups = m.groups ?? {};
      for (const kind of KINDS) {
        const cue = groups[kind];
        if (cue !== undefined && !found.has(kind)) found.set(kind, cue);
      }
      if (found.size === KINDS.length) break;
    }
    const topics = (['owed', 'suspension', 'refund'] as const).filter((k) => found.has(k)).length;
    const urgent = found.has('urgency');
    let factor: number;
    if ((found.has('threat') || found.has('legal')) && topics > 0) factor = urgent ? 1.2 : 1;
    else if (found.has('threat') && urgent) factor = 1;
    else if (topics >= 1 && urgent) factor = topics >= 2 ? 1.2 : 1;
    else if (topics >= 2) factor = 0.7;
    else return [];
    const phones = [...new Set(replacements.filter((r) => r.kind === 'phone').map((r) => r.value))].slice(
      0,
      3,
    );
    if (phones.length === 0) factor *= 0.8;
    const cues = [...found].map(([kind, cue]) => `${kind}:${cue}`);
    const hit: Hit = {
      signal: 'MESSAGE_CALLBACK_LURE',
      factor: Math.round(factor * 100) / 100,
      evidence: [
        ...(phones.length > 0 ? phones.map((p) => `phone=${p}`) : ['phone=none (call back the sender)']),
        ...cues,
      ],
      params: { phone: phones.join(', ') || '—', cues: [...found.values()].join('・') },
    };
    return [hit];
  },
};

/** MESSAGE_CALLBACK_LURE (I1): pushes the recipient to call a number. */
export function callbackPart(): MessagePart {
  return { signals: CALLBACK_SIGNALS, detectors: [callbackDetector] };
}
