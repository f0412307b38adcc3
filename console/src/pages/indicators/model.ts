/**
 * Indicators as `GET /v1/indicators` returns them (src/intel/indicator-schemas.ts
 * is the reference) and the vocabularies of its filters and forms.
 */

import { INDICATOR_TYPES, type IndicatorType } from '../../types.ts';

export { INDICATOR_TYPES, type IndicatorType };

/** Held only as keyed hashes: the list shows the hash, never a raw value. */
export const SENSITIVE_TYPES: ReadonlySet<IndicatorType> = new Set(['bank_account', 'card', 'identity']);

export const VERDICTS = ['malicious', 'suspicious', 'benign'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const SCOPES = ['org', 'partners', 'public'] as const;
export type Scope = (typeof SCOPES)[number];

export interface Indicator {
  readonly id: string;
  readonly orgId: string;
  readonly type: IndicatorType;
  readonly value: string;
  readonly hashed: boolean;
  readonly verdict: Verdict;
  readonly confidence: number;
  readonly source: string;
  readonly scope: Scope;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly expiresAt: string | null;
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The list's filters, kept in the URL (`/indicators?type=url&verdict=malicious`). */
export interface IndicatorSearch {
  readonly type?: IndicatorType | undefined;
  readonly verdict?: Verdict | undefined;
  readonly scope?: Scope | undefined;
  readonly source?: string | undefined;
  /** A value searched: exact after normalisation with a type, a substring without. */
  readonly value?: string | undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

/** The URL's search params, anything unknown dropped. */
export function indicatorSearch(search: Record<string, unknown>): IndicatorSearch {
  const source = typeof search.source === 'string' ? search.source.trim().slice(0, 200) : '';
  const value = typeof search.value === 'string' ? search.value.trim().slice(0, 2048) : '';
  return {
    value: value || undefined,
    type: oneOf(search.type, INDICATOR_TYPES),
    verdict: oneOf(search.verdict, VERDICTS),
    scope: oneOf(search.scope, SCOPES),
    source: source || undefined,
  };
}

/** What `POST /v1/indicators/import` answers. */
export interface ImportResult {
  readonly importId: string;
  readonly processed: number;
  readonly imported: number;
  readonly updated: number;
  readonly rejected: number;
  readonly rejections: readonly Rejection[];
  readonly rejectionsUrl: string;
}

export interface Rejection {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

/** The media type of an import file, from its name; null when the name says neither CSV nor JSON lines. */
export function importTypeOf(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return 'text/csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'application/x-ndjson';
  return null;
}

/** Hand a Blob to the browser as a download (an object URL: the key never goes into a URL). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The file name a response's Content-Disposition gives, or the fallback. */
export function fileNameOf(response: Response, fallback: string): string {
  const header = response.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain?.[1] ?? fallback;
}
