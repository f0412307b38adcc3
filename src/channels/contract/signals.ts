import { defineSignals } from '../../core/index.ts';

/**
 * The contract channel's signals (measures P1–P6 of MEASURES.md). Names are
 * stable identifiers stored in verdicts and the decision log: never rename
 * or reuse one.
 *
 * Two texts per signal, `{…}` filled from the hit's params:
 * - `reason` is the reviewer's (HQ, analysts): the full picture, with counts,
 *   windows and thresholds.
 * - `customer` is what a shop clerk reads or shows to the customer: what
 *   happens now and what to do, never other people's applications, windows,
 *   counts or thresholds (an outlet-bound key sees this text in place of
 *   the reviewer's).
 * A `block` text says the application cannot proceed and why; a `step_up`
 * text says exactly what to redo; a `review` text says HQ decides.
 *
 * Forced actions carry the decision (over the cap, rings, corporate checks →
 * review by HQ; KYC missing or not allowed → block; weak authentication or
 * weak reliance → step up); weights give a score for the rest (registered
 * users missing on a person's lines) and order the reasons.
 *
 * Groups: `line_cap` (P2), `kyc` (P1, P5, KYC rule sets), `auth` (P3),
 * `corporate` (P4, P6 corporate users), `resale` (P6 velocity, rings,
 * sign-ups by program), `registration` (P6 registered users), `exception`
 * (HQ's approved exceptions).
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
      ja: '{holderTypeJa}のお客様の{capGroupJa}回線の上限は {cap} 回線です。ご契約中の {existing} 回線と今回の {requested} 回線で {total} 回線となるため、本部が利用目的（{purposeJa}）を確認して例外として認めるか審査します（誓約書: {pledgeJa}）',
      en: 'A {holderTypeEn} may hold up to {capEn} ({capGroupEn}). The {existingEn} held and the {requestedEn} requested make {total}, so HQ reviews the declared purpose ({purposeEn}) to decide on an exception (pledge: {pledgeEn})',
    },
    customer: {
      ja: 'ご契約の回線数が当社の上限を超えるため、このままではお手続きを進められません。利用目的をお伺いし、本部で審査のうえご連絡します',
      en: 'The lines would go over our limit per customer, so the application cannot go ahead as it is. We will ask what the lines are for; HQ reviews it and contacts you',
    },
  },
  {
    name: 'CONTRACT_EXCEPTION_APPROVED',
    group: 'exception',
    weight: 0,
    explainAlways: true,
    description: {
      ja: '本部が承認した例外の範囲内の申込（P2）',
      en: 'Application within an exception approved by HQ (P2)',
    },
    reason: {
      ja: '本部が承認した例外（案件 {caseId}、{approvedAtJa}承認）の範囲内のお申込みです。この例外はこの1回のお申込みに使われます',
      en: 'Within the exception HQ approved (case {caseId}, approved on {approvedAtEn}); this application uses it',
    },
    customer: {
      ja: '本部で承認済みのお申込みです。お手続きを進めてください',
      en: 'HQ has approved this application; go ahead with it',
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
      ja: '{simTypeJa}SIM（{lines} 回線）は本人確認なしではご契約いただけないため、このお申込みは受け付けられません。本人確認書類で本人確認を行ったうえで、あらためてお申し込みください',
      en: 'This application cannot proceed: a {simTypeEn} SIM ({linesEn}) cannot be contracted without identity verification. Verify the customer’s identity with an identity document, then apply again',
    },
    customer: {
      ja: '{simTypeJa}SIMのご契約には本人確認が必要なため、このお申込みは受け付けられません。本人確認書類をご用意のうえ、あらためてお申し込みください',
      en: 'A {simTypeEn} SIM needs identity verification, so this application cannot proceed. Please bring an identity document and apply again',
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
      ja: '音声回線（{lines} 回線）のご契約には本人確認が法令で義務付けられているため、このお申込みは受け付けられません。本人確認を行ったうえで、あらためてお申し込みください',
      en: 'This application cannot proceed: the law requires identity verification for voice lines ({linesEn}). Verify the customer’s identity, then apply again',
    },
    customer: {
      ja: '音声回線のご契約には本人確認が必要なため、このお申込みは受け付けられません。本人確認書類をご用意のうえ、あらためてお申し込みください',
      en: 'Voice lines need identity verification, so this application cannot proceed. Please bring an identity document and apply again',
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
      ja: '{channelJa}でのお申込みでは「{methodJa}」による本人確認は認められていないため（{ruleFromJa}から適用）、このお申込みは受け付けられません。{allowedJa}のいずれかで本人確認をやり直し、あらためてお申し込みください',
      en: 'This application cannot proceed: {channelEn} applications do not accept {methodEn} (rule in force from {ruleFromEn}). Verify identity again by {allowedEn}, then apply again',
    },
    customer: {
      ja: '{channelJa}でのお申込みでは「{methodJa}」による本人確認はご利用いただけないため、このお申込みは受け付けられません。{allowedJa}のいずれかで本人確認をやり直し、あらためてお申し込みください',
      en: '{channelEn} applications cannot use {methodEn} for identity verification, so this application cannot proceed. Please verify your identity by {allowedEn} and apply again',
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
      ja: 'ご提示の本人確認書類は有効期限（{expiryJa}）が切れているため、このお申込みは受け付けられません。有効期限内の書類で本人確認をやり直し、あらためてお申し込みください',
      en: 'This application cannot proceed: the identity document expired on {expiryEn}. Verify identity again with a valid document, then apply again',
    },
    customer: {
      ja: 'ご提示の本人確認書類は有効期限（{expiryJa}）が切れているため、このお申込みは受け付けられません。有効期限内の書類をご用意のうえ、あらためてお申し込みください',
      en: 'The identity document expired on {expiryEn}, so this application cannot proceed. Please bring a valid document and apply again',
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
      ja: '{provider} の本人確認結果（保証レベル {level}）では、{simTypeJa}回線に必要な保証レベル {required} に足りません。{stepUpJa}のいずれかで本人確認をやり直してください',
      en: 'The identity check by {provider} (assurance level {level}) is below the level {required} needed for {simTypeEn} lines. Verify identity again by {stepUpEn}',
    },
    customer: {
      ja: '{provider} の本人確認結果では今回のお申込みに必要な確認ができません。{stepUpJa}のいずれかで本人確認をお願いします',
      en: 'The identity check by {provider} is not enough for this application. Please verify your identity by {stepUpEn}',
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
      ja: '{provider} の本人確認は {ageDays} 日前のもので、依拠できる期間（{maxAgeDays} 日）を過ぎています。{stepUpJa}のいずれかで本人確認をやり直してください',
      en: 'The identity check by {provider} is {ageDaysEn} old, past the {maxAgeDaysEn} it may be relied on. Verify identity again by {stepUpEn}',
    },
    customer: {
      ja: '{provider} での本人確認から時間が経っているため、{stepUpJa}のいずれかで本人確認をやり直してください',
      en: 'The identity check by {provider} is too old for this application. Please verify your identity again by {stepUpEn}',
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
      ja: '追加回線のお申込みは「{methodJa}」だけでは受け付けられません。{acceptedJa}のいずれかで認証をやり直してください',
      en: 'An added line cannot be applied for with {methodEn} alone. Authenticate again with {acceptedEn}',
    },
    customer: {
      ja: '追加回線のお申込みには「{methodJa}」に加えて追加の認証が必要です。{acceptedJa}のいずれかで認証をやり直してください',
      en: 'An added line needs more than {methodEn}. Please authenticate again with {acceptedEn}',
    },
  },
  {
    name: 'CONTRACT_ADDED_LINE_NOT_HELD',
    group: 'auth',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '追加回線の申込者が、指定した回線（または回線そのもの）を保有していない（P3）',
      en: 'Added-line applicant does not hold the line named (or any line) (P3)',
    },
    reason: {
      ja: '追加回線のお申込みですが、{stateJa}。ご契約者ご本人の追加回線として確認できないため、本部で確認します',
      en: 'This is an added-line application, but {stateEn}. It cannot be confirmed as an added line of the holder, so HQ checks it',
    },
    customer: {
      ja: 'ご指定の回線をお客様名義のご契約として確認できないため、本部で確認のうえご連絡します。新規のご契約として本人確認を行い、お申し込みいただくこともできます',
      en: 'We cannot confirm the line you named as held in your name, so HQ checks it and contacts you. You can also apply for a new contract with identity verification',
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
      ja: '法人のお申込みには、ご担当者様の在籍確認が必要です（{problemJa}）。本部で確認して審査します',
      en: 'A corporate application needs current employment verification of the representative ({problemEn}); HQ reviews it',
    },
    customer: {
      ja: '法人のお申込みには、ご担当者様が当該法人に在籍していることの確認が必要です。本部で確認のうえご連絡します',
      en: 'A corporate application needs confirmation that you work for the corporation. HQ checks it and contacts you',
    },
  },
  {
    name: 'CONTRACT_CORP_AUTHORITY_UNVERIFIED',
    group: 'corporate',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '法人契約の担当者の代理権（代表者本人・委任状）が確認されていない、または古い（P4）',
      en: 'Corporate application without current proof of the representative’s authority to act (representative or letter of authority) (P4)',
    },
    reason: {
      ja: '法人のお申込みには、ご担当者様の代理権の確認（代表者ご本人であること、または法人の委任状）が必要です（{problemJa}）。本部で確認して審査します',
      en: 'A corporate application needs proof of the representative’s authority to act (the representative in person, or a letter of authority) ({problemEn}); HQ reviews it',
    },
    customer: {
      ja: '法人のお申込みには、代表者ご本人であることの確認書類、または法人からの委任状が必要です。ご用意いただいたうえで、本部で確認のうえご連絡します',
      en: 'A corporate application needs proof that you are the representative, or a letter of authority from the corporation. HQ checks it and contacts you',
    },
  },
  {
    name: 'CONTRACT_CORP_REGISTERED_USER_MISSING',
    group: 'corporate',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '利用者登録のない法人名義の回線（P6 利用者登録・実際の使用者）',
      en: 'Corporate lines without a registered real user (P6)',
    },
    reason: {
      ja: '法人名義の{simTypesJa}回線 {missing} 回線に利用者登録がありません。法人の回線は実際にお使いになる方の登録が必要なため、本部で審査します',
      en: '{missingEn} of the corporation ({simTypesEn}) have no registered user. Every corporate line needs its real user registered, so HQ reviews it',
    },
    customer: {
      ja: '法人名義の回線は、実際にお使いになる方（利用者）の氏名と生年月日のご登録が必要です。ご登録内容を本部で確認のうえご連絡します',
      en: 'Corporate lines need the name and date of birth of each real user. HQ checks the registration and contacts you',
    },
  },
  {
    name: 'CONTRACT_VELOCITY',
    group: 'resale',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '短期間に多数の申込・回線・店舗・解約（SIMの不正転売の兆候、P6）',
      en: 'Many applications, lines, outlets or cancellations in a short time (a sign of SIM resale, P6)',
    },
    reason: {
      ja: 'お客様名義で過去 {windowDays} 日間に {applications} 件のお申込み（{outlets} か所の店舗・窓口、{lines} 回線）と {cancelled} 回線の解約があるため、本部で審査します',
      en: 'In the last {windowDaysEn} this holder made {applicationsEn} ({outletsEn}, {linesEn}) and cancelled {cancelledEn}; HQ reviews it',
    },
    customer: {
      ja: 'お客様名義のお申込み状況を確認するため、本部で審査のうえご連絡します',
      en: 'HQ reviews the applications in your name and contacts you',
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
      ja: '同じご住所で過去 {windowDays} 日間に他に {otherHolders} 名義のお申込み（{outlets} か所の店舗・窓口、SMS 可能な回線 {smsLines} 回線）があるため、本部で審査します',
      en: 'In the last {windowDaysEn} {otherHoldersEn} other than this one applied from the same address ({outletsEn}, {smsLinesEn} with SMS in all); HQ reviews it',
    },
    customer: {
      ja: 'お申込み内容を確認するため、本部で審査のうえご連絡します',
      en: 'HQ reviews the application and contacts you',
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
      ja: '同じ端末から過去 {windowDays} 日間に他に {otherHolders} 名義のお申込み（{outlets} か所の店舗・窓口、SMS 可能な回線 {smsLines} 回線）があるため、本部で審査します',
      en: 'In the last {windowDaysEn} {otherHoldersEn} other than this one applied from the same device ({outletsEn}, {smsLinesEn} with SMS in all); HQ reviews it',
    },
    customer: {
      ja: 'お申込み内容を確認するため、本部で審査のうえご連絡します',
      en: 'HQ reviews the application and contacts you',
    },
  },
  {
    name: 'CONTRACT_SHARED_IP',
    group: 'resale',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '同じ IP アドレスから短期間に多数の名義によるオンライン申込（自作プログラムによる不正契約の兆候、P6）',
      en: 'Many holders signing up online from one IP address in a short time (a sign of sign-ups by program, P6)',
    },
    reason: {
      ja: '同じ IP アドレスから過去 {windowDays} 日間に他に {otherHolders} 名義のオンライン申込みがあるため、本部で審査します',
      en: 'In the last {windowDaysEn} {otherHoldersEn} other than this one signed up from the same IP address; HQ reviews it',
    },
    customer: {
      ja: 'お申込み内容を確認するため、本部で審査のうえご連絡します',
      en: 'HQ reviews the application and contacts you',
    },
  },
  {
    name: 'CONTRACT_SESSION_AUTOMATED',
    group: 'resale',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '人の操作とは考えにくいオンライン申込（入力が速すぎる・試行が多すぎる。自作プログラムによる不正契約の兆候、P6）',
      en: 'Online sign-up unlikely to be made by a person (form filled too fast, too many attempts; a sign of sign-ups by program, P6)',
    },
    reason: {
      ja: 'オンライン申込みの操作が人によるものとは考えにくいため（{problemJa}）、本部で審査します',
      en: 'The online sign-up is unlikely to have been made by a person ({problemEn}); HQ reviews it',
    },
    customer: {
      ja: 'お申込み内容を確認するため、本部で審査のうえご連絡します',
      en: 'HQ reviews the application and contacts you',
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
      ja: '{missing} 回線に利用者登録がありません。{freeLines} 回線を超える{simTypesJa}回線は、実際にお使いになる方の登録が必要です。利用者の氏名と生年月日を登録してから、あらためてお申し込みください',
      en: '{missingEn} have no registered user. Beyond {freeLinesEn} ({simTypesEn}), register who will use each line (name and date of birth), then apply again',
    },
    customer: {
      ja: '今回の回線には、実際にお使いになる方（利用者）のご登録が必要です。利用者の氏名と生年月日をご登録ください',
      en: 'These lines need their real users registered. Please give the name and date of birth of each user',
    },
  },
  {
    name: 'CONTRACT_REGISTERED_USER_SHARED',
    group: 'resale',
    weight: 6,
    forceAction: 'review',
    description: {
      ja: '同じ人物が多数の名義の回線に利用者として登録されている（P6）',
      en: 'One person registered as the user of lines under many holders (P6)',
    },
    reason: {
      ja: '利用者として登録された方が、他に {otherHolders} 名義の回線・お申込みでも利用者として登録されているため、本部で審査します',
      en: 'A registered user of this application is also registered as the user of lines or applications of {otherHoldersEn}; HQ reviews it',
    },
    customer: {
      ja: 'ご登録の利用者について確認するため、本部で審査のうえご連絡します',
      en: 'HQ checks the registered users and contacts you',
    },
  },
]);

/** Names of the contract signals. */
export type ContractSignal = (typeof CONTRACT_SIGNALS)[number]['name'];
