import { foldText } from './fold-text.ts';
import { invalidIndicator, MAX_RAW_LENGTH } from './invalid-indicator.ts';
import { normaliseJapaneseAddress } from './normalise-address.ts';

/** The verified attributes an identity key is made of, in their canonical order. */
export const IDENTITY_FIELDS = ['name', 'birthdate', 'address', 'document'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** Verified identity attributes (本人確認済みの属性); `name` and at least one other are needed. */
export type IdentityAttributes = { readonly name: string } & {
  readonly [K in Exclude<IdentityField, 'name'>]?: string | undefined;
};

/**
 * Normalise an identity to its canonical key `name|birthdate|address|document`
 * (measures P2, P6: one person behind many contracts; M3): each attribute is
 * NFKC-folded, lower-cased, white space collapsed; the address takes its
 * normal form (`normaliseJapaneseAddress`: one key however it is written,
 * building and room left out); the birth date becomes
 * `YYYY-MM-DD` (from `1980-01-02`, `1980/1/2`, `1980年1月2日` or
 * `19800102`); the document number loses spaces and hyphens. Missing
 * attributes stay empty so positions never shift. Accepts the attributes as
 * an object or a pre-canonical `|`-separated string.
 *
 * This value is sensitive: it is only ever stored and shared as its keyed hash.
 *
 * @throws MamoruError `invalid_indicator` naming the attribute that is wrong.
 * @example normaliseIdentity({ name: '山田　太郎', birthdate: '1980/1/2' }) // '山田 太郎|1980-01-02||'
 */
export function normaliseIdentity(raw: string | IdentityAttributes): string {
  const attrs = typeof raw === 'string' ? fromString(raw) : fromObject(raw);
  const name = foldText(attrs.name);
  const birthdate = canonicalDate(foldText(attrs.birthdate));
  // One address however written (丁目・番・号, numerals, a missing prefecture…): a holder who writes it
  // another way is the same holder, so the line cap cannot be reset by rewriting the address (P2).
  const address = attrs.address === '' ? '' : normaliseJapaneseAddress(foldText(attrs.address));
  // Fold again after removing separators: a combining mark after a removed
  // hyphen composes with the letter before it, so one pass is not stable.
  const document = foldText(foldText(attrs.document).replace(/[\s-]/g, ''));
  if (name === '') throw invalidIndicator('identity', 'needs a name', 'value.name');
  if (birthdate === '' && address === '' && document === '')
    throw invalidIndicator('identity', 'needs at least one of birthdate, address, document besides the name');
  const key = [name, birthdate, address, document];
  for (const [i, v] of key.entries()) {
    if (v.includes('|'))
      throw invalidIndicator('identity', 'must not contain |', `value.${IDENTITY_FIELDS[i]}`);
  }
  return key.join('|');
}

function fromString(raw: string): Record<IdentityField, string> {
  if (raw.length > MAX_RAW_LENGTH)
    throw invalidIndicator('identity', `is longer than ${MAX_RAW_LENGTH} characters`);
  const parts = raw.split('|');
  if (parts.length > IDENTITY_FIELDS.length)
    throw invalidIndicator(
      'identity',
      'has more than 4 |-separated attributes (name|birthdate|address|document)',
    );
  const [name = '', birthdate = '', address = '', document = ''] = parts;
  return { name, birthdate, address, document };
}

function fromObject(raw: IdentityAttributes): Record<IdentityField, string> {
  if (typeof raw !== 'object' || raw === null)
    throw invalidIndicator('identity', 'must be a string or an object');
  const out: Record<IdentityField, string> = { name: '', birthdate: '', address: '', document: '' };
  let length = 0;
  for (const [key, value] of Object.entries(raw)) {
    if (!(IDENTITY_FIELDS as readonly string[]).includes(key))
      throw invalidIndicator('identity', `unknown attribute ${key}`, `value.${key}`);
    if (value === undefined) continue;
    if (typeof value !== 'string') throw invalidIndicator('identity', 'must be a string', `value.${key}`);
    length += value.length;
    out[key as IdentityField] = value;
  }
  if (length > MAX_RAW_LENGTH)
    throw invalidIndicator('identity', `is longer than ${MAX_RAW_LENGTH} characters`);
  return out;
}

function canonicalDate(s: string): string {
  if (s === '') return '';
  const m = /^(\d{4})(?:[-/.年]\s?(\d{1,2})[-/.月]\s?(\d{1,2})日?|(\d{2})(\d{2}))$/.exec(s);
  if (!m)
    throw invalidIndicator('identity', 'birthdate must be a date such as 1980-01-02', 'value.birthdate');
  const year = Number(m[1]);
  const month = Number(m[2] ?? m[4]);
  const day = Number(m[3] ?? m[5]);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1850 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    throw invalidIndicator('identity', 'birthdate is not a real date', 'value.birthdate');
  return `${m[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
