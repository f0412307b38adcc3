import { defineSignals, type Hit } from '../../../core/index.ts';
import { BRANDS, isBrandOwnHost, lookalikeOf, ownBrandOf } from '../../../intel/lookalike.ts';
import { extractUrls } from '../../../intel/url-extract.ts';
import { senderBrandClaim } from '../../message/sender-format.ts';
import type { MailPart } from '../mail-part.ts';
import type { MailAddress, MailDetector, MailState } from '../mail-state.ts';
import { siteOf } from './links.ts';

/**
 * Who a mail says it is from (issue 11 item 2; measures E1, E3):
 *
 * - MAIL_BRAND_SPOOF: the From header impersonates a protected brand (the look-alike brand list of
 *   `intel/data/brands.json`, with the Japanese names below) while its domain is not the brand's:
 *   a look-alike From domain, the brand's name or own domain in the display name over a free-mail or
 *   unrelated domain, the brand's name in the local part of a free-mail address. A brand's own
 *   domains and its known sending domains never fire.
 * - MAIL_REPLY_TO_MISMATCH: replies go to another registrable domain than the From's (most of all a
 *   free-mail Reply-To under a business or brand From: the answer to a lure goes to the fraudster).
 *   Not when a mailing list sets Reply-To to itself (List-Id, List-Post, Sender… or the envelope
 *   sender on the Reply-To's domain).
 * - MAIL_FROM_MALFORMED: no From, several From mailboxes or From headers (readers show different
 *   ones), or MIME the parser could not read fully.
 *
 * Weights for the mail thresholds (warn 4, hold 8, block 40): a look-alike From domain alone is
 * quarantined (6 × 1.5); a brand's name over free mail or its domain as the display name warns
 * strongly (7.5) and with any other sign is quarantined; a display name that is the brand alone
 * (`国税庁`, `Amazon.co.jp カスタマーサービス`) over an unrelated domain 6.6; a brand's name inside a
 * longer name over a business domain 4.5 (shops and resellers name brands); Reply-To and malformed
 * headers add little.
 */
export const SENDER_SIGNALS = defineSignals([
  {
    name: 'MAIL_BRAND_SPOOF',
    group: 'sender',
    weight: 6,
    description: {
      ja: '差出人（表示名・アドレス）が実在ブランドをかたっているが、ブランドのドメインではない',
      en: 'The From (display name or address) claims a real brand but is not on its domain',
    },
    reason: {
      ja: '差出人は {brand} を名乗っていますが、ドメイン {domain} は {brand} のものではありません（{how}）',
      en: 'The sender claims to be {brand} but {domain} is not its domain ({how})',
    },
    customer: {
      ja: '実在の企業をかたる差出人からのメールです',
      en: 'The sender is posing as a real company',
    },
  },
  {
    name: 'MAIL_REPLY_TO_MISMATCH',
    group: 'sender',
    weight: 2,
    description: {
      ja: '返信先（Reply-To）が差出人と別のドメイン',
      en: 'Replies go to another domain than the sender’s',
    },
    reason: {
      ja: '返信先 {replyTo} は差出人のドメイン {domain} と異なります',
      en: 'Replies go to {replyTo}, not to the sender’s domain {domain}',
    },
    customer: {
      ja: '返信すると差出人とは別の宛先に届きます',
      en: 'A reply would go to someone other than the sender',
    },
  },
  {
    name: 'MAIL_FROM_MALFORMED',
    group: 'sender',
    weight: 1.5,
    description: {
      ja: '差出人ヘッダーやメールの構造が不正（差出人なし、複数の差出人、壊れたMIME）',
      en: 'Malformed sender headers or structure (no From, several From, broken MIME)',
    },
    reason: { ja: 'メールの形式が不正です（{problem}）', en: 'The message is malformed ({problem})' },
    customer: {
      ja: '正規のメールソフトでは作られない形式のメールです',
      en: 'The message has a form real mail software does not produce',
    },
  },
]);

/**
 * Free and personal mailbox domains (matched exactly: `mail.docomo.ne.jp` is not a mobile address):
 * the large webmail services, Japanese carriers' and ISPs' personal addresses. A brand never sends
 * its notices from them, even where the brand runs the service (Apple's icloud.com, Microsoft's
 * outlook.com, docomo.ne.jp).
 */
const FREE_MAIL: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.co.jp',
  'ybb.ne.jp',
  'yahoo.com',
  'ymail.com',
  'outlook.com',
  'outlook.jp',
  'hotmail.com',
  'hotmail.co.jp',
  'live.com',
  'live.jp',
  'msn.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'mail.com',
  'protonmail.com',
  'proton.me',
  'zoho.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'qq.com',
  '163.com',
  '126.com',
  'sina.com',
  'naver.com',
  'docomo.ne.jp',
  'ezweb.ne.jp',
  'au.com',
  'softbank.ne.jp',
  'i.softbank.jp',
  'ymobile.ne.jp',
  'nifty.com',
  'biglobe.ne.jp',
  'ocn.ne.jp',
  'so-net.ne.jp',
  'excite.co.jp',
]);

/** Whether a mail domain is a free or personal mailbox service. */
export function isFreeMail(domain: string): boolean {
  return FREE_MAIL.has(domain.toLowerCase().replace(/\.$/, ''));
}

/**
 * Sending domains of brands beside the registrable domains of `brands.json` (registrable domains;
 * hosts under them count), and brands impersonated by mail that the URL list lacks. Written by hand
 * from the brands' published sender lists as known to the author (December 2026), not verified by
 * DNS (the build has no network): the group companies whose mail carries the brand's name.
 */
const EXTRA_BRANDS: readonly { name: string; domains: readonly string[]; ja: readonly string[] }[] = [
  { name: 'Amazon', domains: ['amazon.co.jp', 'amazon.com', 'amazonpay.com'], ja: ['アマゾン'] },
  {
    name: '楽天',
    domains: [
      'rakuten.co.jp',
      'rakuten.ne.jp',
      'rakuten-bank.co.jp',
      'rakuten-sec.co.jp',
      'rakuten-card.co.jp',
      'rakuten-edy.co.jp',
      'rakuten-life.co.jp',
      'rakuten-mobile.co.jp',
    ],
    ja: ['楽天'],
  },
  { name: '日本郵便', domains: ['japanpost.jp', 'post.japanpost.jp'], ja: ['日本郵便', '郵便局'] },
  { name: 'ゆうちょ銀行', domains: ['japanpost.jp'], ja: ['ゆうちょ銀行', 'ゆうちょ'] },
  { name: '佐川急便', domains: ['sagawa-exp.co.jp'], ja: ['佐川急便'] },
  { name: 'ヤマト運輸', domains: ['kuronekoyamato.co.jp', 'yamato-hd.co.jp'], ja: ['クロネコヤマト'] },
  { name: '国税庁', domains: ['nta.go.jp'], ja: ['国税庁', '税務署'] },
  { name: 'NTT docomo', domains: ['docomo.ne.jp', 'nttdocomo.co.jp'], ja: ['ドコモ'] },
  { name: 'softbank', domains: ['softbank.jp', 'softbank.co.jp'], ja: ['ソフトバンク'] },
  { name: 'Apple ID', domains: ['apple.com', 'icloud.com'], ja: ['アップル'] },
  { name: 'Microsoft', domains: ['microsoft.com'], ja: ['マイクロソフト'] },
  { name: 'TEPCO', domains: ['tepco.co.jp'], ja: ['東京電力'] },
  { name: 'American Express', domains: ['americanexpress.com', 'americanexpress.co.jp'], ja: ['アメックス'] },
  { name: 'Netflix', domains: ['netflix.com'], ja: ['ネットフリックス'] },
  { name: 'PayPay', domains: ['paypay.ne.jp', 'paypay-bank.co.jp', 'paypay-card.co.jp'], ja: ['ペイペイ'] },
  { name: 'メルカリ', domains: ['mercari.com', 'mercari.jp', 'merpay.com'], ja: ['メルペイ'] },
];

/** Every brand's own sites (registrable domains), by brand name. */
const SITES: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const out = new Map<string, Set<string>>();
  const add = (name: string, domains: readonly string[]) => {
    const set = out.get(name) ?? new Set<string>();
    for (const d of domains) set.add(siteOf(d));
    out.set(name, set);
  };
  for (const b of BRANDS) add(b.name, b.domains);
  for (const b of EXTRA_BRANDS) add(b.name, b.domains);
  return out;
})();
const ALL_SITES: ReadonlySet<string> = new Set([...SITES.values()].flatMap((s) => [...s]));

/**
 * Japanese names matched inside a display name (NFKC), longest first so that 楽天カード is 楽天カード
 * and not 楽天: the brands' own names from `brands.json` that are not ASCII, and the aliases above.
 */
const JA_NAMES: readonly { name: string; brand: string }[] = (() => {
  const out: { name: string; brand: string }[] = [];
  for (const b of BRANDS)
    if (/[^\p{ASCII}]/u.test(b.name) && b.name.length >= 2)
      out.push({ name: b.name.normalize('NFKC'), brand: b.name });
  for (const b of EXTRA_BRANDS) for (const n of b.ja) out.push({ name: n.normalize('NFKC'), brand: b.name });
  return out.sort((a, b) => b.name.length - a.name.length);
})();

/**
 * A shop naming the brand it sells through (`〇〇 楽天市場店`, `Amazon出品者`): the name of the
 * brand followed by these is not a claim to be it.
 */
const SHOP_AFTER =
  /^\s*(?:市場)?(?:店|ショップ|出店|出品|マーケットプレイス|公式ショップ|ストア|\s*(?:shop|store)\b)/iu;

/**
 * Words a lure adds around a brand's name in a display name (`Amazon.co.jp カスタマーサービス`,
 * `【楽天カード】ご利用確認`, `Apple Support`): with only these beside it, the name is the brand's.
 */
const GENERIC =
  /[\s\p{P}\p{S}]+|\b(?:co|jp|com|japan|support|team|service|services|customer|care|account|accounts|security|secure|notification|notifications|notice|info|information|official|center|centre|desk|help|no-?reply|mail|id)\b|株式会社|\(株\)|カスタマー(?:サービス|センター|サポート)?|サポート(?:センター|デスク)?|センター|事務局|お知らせ|お客様|窓口|公式|セキュリティ|アカウント|ご利用確認|重要|緊急|本人確認|サービス|通知|会員|係/giu;

/** The brand a display name claims, what matched, and whether the name is the brand's alone; or undefined. */
export function displayNameBrand(
  name: string,
): { brand: string; matched: string; whole: boolean } | undefined {
  const text = name.normalize('NFKC').slice(0, 200);
  if (text.trim() === '') return undefined;
  const whole = (matched: string) => {
    const at = text.toLowerCase().indexOf(matched.toLowerCase());
    const rest = at < 0 ? text : text.slice(0, at) + text.slice(at + matched.length);
    return rest.replace(GENERIC, '').length <= 1;
  };
  for (const j of JA_NAMES) {
    const at = text.indexOf(j.name);
    if (at >= 0 && !SHOP_AFTER.test(text.slice(at + j.name.length)))
      return { brand: j.brand, matched: j.name, whole: whole(j.name) };
  }
  // ASCII names through the SMS sender-ID matcher (look-alike letters, words, long names inside):
  // `Amazon.co.jp`, `SMBC-Card`, `Rakuten Ichiba`; common words (apple, mizuho) only as the whole name.
  const claim = senderBrandClaim('sms', text.slice(0, 64));
  if (claim === null) return undefined;
  const at = text.toLowerCase().indexOf(claim.alias);
  if (at >= 0 && SHOP_AFTER.test(text.slice(at + claim.alias.length))) return undefined;
  if (claim.how !== 'exact' && senderBrandClaim('dm', text.slice(0, 64)) === null) return undefined;
  // The alias is a look-alike skeleton (amaz0n → amazon): a name the matcher read as exactly the brand is whole.
  return { brand: claim.brand, matched: claim.alias, whole: claim.how === 'exact' || whole(claim.alias) };
}

/** A domain or address the display name shows (`amazon.co.jp`, `support@smbc-card.com`), or undefined. */
function shownDomain(name: string): string | undefined {
  const address = /[\w.+-]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+)/iu.exec(name);
  if (address?.[1]) return address[1].toLowerCase();
  return extractUrls(name.slice(0, 200))[0]?.host;
}

interface Claim {
  readonly brand: string;
  readonly factor: number;
  readonly how: string;
  readonly evidence: string;
}

/** Whether `domain` is one of the brand's own or sending domains (or any brand's, but never free mail). */
function onBrandDomain(brand: string, domain: string): boolean {
  if (domain === '' || isFreeMail(domain)) return false;
  const site = siteOf(domain);
  return SITES.get(brand)?.has(site) === true || ALL_SITES.has(site) || isBrandOwnHost(domain);
}

/** The brand claims of a From mailbox, strongest first. */
export function brandClaims(from: MailAddress): Claim[] {
  const claims: Claim[] = [];
  const { domain, name, address } = from;
  if (domain === '') return claims;
  const free = isFreeMail(domain);
  if (!free && !onBrandDomain('', domain)) {
    const look = lookalikeOf(domain);
    if (look !== undefined)
      claims.push({
        brand: look.brand,
        factor: 1.5,
        how: `look-alike domain: ${look.kind}`,
        evidence: `From domain ${domain} imitates ${look.brand}: ${look.evidence}`,
      });
  }
  const shown = shownDomain(name);
  if (shown !== undefined && siteOf(shown) !== siteOf(domain)) {
    const brand = ownBrandOf(shown);
    if (brand !== undefined && !onBrandDomain(brand, domain))
      claims.push({
        brand,
        factor: 1.25,
        how: `display name shows ${shown}`,
        evidence: `display name "${name.slice(0, 80)}" shows ${shown} (${brand}), address is on ${domain}`,
      });
  }
  const named = displayNameBrand(name);
  // The brand's own consumer mail service (docomo.ne.jp for ドコモ, au.com for au, icloud.com for
  // Apple): the brand's notices come from it too, and so may a subscriber who names the account after
  // the brand. Weak (under warn alone): DMARC and the content decide.
  const ownService = named !== undefined && free && SITES.get(named.brand)?.has(siteOf(domain)) === true;
  if (named !== undefined && !onBrandDomain(named.brand, domain))
    claims.push({
      brand: named.brand,
      factor: ownService ? 0.5 : free ? 1.25 : named.whole ? 1.1 : 0.75,
      how: ownService
        ? "brand name over the brand's own consumer mail service"
        : free
          ? 'brand name over free mail'
          : named.whole
            ? 'the brand as the whole display name, over an unrelated domain'
            : 'brand name over an unrelated domain',
      evidence: `display name "${name.slice(0, 80)}" names ${named.brand} (${named.matched}), address is on ${free ? 'free mail ' : ''}${domain}`,
    });
  const local = address.slice(0, Math.max(0, address.lastIndexOf('@'))).slice(0, 64);
  const inLocal = local === '' ? null : senderBrandClaim('dm', local);
  if (inLocal !== null && !onBrandDomain(inLocal.brand, domain))
    claims.push({
      brand: inLocal.brand,
      factor: free ? 1 : 0.5,
      how: free ? 'brand name as a free-mail user name' : 'brand name as the user name',
      evidence: `local part ${local} names ${inLocal.brand} (${inLocal.alias}), address is on ${domain}`,
    });
  return claims.sort((a, b) => b.factor - a.factor);
}

const brandDetector: MailDetector = {
  name: 'mail.brand_spoof',
  signals: ['MAIL_BRAND_SPOOF'],
  run: (_event, ctx) => {
    const from = ctx.state.from;
    if (from === undefined) return [];
    const claims = brandClaims(from);
    const best = claims[0];
    if (best === undefined) return [];
    return [
      {
        signal: 'MAIL_BRAND_SPOOF',
        ...(best.factor !== 1 ? { factor: best.factor } : {}),
        evidence: claims.slice(0, 3).map((c) => c.evidence),
        params: { brand: best.brand, domain: from.domain, how: best.how },
      },
    ];
  },
};

/** Headers a mailing list or a sending service sets, naming its own domain. */
const LIST_HEADERS = new Set([
  'list-id',
  'list-post',
  'list-help',
  'list-unsubscribe',
  'list-subscribe',
  'list-owner',
  'mailing-list',
  'sender',
]);
const DOMAIN_IN = /[@.<]([a-z0-9-]+(?:\.[a-z0-9-]+)+)/giu;

/**
 * The sites (registrable domains) a mailing list names in its headers (List-Id, List-Post, Sender…)
 * and the envelope sender's: a Reply-To on one of them is the list, not a mismatch.
 */
function listSites(state: MailState): Set<string> {
  const sites = new Set<string>();
  if (state.mailFromDomain) sites.add(siteOf(state.mailFromDomain));
  for (const h of state.headers) {
    if (!LIST_HEADERS.has(h.key)) continue;
    for (const m of h.value.slice(0, 2000).matchAll(DOMAIN_IN))
      if (m[1]) sites.add(siteOf(m[1].toLowerCase()));
    if (sites.size > 50) break;
  }
  return sites;
}

/** The Reply-To mismatch of a mail, or undefined. */
export function replyToMismatch(state: MailState): Hit | undefined {
  const from = state.from;
  if (from === undefined || from.domain === '' || state.replyTo.length === 0) return undefined;
  const fromSite = siteOf(from.domain);
  const lists = listSites(state);
  const fromFree = isFreeMail(from.domain);
  const brandFrom = !fromFree && (onBrandDomain('', from.domain) || brandClaims(from).length > 0);
  for (const r of state.replyTo) {
    if (r.domain === '' || siteOf(r.domain) === fromSite || lists.has(siteOf(r.domain))) continue;
    const free = isFreeMail(r.domain);
    // Free-mail Reply-To under a brand or business From: the answer goes to the fraudster.
    const factor = free ? (brandFrom ? 2 : fromFree ? 0.5 : 1.5) : 1;
    return {
      signal: 'MAIL_REPLY_TO_MISMATCH',
      ...(factor !== 1 ? { factor } : {}),
      evidence: [
        `Reply-To ${r.address} is on ${free ? 'free mail ' : ''}${r.domain}, From is on ${from.domain}${brandFrom ? ' (a brand)' : ''}`,
      ],
      params: { replyTo: r.address.slice(0, 120), domain: from.domain },
    };
  }
  return undefined;
}

const replyToDetector: MailDetector = {
  name: 'mail.reply_to',
  signals: ['MAIL_REPLY_TO_MISMATCH'],
  run: (_event, ctx) => {
    const hit = replyToMismatch(ctx.state);
    return hit ? [hit] : [];
  },
};

/** What is malformed in a mail's sender headers and structure. */
export function malformed(state: MailState): string[] {
  const problems: string[] = [];
  const fromHeaders = state.headers.filter((h) => h.key === 'from').length;
  if (fromHeaders > 1) problems.push(`${fromHeaders} From headers`);
  const mailboxes = state.fromCount;
  if (mailboxes === 0) problems.push('no From mailbox');
  else if (mailboxes > 1 && state.sender === undefined)
    problems.push(`${mailboxes} From mailboxes without a Sender`);
  for (const p of state.problems.slice(0, 3)) problems.push(`MIME: ${p.slice(0, 120)}`);
  return problems;
}

const malformedDetector: MailDetector = {
  name: 'mail.from_malformed',
  signals: ['MAIL_FROM_MALFORMED'],
  run: (_event, ctx) => {
    const problems = malformed(ctx.state);
    if (problems.length === 0) return [];
    // Two From headers is the trick of showing one sender to the reader and another to the filter.
    const twoHeaders = problems[0]?.endsWith('From headers') === true;
    const factor = Math.min(2, twoHeaders ? 2 : problems.length);
    return [
      {
        signal: 'MAIL_FROM_MALFORMED',
        ...(factor !== 1 ? { factor } : {}),
        evidence: problems,
        params: { problem: problems.join('; ').slice(0, 200) },
      },
    ];
  },
};

/** MAIL_BRAND_SPOOF, MAIL_REPLY_TO_MISMATCH, MAIL_FROM_MALFORMED (E1, E3): who the mail says it is from. */
export function senderPart(): MailPart {
  return { signals: SENDER_SIGNALS, detectors: [brandDetector, replyToDetector, malformedDetector] };
}
