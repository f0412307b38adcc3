import { checkRaw, invalidIndicator } from './invalid-indicator.ts';

/** Zengin account-type codes (預金種目): 1 普通 ordinary, 2 当座 current, 4 貯蓄 savings. */
export const ACCOUNT_TYPE_CODES = ['1', '2', '4'] as const;
export type AccountTypeCode = (typeof ACCOUNT_TYPE_CODES)[number];

const ACCOUNT_TYPES: Readonly<Record<string, AccountTypeCode>> = {
  '1': '1',
  普通: '1',
  普通預金: '1',
  ordinary: '1',
  '2': '2',
  当座: '2',
  当座預金: '2',
  current: '2',
  checking: '2',
  '4': '4',
  貯蓄: '4',
  貯蓄預金: '4',
  savings: '4',
};

/**
 * Normalise a Japanese bank account (measure M3: the shared mule-account
 * registry, 口座凍結) to `jp:<bank>:<branch>:<type>:<number>`: bank code
 * (金融機関コード) 4 digits, branch code (支店コード) 3 digits, the Zengin
 * account-type code (1 普通 / 2 当座 / 4 貯蓄, also written as the words in
 * Japanese or English) and the account number (口座番号) of up to 7 digits,
 * zero-padded to 7. Parts may be separated by spaces, `-`, `:`, `/`, `・`.
 *
 * This value is sensitive: it is only ever stored and shared as its keyed
 * hash (see `createKeyedHasher`). Partners must use this exact canonical
 * form for their hashes to match.
 *
 * @throws MamoruError `invalid_indicator` naming the part that is wrong.
 * @example normaliseBankAccount('0001-123 普通 12345') // 'jp:0001:123:1:0012345'
 */
export function normaliseBankAccount(raw: string): string {
  const s = checkRaw('bank_account', raw).normalize('NFKC').trim().toLowerCase();
  const parts = s.split(/[\s:\-_/|,、・]+/).filter(Boolean);
  if (parts[0] === 'jp') parts.shift();
  if (parts.length !== 4)
    throw invalidIndicator(
      'bank_account',
      'needs four parts: bank code, branch code, account type, account number',
    );
  const [bank, branch, type, number] = parts as [string, string, string, string];
  if (!/^\d{4}$/.test(bank)) throw invalidIndicator('bank_account', 'bank code must be 4 digits');
  if (!/^\d{3}$/.test(branch)) throw invalidIndicator('bank_account', 'branch code must be 3 digits');
  const code = Object.hasOwn(ACCOUNT_TYPES, type) ? ACCOUNT_TYPES[type] : undefined;
  if (!code)
    throw invalidIndicator(
      'bank_account',
      'account type must be 普通/当座/貯蓄, ordinary/current/savings or 1/2/4',
    );
  if (!/^\d{1,7}$/.test(number))
    throw invalidIndicator('bank_account', 'account number must be 1 to 7 digits');
  return `jp:${bank}:${branch}:${code}:${number.padStart(7, '0')}`;
}
