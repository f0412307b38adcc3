/**
 * Indicator types (the vocabulary shared by intel, the engine's overrides and
 * every channel's extractor). Normalisers live in `src/intel`.
 *
 * `bank_account`, `card` and `identity` are sensitive: they are only ever held
 * as keyed hashes (HMAC), never raw.
 */
export const INDICATOR_TYPES = [
  'phone',
  'url',
  'domain',
  'email',
  'ip',
  'bank_account',
  'card',
  'identity',
  'crypto_address',
] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export const SENSITIVE_INDICATOR_TYPES = [
  'bank_account',
  'card',
  'identity',
] as const satisfies readonly IndicatorType[];

export function isSensitiveType(type: IndicatorType): boolean {
  return (SENSITIVE_INDICATOR_TYPES as readonly IndicatorType[]).includes(type);
}

/** What an indicator says about its value. */
export const INDICATOR_VERDICTS = ['malicious', 'suspicious', 'benign'] as const;
export type IndicatorVerdict = (typeof INDICATOR_VERDICTS)[number];

/** Who may see an indicator: the owning organisation, its partners, or everyone. */
export const SHARING_SCOPES = ['org', 'partners', 'public'] as const;
export type SharingScope = (typeof SHARING_SCOPES)[number];

/**
 * A typed, already-normalised value pulled out of an event by a channel's
 * extractor. For sensitive types `value` is the keyed hash.
 * `field` says where in the event it came from (for evidence).
 */
export interface IndicatorRef {
  readonly type: IndicatorType;
  readonly value: string;
  readonly field?: string;
}

/** The part of a stored indicator a detector may see after a lookup. */
export interface IndicatorMatch {
  readonly id: string;
  readonly type: IndicatorType;
  readonly value: string;
  readonly verdict: IndicatorVerdict;
  readonly confidence: number;
  readonly source: string;
  readonly scope: SharingScope;
  /** The organisation that owns it; differs from the caller's for shared indicators. */
  readonly orgId: string;
}
