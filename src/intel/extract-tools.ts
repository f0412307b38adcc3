import { type ExtractTools, type IndicatorRef, type IndicatorType, isSensitiveType } from '../core/index.ts';
import { indicatorValue } from './indicator-value.ts';
import type { KeyedHasher } from './keyed-hash.ts';
import { extractTextIndicators, extractUrlIndicators } from './text-extractor.ts';

/** Core's extract tools plus the free-text and URL extractors of intel. */
export interface IntelExtractTools extends ExtractTools {
  /** A URL's indicator and its registrable domain's. */
  url(raw: string, field?: string): IndicatorRef[];
  /** Every URL (and domain), e-mail and phone number in free text (Japanese and English). */
  text(text: string, field?: string): IndicatorRef[];
}

/** Normalised values remembered per tools instance (senders and campaign URLs repeat). */
const CACHE_SIZE = 4096;
const CACHEABLE_LENGTH = 512;

/**
 * The tools every channel's extractor gets: `indicator(type, raw, field)`
 * normalises a raw value (and hashes it for bank_account, card and
 * identity) into an `IndicatorRef`, or returns undefined when the value is
 * not of that type. It never throws: a malformed field in an event simply
 * yields no indicator.
 *
 * Results for ordinary types are kept in a small LRU cache (raw values of
 * sensitive types are never kept in memory).
 *
 * @example
 * const tools = createExtractTools(hasher);
 * tools.indicator('phone', '090-1234-5678', 'sender') // { type: 'phone', value: '+819012345678', field: 'sender' }
 */
export function createExtractTools(hasher: KeyedHasher): IntelExtractTools {
  const cache = new Map<string, string | null>();
  const normalise = (type: IndicatorType, raw: string): string | undefined => {
    // Most event fields tried against a type are not of it; the error is dropped, so skip its stack trace.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return indicatorValue(type, raw, hasher);
    } catch {
      return undefined;
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  const lookup = (type: IndicatorType, raw: string): string | undefined => {
    if (typeof raw !== 'string' || raw.length > CACHEABLE_LENGTH || isSensitiveType(type))
      return normalise(type, raw);
    const key = `${type}\u0000${raw}`;
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      return hit ?? undefined;
    }
    const value = normalise(type, raw);
    cache.set(key, value ?? null);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return value;
  };
  const tools: IntelExtractTools = {
    indicator(type: IndicatorType, raw: string, field?: string): IndicatorRef | undefined {
      const value = lookup(type, raw);
      if (value === undefined) return undefined;
      return field === undefined ? { type, value } : { type, value, field };
    },
    url: (raw, field) => extractUrlIndicators(raw, tools, field),
    text: (text, field) => extractTextIndicators(text, tools, field),
  };
  return Object.freeze(tools);
}
