import type { LocalizedText } from '../../../core/index.ts';
import type { AddedLineAuth, HolderType, KycMethod, SalesChannel, SimType } from '../contract-schema.ts';
import type { CapGroup } from '../settings.ts';

/**
 * Japanese and English names of the contract vocabulary, for the reasons a
 * clerk reads to the customer. Japanese first (DESIGN.md).
 */
export const SIM_TYPE_LABELS = {
  voice: { ja: '音声', en: 'voice' },
  data_sms: { ja: 'SMS付きデータ', en: 'data+SMS' },
  data: { ja: 'データ専用', en: 'data-only' },
} as const satisfies Record<SimType, LocalizedText>;

export const CAP_GROUP_LABELS = {
  voice: { ja: '音声・SMS付き', en: 'voice and SMS-capable' },
  data: { ja: 'データ専用', en: 'data-only' },
} as const satisfies Record<CapGroup, LocalizedText>;

export const HOLDER_TYPE_LABELS = {
  person: { ja: '個人', en: 'person' },
  corporation: { ja: '法人', en: 'corporation' },
} as const satisfies Record<HolderType, LocalizedText>;

export const SALES_CHANNEL_LABELS = {
  shop: { ja: '店舗', en: 'Shop' },
  agency: { ja: '代理店', en: 'Agency' },
  online: { ja: 'オンライン', en: 'Online' },
} as const satisfies Record<SalesChannel, LocalizedText>;

export const KYC_METHOD_LABELS = {
  jpki_signature: {
    ja: 'マイナンバーカードの署名用電子証明書（公的個人認証）',
    en: 'the JPKI signature certificate of the My Number Card',
  },
  ic_chip_face: { ja: 'ICチップの読取りと顔照合', en: 'IC-chip reading with a face match' },
  ic_chip: { ja: 'ICチップの読取り', en: 'IC-chip reading' },
  document_visual: { ja: '本人確認書類の目視確認', en: 'checking the document in person' },
  document_photo: { ja: '本人確認書類の画像送信', en: 'a photo of the document' },
  document_copy: { ja: '本人確認書類の写しの送付', en: 'a copy of the document' },
  reliance: { ja: '他社の本人確認結果への依拠', en: 'relying on another service’s identity check' },
} as const satisfies Record<KycMethod, LocalizedText>;

export const ADDED_LINE_AUTH_LABELS = {
  password: { ja: 'ID・パスワード', en: 'ID and password' },
  otp: { ja: 'ワンタイムパスワード', en: 'a one-time password' },
  biometric: { ja: '生体認証', en: 'biometrics' },
  passkey: { ja: 'パスキー', en: 'a passkey' },
  in_person_ic: { ja: '店頭でのICチップ読取り', en: 'IC-chip reading in person' },
} as const satisfies Record<AddedLineAuth, LocalizedText>;

/**
 * A list of labels as one phrase: 「A」「B」「C」 in Japanese, "A, B or C" in English.
 *
 * @example listOf(['otp', 'passkey'], ADDED_LINE_AUTH_LABELS) // { ja: '「ワンタイムパスワード」「パスキー」', en: 'a one-time password or a passkey' }
 */
export function listOf<K extends string>(
  keys: readonly K[],
  labels: Readonly<Record<K, LocalizedText>>,
): LocalizedText {
  const ja = keys.map((k) => `「${labels[k].ja}」`).join('');
  const en = keys.map((k) => labels[k].en);
  const last = en.pop();
  return { ja, en: en.length === 0 ? (last ?? '') : `${en.join(', ')} or ${last}` };
}

/**
 * A date as Japanese readers write it: `2026-04-01` → `2026年4月1日`
 * (an ISO date-time is taken at its date part). Anything else is returned as given.
 *
 * @example jaDate('2026-04-01') // '2026年4月1日'
 */
export function jaDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : iso;
}

/**
 * A date as English readers write it: `2026-04-01` → `1 April 2026`.
 *
 * @example enDate('2026-04-01') // '1 April 2026'
 */
export function enDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** English nouns counted in reasons, with their plurals. */
const PLURALS = {
  line: 'lines',
  holder: 'holders',
  application: 'applications',
  outlet: 'outlets',
  day: 'days',
  attempt: 'attempts',
  second: 'seconds',
} as const;

/**
 * A count with its noun, singular or plural: `1 line`, `2 lines`, `0 lines`.
 *
 * @example counted(1, 'line') // '1 line'
 */
export function counted(n: number, noun: keyof typeof PLURALS): string {
  return `${n} ${n === 1 ? noun : PLURALS[noun]}`;
}
