import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { BRANDS, editDistance, skeleton } from '../../intel/lookalike.ts';
import type { MessageKind } from './message-schema.ts';

/**
 * What a message's sender is, and whether any network could deliver it
 * (MESSAGE_SENDER_*, measure I1: filter fraud-luring SMS). Pure and fast: a
 * Japanese mobile number is recognised without libphonenumber, every other
 * answer is kept in a bounded cache, so a repeated sender costs a map lookup.
 *
 * How senders reach a Japanese handset (checked 2026-12; carriers change this,
 * so the doubtful parts are settings of the detector, not rules here):
 * - Person to person: the sender's own number, 070/080/090 (and 060, opened to
 *   mobiles in 2024), 020 for M2M lines; shown in national form, or +81… when
 *   the message came over an international route.
 * - Business (A2P) over the domestic networks (国内直収): docomo shows a real
 *   telephone number of the sender — a landline, 0120 or 0570 included; au a
 *   digit string the sender registered; SoftBank a 5–6 digit short code starting
 *   with 2 or a number starting with 0032 (ex-sms.com, 「送信元表示名(SenderID)の
 *   落とし穴」). Since June 2021 the carriers' common short code (キャリア共通番号 /
 *   共通ショートコード) is 0005 followed by 4–6 digits, 8–10 digits in all, on
 *   docomo, KDDI and SoftBank, and on Rakuten Mobile since January 2023
 *   (leafnet.jp; karaden.jp; the carriers' press releases of 2021-06-28 and
 *   2023-01-10). So a freephone or landline sender is NOT impossible in Japan.
 * - Alphanumeric sender IDs (`Amazon`) are not issued on the domestic networks;
 *   they arrive over international routes (海外網), which Japanese carriers do
 *   deliver (cuenote.jp, 「SMSの送信元表示」). A carrier whose gateway takes no
 *   international alphanumeric IDs says so in `settings.sender.alphanumericSms`.
 * - An alphanumeric originating address is at most 11 characters of the GSM
 *   7-bit default alphabet (3GPP TS 23.040 §9.1.2.5: 10 octets of address, an
 *   extension character takes two septets); a numeric one at most 20 digits.
 */

/** What a sender is. `digits`: a digit string that is neither a valid number nor a known short code (au lets businesses pick one). */
export const SENDER_FORMATS = [
  'mobile',
  'm2m',
  'ip-phone',
  'freephone',
  'landline',
  'jp-other',
  'short-code',
  'international',
  'digits',
  'alphanumeric',
  'handle',
  'invalid',
] as const;
export type SenderFormat = (typeof SENDER_FORMATS)[number];

/**
 * Why no network could deliver this sender for this kind of message:
 * `control-characters` (bidi overrides, zero-width marks, controls — any kind),
 * `invalid-jp-number` (a +81 or national number outside the Japanese numbering
 * plan), `trunk-zero` (+810…: the national 0 kept after the country code, a
 * spoofing kit's mistake), `impossible-number` (+… of a length no country
 * uses), `too-long-id` (an SMS sender ID over 11 characters), `non-gsm-id`
 * (an SMS sender ID with characters outside the GSM alphabet: kana, Cyrillic
 * look-alikes, emoji), `too-many-digits` (over 20 digits).
 */
export const SENDER_PROBLEMS = [
  'control-characters',
  'invalid-jp-number',
  'trunk-zero',
  'impossible-number',
  'too-long-id',
  'non-gsm-id',
  'too-many-digits',
] as const;
export type SenderProblem = (typeof SENDER_PROBLEMS)[number];

export interface SenderClass {
  readonly format: SenderFormat;
  /** The registry's key: E.164, a short code's digits, or the ID or handle in upper case. */
  readonly normalised: string;
  /** The country a number belongs to (`JP`, `US`), when it parses. */
  readonly country?: string;
  readonly problem?: SenderProblem;
}

// Controls, bidi marks and overrides, zero-width space, BOM, line and paragraph separators. ZWJ and
// ZWNJ are left: emoji sequences in handles use them.
const CONTROL = /[\p{Cc}\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF\u2028\u2029]/u;
const SEPARATORS = /[\s\-‐‑‒–—―−ー－ｰ.()]/g;
const JP_MOBILE = /^(?:\+81|0)[6-9]0[1-9]\d{7}$/;
const DIGITS = /^\+?\d+$/;
const LETTER = /\p{L}/u;
// GSM 03.38 default alphabet, then its extension table (two septets each).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€';
const GSM = new Set([...GSM_BASIC, ...GSM_EXTENDED]);
const GSM_EXT = new Set([...GSM_EXTENDED]);
/** The longest alphanumeric originating address, in septets (3GPP TS 23.040). */
export const MAX_SENDER_ID = 11;
const MAX_ADDRESS_DIGITS = 20;

/** Septets an SMS sender ID takes, or undefined when a character is outside the GSM alphabet. */
export function gsmSeptets(id: string): number | undefined {
  let n = 0;
  for (const c of id) {
    if (!GSM.has(c)) return undefined;
    n += GSM_EXT.has(c) ? 2 : 1;
  }
  return n;
}

/**
 * A sender ID or handle as the registry keys it: NFKC, single spaces, upper case, and NFKC again
 * (upper-casing can leave a sequence NFKC composes, `ῒ` → `Ϊ̀`), so normalising twice changes nothing.
 */
function upperId(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/gu, ' ').trim().toUpperCase().normalize('NFKC');
}

function classifyDigits(digits: string): SenderClass {
  if (digits.replace('+', '').length > MAX_ADDRESS_DIGITS)
    return { format: 'invalid', normalised: digits, problem: 'too-many-digits' };
  if (JP_MOBILE.test(digits))
    return { format: 'mobile', normalised: `+81${digits.replace(/^(?:\+81|0)/, '')}`, country: 'JP' };
  // Short codes: 0005 + 4–6 digits (common), 0032… (SoftBank), and up to 6 digits (SoftBank 2xxxx, au).
  if (/^0005\d{4,6}$/.test(digits) || /^0032\d{2,8}$/.test(digits) || /^\d{3,6}$/.test(digits))
    return { format: 'short-code', normalised: digits };
  let international = digits.startsWith('+');
  let s = digits;
  if (/^(?:00|010)[1-9]/.test(s)) {
    s = `+${s.replace(/^(?:00|010)/, '')}`;
    international = true;
  }
  if (s.startsWith('+810')) return { format: 'invalid', normalised: s, country: 'JP', problem: 'trunk-zero' };
  if (!international && !/^0[1-9]\d{8,9}$/.test(s)) return { format: 'digits', normalised: s };
  const parsed = parsePhoneNumberFromString(s, 'JP');
  if (!parsed?.isPossible())
    return international
      ? { format: 'invalid', normalised: s, problem: 'impossible-number' }
      : { format: 'digits', normalised: s };
  const country = parsed.country ?? (parsed.countryCallingCode === '81' ? 'JP' : undefined);
  const base = { normalised: parsed.number, ...(country ? { country } : {}) };
  if (parsed.countryCallingCode !== '81') return { format: 'international', ...base };
  if (!parsed.isValid()) return { format: 'invalid', ...base, problem: 'invalid-jp-number' };
  switch (parsed.getType()) {
    case 'MOBILE':
      return { format: 'mobile', ...base };
    case 'PAGER':
      return { format: 'm2m', ...base };
    case 'VOIP':
      return { format: 'ip-phone', ...base };
    case 'TOLL_FREE':
      return { format: 'freephone', ...base };
    case 'FIXED_LINE':
    case 'FIXED_LINE_OR_MOBILE':
      return { format: 'landline', ...base };
    default:
      return { format: 'jp-other', ...base };
  }
}

function classifyUncached(kind: MessageKind, raw: string): SenderClass {
  const text = raw.trim();
  if (CONTROL.test(text))
    return { format: 'invalid', normalised: upperId(text), problem: 'control-characters' };
  const compact = text.normalize('NFKC').replace(SEPARATORS, '');
  if (compact !== '' && DIGITS.test(compact)) return classifyDigits(compact);
  const id = upperId(text);
  if (kind === 'dm' || kind === 'post' || !LETTER.test(text)) return { format: 'handle', normalised: id };
  if (kind === 'sms') {
    const septets = gsmSeptets(text);
    if (septets === undefined) return { format: 'alphanumeric', normalised: id, problem: 'non-gsm-id' };
    if (septets > MAX_SENDER_ID) return { format: 'alphanumeric', normalised: id, problem: 'too-long-id' };
  }
  return { format: 'alphanumeric', normalised: id };
}

/** Senders remembered (per kind), oldest out first. */
const CACHE_SIZE = 4096;
const cache = new Map<string, SenderClass>();

/**
 * What a sender is, for a kind of message, and why no network could deliver
 * it (`problem`), if so. Never throws; senders over 320 characters are
 * classified on their first 320.
 *
 * @example classifySender('sms', '090-1234-5678') // { format: 'mobile', normalised: '+819012345678', country: 'JP' }
 * @example classifySender('sms', '+8109012345678').problem // 'trunk-zero'
 */
export function classifySender(kind: MessageKind, raw: string): SenderClass {
  const sender = raw.length > 320 ? raw.slice(0, 320) : raw;
  const key = `${kind}\u0000${sender}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const answer = Object.freeze(classifyUncached(kind, sender));
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, answer);
  return answer;
}

/**
 * The sender as the verified-sender registry and the allow lists key it:
 * E.164 for a number, the digits of a short code, the ID or handle NFKC'd in
 * upper case (`Amazon` → `AMAZON`). Undefined for a sender no network carries
 * (controls, an impossible number).
 */
export function normaliseSender(raw: string): string | undefined {
  const c = classifySender('sms', raw);
  if (c.problem !== undefined && c.problem !== 'too-long-id' && c.problem !== 'non-gsm-id') return undefined;
  return c.normalised === '' ? undefined : c.normalised;
}

interface SenderAlias {
  readonly brand: string;
  readonly skeleton: string;
  /** Matched only as a whole word of the ID (`AU`, `AU-PAY`), never inside one (`AUDI`). */
  readonly whole: boolean;
  /** A common word or given name as a handle (`mizuho`, `apple`, `yamato`): a claim only as an SMS or RCS sender ID. */
  readonly idOnly: boolean;
}

/**
 * Sender-ID spellings the brand list's keywords lack: the short forms brands
 * and lure kits use as SMS sender IDs (AMZN, SAGAWA, KURONEKO…), and brands
 * impersonated by SMS that have no phishing-URL volume of their own (佐川急便,
 * ゆうちょ銀行). `idOnly` as above.
 */
const EXTRA_ALIASES: readonly (readonly [brand: string, ids: readonly string[], idOnly?: boolean])[] = [
  ['Amazon', ['amzn', 'amazonjp']],
  ['佐川急便', ['sagawa', 'sagawaexp', 'sagawa-exp']],
  ['ヤマト運輸', ['kuroneko', 'yamato', 'kuronekoyamato', 'yamatotransport'], true],
  ['日本郵便', ['japanpost', 'jppost', 'yubin', 'yuubin', 'postjp'], false],
  ['ゆうちょ銀行', ['yucho', 'yuucho', 'jpbank'], false],
  ['りそな銀行', ['resona'], false],
  ['三井住友銀行', ['smbc'], false],
  ['みずほ銀行', ['mizuho'], true],
  ['Apple ID', ['apple', 'icloud'], true],
  ['NTT docomo', ['docomo', 'nttdocomo'], false],
  ['au', ['au', 'kddi'], true],
  ['NTTファイナンス', ['nttfinance', 'ntt-finance'], false],
  ['楽天', ['rakuten', 'rakutenbank', 'rakutenmobile'], false],
  ['PayPay', ['paypay'], false],
];

const ALIASES: readonly SenderAlias[] = (() => {
  const out = new Map<string, SenderAlias>();
  const add = (brand: string, id: string, idOnly: boolean) => {
    const s = skeleton(id);
    if (s.length < 2 || out.has(s)) return;
    out.set(s, { brand, skeleton: s, whole: s.length <= 4, idOnly });
  };
  for (const [brand, ids, idOnly] of EXTRA_ALIASES) for (const id of ids) add(brand, id, idOnly ?? false);
  for (const b of BRANDS) for (const k of b.keywords) add(b.name, k, b.strict.includes(k));
  return [...out.values()];
})();

/** A brand a sender ID or handle claims, and the alias that matched. */
export interface SenderBrandClaim {
  readonly brand: string;
  readonly alias: string;
  /** `exact`: the ID is the name; `word`: a word of it (`SMBC-CARD`); `inside`: inside a longer ID; `near`: one edit away. */
  readonly how: 'exact' | 'word' | 'inside' | 'near';
}

const WORD_SPLIT = /[^\p{L}\p{N}]+|(?<=\p{Ll})(?=\p{Lu})/u;

/**
 * The brand a sender ID (SMS, RCS) or a handle (DMs, posts) claims, matched
 * on its look-alike skeleton (`AMAZ0N`, Cyrillic `АMAZON` → amazon): the
 * whole ID, a word of it, a long name inside it (`MyRakutenInfo`), or a long
 * name one edit away (`AMAZOM`). Short names (`AU`, `NTA`, `SMBC`) match
 * only whole or as a word; common words and given names only as an SMS or
 * RCS sender ID; null when it claims none. Never throws; answers are kept in
 * a bounded cache.
 *
 * @example senderBrandClaim('sms', 'SMBC-Card') // { brand: '三井住友銀行', alias: 'smbc', how: 'word' }
 */
export function senderBrandClaim(kind: MessageKind, sender: string): SenderBrandClaim | null {
  const key = `${kind}\u0000${sender.length > 64 ? sender.slice(0, 64) : sender}`;
  const hit = claims.get(key);
  if (hit !== undefined) return hit;
  const answer = claimOf(kind, sender);
  if (claims.size >= CACHE_SIZE) claims.delete(claims.keys().next().value as string);
  claims.set(key, answer === undefined ? null : Object.freeze(answer));
  return answer ?? null;
}

/** Claims remembered (per kind and sender, null for none), oldest out first. */
const claims = new Map<string, SenderBrandClaim | null>();

function claimOf(kind: MessageKind, sender: string): SenderBrandClaim | undefined {
  const id = sender.slice(0, 64).normalize('NFKC');
  const handle = kind === 'dm' || kind === 'post';
  const whole = skeleton(id.replace(/[^\p{L}\p{N}]+/gu, ''));
  if (whole === '') return undefined;
  const words = new Set(
    id
      .split(WORD_SPLIT)
      .filter((w) => w !== '')
      .map((w) => skeleton(w)),
  );
  let inside: SenderBrandClaim | undefined;
  let near: SenderBrandClaim | undefined;
  let word: SenderBrandClaim | undefined;
  for (const a of ALIASES) {
    if (handle && a.idOnly) continue;
    if (whole === a.skeleton) return { brand: a.brand, alias: a.skeleton, how: 'exact' };
    if (word === undefined && words.has(a.skeleton))
      word = { brand: a.brand, alias: a.skeleton, how: 'word' };
    if (a.whole) continue;
    if (inside === undefined && a.skeleton.length >= 5 && whole.includes(a.skeleton))
      inside = { brand: a.brand, alias: a.skeleton, how: 'inside' };
    else if (
      near === undefined &&
      !a.idOnly &&
      a.skeleton.length >= 6 &&
      editDistance(whole, a.skeleton, 1) === 1
    )
      near = { brand: a.brand, alias: a.skeleton, how: 'near' };
  }
  return word ?? inside ?? near;
}
