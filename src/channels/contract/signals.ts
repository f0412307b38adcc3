import { defineSignals } from '../../core/index.ts';

/**
 * The contract channel's signals (measures P1–P6 of MEASURES.md). Names are
 * stable identifiers stored in verdicts and the decision log: never rename
 * or reuse one.
 *
 * `reason` is what a shop clerk can read to the customer; `{…}` is filled
 * from the hit's params. Forced actions carry the decision (over the cap →
 * review by HQ; KYC missing or not allowed → block; weak authentication or
 * weak reliance → step up, naming what is accepted); weights give a score for
 * the rest (registered users missing) and for ordering reasons.
 *
 * Groups: `line_cap` (P2), `kyc` (P1, P5, KYC rule sets), `auth` (P3),
 * `corporate` (P4), `resale` (P6 velocity and rings), `registration` (P6
 * registered users), `exception` (HQ's approved exceptions).
 */
export const CONTRACT_SIGNALS = defineSignals([
  {
    name: 'CONTRACT_LINE_CAP_EXCEEDED',
    group: 'line_cap',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '上限契約台数を超える申込（P2）',
      en: 'Application over the line cap (P2)',
    },
    reason: {
      ja: '{holderTypeJa}のお客様の{capGroupJa}回線は {cap} 回線までです。ご契約中の {existing} 回線と今回の {requested} 回線で {total} 回線となるため、利用目的（{purpose}）を確認のうえ本部で審査します（誓約書: {pledgeJa}）',
      en: 'A {holderTypeEn} may hold up to {cap} {capGroupEn} lines. The {existing} lines held and the {requested} requested make {total}, so HQ reviews the declared purpose ({purpose}) before the contract (pledge: {pledgeEn})',
    },
  },
  {
    name: 'CONTRACT_EXCEPTION_APPROVED',
    group: 'exception',
    weight: 0,
    description: {
      ja: '本部が承認した例外の範囲内の申込（P2）',
      en: 'Application within an exception approved by HQ (P2)',
    },
    reason: {
      ja: '本部で承認された例外（案件 {caseId}）の範囲内のお申込みです',
      en: 'Within the exception HQ approved (case {caseId})',
    },
  },
  {
    name: 'CONTRACT_DATA_SIM_NO_KYC',
    group: 'kyc',
    weight: 12,
    forceAction: 'block',
    description: {
      ja: '本人確認のないデータSIMの申込（P1）',
      en: 'Data SIM applied for without identity verification (P1)',
    },
    reason: {
      ja: '{simTypeJa}SIM（{lines} 回線）は本人確認が必要です。本人確認書類による確認を行ってからお申し込みください',
      en: 'A {simTypeEn} SIM ({lines} lines) needs identity verification; verify the customer’s identity first',
    },
  },
  {
    name: 'CONTRACT_KYC_MISSING',
    group: 'kyc',
    weight: 12,
    forceAction: 'block',
    description: {
      ja: '本人確認のない音声SIMの申込',
      en: 'Voice SIM applied for without identity verification',
    },
    reason: {
      ja: '音声回線（{lines} 回線）のご契約には本人確認が必要です。本人確認を行ってからお申し込みください',
      en: 'Voice lines ({lines}) need identity verification; verify the customer’s identity first',
    },
  },
  {
    name: 'CONTRACT_KYC_METHOD_NOT_ALLOWED',
    group: 'kyc',
    weight: 12,
    forceAction: 'block',
    description: {
      ja: 'この申込窓口・日付では認められない本人確認方法',
      en: 'Identity verification method not allowed for this sales channel on this date',
    },
    reason: {
      ja: '{channelJa}でのお申込みでは「{methodJa}」による本人確認は受け付けておりません（{ruleFrom} から適用）。{allowedJa}のいずれかで本人確認をお願いします',
      en: '{channelEn} applications do not accept {methodEn} (rule in force from {ruleFrom}). Please verify identity by {allowedEn}',
    },
  },
  {
    name: 'CONTRACT_KYC_DOCUMENT_EXPIRED',
    group: 'kyc',
    weight: 12,
    forceAction: 'block',
    description: {
      ja: '有効期限切れの本人確認書類',
      en: 'Expired identity document',
    },
    reason: {
      ja: 'ご提示の本人確認書類は有効期限（{expiry}）が切れています。有効期限内の書類で本人確認をお願いします',
      en: 'The identity document expired on {expiry}; please verify identity with a valid document',
    },
  },
  {
    name: 'CONTRACT_KYC_RELIANCE_LOW_ASSURANCE',
    group: 'kyc',
    weight: 4,
    forceAction: 'step_up',
    description: {
      ja: '保証レベルの足りない他社の本人確認結果への依拠（P5）',
      en: 'Reliance on another service’s KYC below the required assurance level (P5)',
    },
    reason: {
      ja: '{provider} の本人確認結果（保証レベル {level}）では、{simTypeJa}回線に必要な保証レベル {required} に足りません。{stepUpJa}で本人確認をお願いします',
      en: 'The identity check by {provider} (assurance level {level}) is below the level {required} needed for {simTypeEn} lines. Please verify identity by {stepUpEn}',
    },
  },
  {
    name: 'CONTRACT_KYC_RELIANCE_STALE',
    group: 'kyc',
    weight: 4,
    forceAction: 'step_up',
    description: {
      ja: '古い他社の本人確認結果への依拠（P5）',
      en: 'Reliance on another service’s KYC older than allowed (P5)',
    },
    reason: {
      ja: '{provider} の本人確認は {ageDays} 日前のもので、依拠できる期間（{maxAgeDays} 日）を過ぎています。{stepUpJa}で本人確認をお願いします',
      en: 'The identity check by {provider} is {ageDays} days old, past the {maxAgeDays} days it may be relied on. Please verify identity by {stepUpEn}',
    },
  },
  {
    name: 'CONTRACT_ADDED_LINE_WEAK_AUTH',
    group: 'auth',
    weight: 4,
    forceAction: 'step_up',
    description: {
      ja: '追加回線の申込が ID・パスワードのみで認証されている（P3）',
      en: 'Added line authenticated by ID and password only (P3)',
    },
    reason: {
      ja: '追加回線のお申込みには「{methodJa}」だけでなく、{acceptedJa}のいずれかによる確認が必要です',
      en: 'An added line needs more than {methodEn}: please confirm with {acceptedEn}',
    },
  },
  {
    name: 'CONTRACT_CORP_EMPLOYMENT_UNVERIFIED',
    group: 'corporate',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '法人契約の担当者の在籍確認がない・古い、または法人番号が不正（P4）',
      en: 'Corporate application without current employment verification of the representative, or with an invalid corporate number (P4)',
    },
    reason: {
      ja: '法人のお申込みでは、ご担当者様の在籍確認が必要です（{problemJa}）。本部で確認のうえ審査します',
      en: 'A corporate application needs current employment verification of the representative ({problemEn}); HQ reviews it',
    },
  },
  {
    name: 'CONTRACT_VELOCITY',
    group: 'resale',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '短期間に多数の申込・店舗・解約（SIMの不正転売の兆候、P6）',
      en: 'Many applications, outlets or cancellations in a short time (a sign of SIM resale, P6)',
    },
    reason: {
      ja: 'お客様名義で過去 {windowDays} 日間に {applications} 件のお申込み（{outlets} か所の店舗・窓口、{lines} 回線）と {cancelled} 回線の解約があるため、本部で審査します',
      en: 'In the last {windowDays} days this holder made {applications} applications ({outlets} outlets, {lines} lines) and cancelled {cancelled} lines; HQ reviews it',
    },
  },
  {
    name: 'CONTRACT_SHARED_ADDRESS',
    group: 'resale',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '同じ住所で短期間に多数の名義による申込（P6）',
      en: 'Many holders applying from one address in a short time (P6)',
    },
    reason: {
      ja: '同じご住所で過去 {windowDays} 日間に他に {otherHolders} 名義のお申込み（{outlets} か所の店舗・窓口）があるため、本部で審査します',
      en: 'In the last {windowDays} days {otherHolders} other holders applied from the same address ({outlets} outlets); HQ reviews it',
    },
  },
  {
    name: 'CONTRACT_SHARED_DEVICE',
    group: 'resale',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '同じ端末で短期間に多数の名義による申込（P6）',
      en: 'Many holders applying from one device in a short time (P6)',
    },
    reason: {
      ja: '同じ端末から過去 {windowDays} 日間に他に {otherHolders} 名義のお申込み（{outlets} か所の店舗・窓口）があるため、本部で審査します',
      en: 'In the last {windowDays} days {otherHolders} other holders applied from the same device ({outlets} outlets); HQ reviews it',
    },
  },
  {
    name: 'CONTRACT_REGISTERED_USER_MISSING',
    group: 'registration',
    weight: 2,
    description: {
      ja: '利用者登録のない回線（P6）',
      en: 'Lines without a registered real user (P6)',
    },
    reason: {
      ja: '{missing} 回線に利用者登録がありません。{freeLines} 回線を超える{simTypesJa}回線は、実際にお使いになる方の登録をお願いします',
      en: '{missing} lines have no registered user. Beyond {freeLines} {simTypesEn} lines, please register who will use each line',
    },
  },
]);

/** Names of the contract signals. */
export type ContractSignal = (typeof CONTRACT_SIGNALS)[number]['name'];
