import { defineSignals, type IndicatorType } from '../core/index.ts';

/** The signal each indicator type fires when it matches intel. Names are stable: never rename or reuse. */
export const INTEL_SIGNAL_BY_TYPE = {
  phone: 'INTEL_MATCH_PHONE',
  url: 'INTEL_MATCH_URL',
  domain: 'INTEL_MATCH_DOMAIN',
  email: 'INTEL_MATCH_EMAIL',
  ip: 'INTEL_MATCH_IP',
  bank_account: 'INTEL_MATCH_BANK_ACCOUNT',
  card: 'INTEL_MATCH_CARD',
  identity: 'INTEL_MATCH_IDENTITY',
  crypto_address: 'INTEL_MATCH_CRYPTO_ADDRESS',
} as const satisfies Record<IndicatorType, string>;

const HASHED_TAIL = {
  ja: '（ハッシュ {value}、{verdictJa}、確信度 {confidence}、情報源: {source}）',
  en: ' (hash {value}, {verdict}, confidence {confidence}, source: {source})',
};
/**
 * What may be read to the person the matched value belongs to (a contract
 * applicant's identity, contact phone or e-mail): never the list, its source
 * or its confidence.
 */
const CUSTOMER = {
  ja: 'ご提供の情報について確認が必要です。担当者が確認のうえご連絡します',
  en: 'The information given needs checking; we will check it and contact you',
};
const TAIL = {
  ja: '（{verdictJa}、確信度 {confidence}、情報源: {source}）',
  en: ' ({verdict}, confidence {confidence}, source: {source})',
};

/**
 * Intel-match signals (group `intel`), fired by `intel.match` when an
 * extracted indicator is in the intel store. A hit's factor is
 * confidence / 100, halved for `suspicious`, so the weights below are what a
 * `malicious` match at full confidence adds. Weights reflect how directly
 * the indicator ties the event to fraud: an exact phishing URL, a mule
 * account or a compromised card (T1, M3, T2) decide alone at the message
 * policy's block threshold; a domain, phone or e-mail needs company; an IP
 * (T4: residential proxies are shared by innocent users) weighs least.
 */
export const INTEL_SIGNALS = defineSignals([
  {
    name: 'INTEL_MATCH_PHONE',
    group: 'intel',
    weight: 6,
    description: { ja: '脅威情報に登録された電話番号に一致', en: 'Phone number matches threat intelligence' },
    customer: CUSTOMER,
    reason: {
      ja: `詐欺等に使われたとして登録された電話番号（{value}）です${TAIL.ja}`,
      en: `The phone number {value} is listed as used for fraud${TAIL.en}`,
    },
  },
  {
    name: 'INTEL_MATCH_URL',
    group: 'intel',
    weight: 9,
    description: { ja: '脅威情報に登録された URL に一致', en: 'URL matches threat intelligence' },
    reason: {
      ja: `フィッシング等として登録された URL（{value}）です${TAIL.ja}`,
      en: `The URL {value} is listed as phishing or fraud${TAIL.en}`,
    },
  },
  {
    name: 'INTEL_MATCH_DOMAIN',
    group: 'intel',
    weight: 6,
    description: { ja: '脅威情報に登録されたドメインに一致', en: 'Domain matches threat intelligence' },
    reason: {
      ja: `フィッシング等として登録されたドメイン（{value}）です${TAIL.ja}`,
      en: `The domain {value} is listed as phishing or fraud${TAIL.en}`,
    },
  },
  {
    name: 'INTEL_MATCH_EMAIL',
    group: 'intel',
    weight: 6,
    description: {
      ja: '脅威情報に登録されたメールアドレスに一致',
      en: 'E-mail address matches threat intelligence',
    },
    customer: CUSTOMER,
    reason: {
      ja: `詐欺等に使われたとして登録されたメールアドレス（{value}）です${TAIL.ja}`,
      en: `The e-mail address {value} is listed as used for fraud${TAIL.en}`,
    },
  },
  {
    name: 'INTEL_MATCH_IP',
    group: 'intel',
    weight: 4,
    description: {
      ja: '脅威情報に登録された IP アドレス（踏み台等）に一致',
      en: 'IP address matches threat intelligence (proxies, abused hosts)',
    },
    reason: {
      ja: `踏み台・不正利用として登録された IP アドレス（{value}）です${TAIL.ja}`,
      en: `The IP address {value} is listed as abused or a proxy${TAIL.en}`,
    },
  },
  {
    name: 'INTEL_MATCH_BANK_ACCOUNT',
    group: 'intel',
    weight: 9,
    description: {
      ja: '共有された不正口座（犯罪利用口座）に一致',
      en: 'Bank account matches a shared mule-account record',
    },
    reason: {
      ja: `不正利用口座として共有された口座です${HASHED_TAIL.ja}`,
      en: `The bank account is shared as a mule account${HASHED_TAIL.en}`,
    },
  },
  {
    name: 'INTEL_MATCH_CARD',
    group: 'intel',
    weight: 9,
    description: {
      ja: '漏えい等が共有されたカード番号に一致',
      en: 'Card matches a shared compromised-card record',
    },
    reason: {
      ja: `不正利用のおそれがあるとして共有されたカードです${HASHED_TAIL.ja}`,
      en: `The card is shared as compromised${HASHED_TAIL.en}`,
    },
  },
  {
    name: 'INTEL_MATCH_IDENTITY',
    group: 'intel',
    weight: 8,
    description: {
      ja: '不正に関与したとして共有された本人情報に一致',
      en: 'Identity matches a shared fraud record',
    },
    customer: CUSTOMER,
    reason: {
      ja: `不正への関与が共有された本人情報です${HASHED_TAIL.ja}`,
      en: `The identity is shared as involved in fraud${HASHED_TAIL.en}`,
    },
  },
  {
    name: 'INTEL_MATCH_CRYPTO_ADDRESS',
    group: 'intel',
    weight: 8,
    description: {
      ja: '脅威情報に登録された暗号資産アドレスに一致',
      en: 'Crypto-asset address matches threat intelligence',
    },
    reason: {
      ja: `詐欺等に使われたとして登録された暗号資産アドレス（{value}）です${TAIL.ja}`,
      en: `The crypto-asset address {value} is listed as used for fraud${TAIL.en}`,
    },
  },
]);
