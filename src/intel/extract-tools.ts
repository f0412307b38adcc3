import type { ExtractTools, IndicatorRef, IndicatorType } from '../core/index.ts';
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

/**
 * The tools every channel's extractor gets: `indicator(type, raw, field)`
 * normalises a raw value (and hashes it for bank_account, card and
 * identity) into an `IndicatorRef`, or returns undefined when the value is
 * not of that type. It never throws: a malformed field in an event simply
 * yields no indicator.
 *
 * @example
 * const tools = createExtractTools(hasher);
 * tools.indicator('phone', '090-1234-5678', 'sender') // { type: 'phone', value: '+819012345678', field: 'sender' }
 */
export function createExtractTools(hasher: KeyedHasher): IntelExtractTools {
  const tools: IntelExtractTools = {
    indicator(type: IndicatorType, raw: string, field?: string): IndicatorRef | undefined {
      try {
        const value = indicatorValue(type, raw, hasher);
        return field === undefined ? { type, value } : { type, value, field };
      } catch {
        return undefined;
      }
    },
    url: (raw, field) => extractUrlIndicators(raw, tools, field),
    text: (text, field) => extractTextIndicators(text, tools, field),
  };
  return Object.freeze(tools);
}
