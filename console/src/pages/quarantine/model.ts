/**
 * The mail quarantine as the console reads it (issue 11 item 4, E4): the API's
 * objects (`GET /v1/mail/quarantine`, `/v1/mail/quarantine/{id}`, release,
 * appeal, per-recipient strength) and the page's search params. The types name
 * only the fields the pages use; `/openapi.json` is the reference.
 */
import type { Localized, Permission } from '../../types.ts';

export const QUARANTINE_STATUSES = ['quarantined', 'released', 'deleted', 'expired'] as const;
export type QuarantineStatus = (typeof QUARANTINE_STATUSES)[number];

export const STRENGTHS = ['low', 'standard', 'high'] as const;
export type Strength = (typeof STRENGTHS)[number];

/** Who may do what (the operations' `permission`): the console hides what the key cannot do. */
export const CAN_READ: Permission = 'cases:read';
export const CAN_RELEASE: Permission = 'cases:resolve';
export const CAN_APPEAL: Permission = 'cases:resolve';
export const CAN_DELETE: Permission = 'cases:resolve';
/** A recipient's strength is a subscriber setting (as the message filter's): `GET`/`POST /v1/mail/strength`. */
export const CAN_READ_STRENGTH: Permission = 'subscribers:read';
export const CAN_SET_STRENGTH: Permission = 'subscribers:write';

export interface QuarantineAppeal {
  readonly caseId: string;
  /** open (its case waits), approved (the mail is released), denied, expired (undecided: still quarantined). */
  readonly status: string;
  readonly reason: string;
}

/** One quarantined mail in the list. */
export interface QuarantineItem {
  readonly id: string;
  readonly decisionId: string;
  readonly recipients: readonly string[];
  readonly from: string | null;
  readonly subject: string;
  readonly score: number;
  readonly action: string;
  readonly summary: Localized;
  readonly receivedAt: string;
  readonly expiresAt: string;
  readonly status: QuarantineStatus;
  readonly size: number;
  readonly appeal: QuarantineAppeal | null;
  readonly releasedAt?: string | null;
  readonly releasedTo?: readonly string[];
}

/** One reason of the verdict: the signal raised and what it means, in both languages. */
export interface QuarantineReason {
  readonly signal: string;
  readonly ja: string;
  readonly en: string;
}

/** `GET /v1/mail/quarantine/{id}`: the item with its headers, a text preview and the reasons. */
export interface QuarantineDetail extends QuarantineItem {
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly textPreview: string;
  readonly reasons: readonly QuarantineReason[];
}

export interface ReleaseResult {
  readonly id: string;
  readonly status: 'released';
  readonly releasedTo: readonly string[];
  readonly messageId?: string;
}

export interface AppealResult {
  readonly id: string;
  readonly caseId: string;
}

export interface StrengthSetting {
  readonly recipient: string;
  readonly strength: Strength;
}

/** The list's filters, kept in the URL (a recipient's view can be bookmarked). */
export interface QuarantineSearch {
  readonly recipient?: string;
  readonly status?: QuarantineStatus;
}

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (values as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

/** Unknown values are dropped; `quarantined` is the default and stays out of the URL. */
export function validateQuarantineSearch(search: Record<string, unknown>): QuarantineSearch {
  const out: { recipient?: string; status?: QuarantineStatus } = {};
  if (typeof search.recipient === 'string') {
    const recipient = search.recipient.trim().slice(0, 320);
    if (recipient) out.recipient = recipient;
  }
  const status = oneOf(QUARANTINE_STATUSES, search.status);
  if (status && status !== 'quarantined') out.status = status;
  return out;
}

/** The detail page remembers which recipient's view it was opened from (release to that one). */
export interface QuarantineItemSearch {
  readonly recipient?: string;
}

export function validateItemSearch(search: Record<string, unknown>): QuarantineItemSearch {
  if (typeof search.recipient !== 'string') return {};
  const recipient = search.recipient.trim().slice(0, 320);
  return recipient ? { recipient } : {};
}

/** Sizes as a reader reads them (bytes, KB, MB). */
export function formatSize(bytes: number, language: string): string {
  const format = (n: number, digits: number) =>
    new Intl.NumberFormat(language.startsWith('en') ? 'en-GB' : 'ja-JP', {
      maximumFractionDigits: digits,
    }).format(n);
  if (bytes < 1024) return `${format(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${format(bytes / 1024, 1)} KB`;
  return `${format(bytes / (1024 * 1024), 1)} MB`;
}
