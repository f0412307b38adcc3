/**
 * Japanese for the contract channel's own field messages (its schema's
 * refinements: corporations, agencies, cancelled lines, holder keys), added
 * to the platform's catalogue when the channel is served (`messagesJa`).
 */
export const CONTRACT_MESSAGES_JA: Readonly<Record<string, string>> = {
  'check digit does not match (not a corporate number)':
    'チェックデジットが一致しません（法人番号ではありません）',
  'must be 13 digits': '13 桁の数字で指定してください',
  'required for a corporation, and only for one': '法人の場合に必須で、法人以外では指定できません',
  'required when relying on another service': '他社の本人確認結果に依拠する場合は必須です',
  'required for an agency': '代理店の場合は必須です',
  'must be after contractedAt': 'contractedAt より後の日時を指定してください',
  'is before contractedAt': 'contractedAt より前の日時です',
  'required for a cancelled line': '解約済みの回線では必須です',
  'only for a cancelled line': '解約済みの回線でのみ指定できます',
  'only for a corporation': '法人の場合のみ指定できます',
  'required for a corporation (or a holderKey)': '法人の場合は必須です（または holderKey）',
  'give the holder identity or a holderKey': '契約者の本人確認情報か holderKey を指定してください',
  'give the holder identity or a holderKey, not both':
    '契約者の本人確認情報と holderKey はどちらか一方だけを指定してください',
  'give the registered user or its key, not both': '利用者と利用者キーはどちらか一方だけを指定してください',
};
