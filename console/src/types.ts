/**
 * The API's objects as the console reads them (the OpenAPI document at
 * `/openapi.json` is the reference; only the fields the console uses are named).
 */

export interface Localized {
  readonly ja: string;
  readonly en: string;
}

export const ACTIONS = ['allow', 'warn', 'step_up', 'review', 'hold', 'block', 'freeze'] as const;
export type Action = (typeof ACTIONS)[number];

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

export const ROLES = ['admin', 'analyst', 'reviewer', 'agent', 'system'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'screen'
  | 'decisions:read'
  | 'decisions:audit'
  | 'cases:read'
  | 'cases:assign'
  | 'cases:comment'
  | 'cases:resolve'
  | 'indicators:read'
  | 'indicators:write'
  | 'lines:write'
  | 'subscribers:read'
  | 'subscribers:write'
  | 'reports:write'
  | 'policies:read'
  | 'policies:write'
  | 'keys:admin'
  | 'orgs:admin';

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly [field: string]: unknown;
}

/** `GET /v1/me`: the signed-in key. */
export interface Me {
  readonly keyId: string;
  readonly role: Role;
  readonly origin: string | null;
  readonly permissions: readonly Permission[];
  readonly organisation: Organisation;
  readonly operator: boolean;
}

/** A page of a list endpoint. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}
