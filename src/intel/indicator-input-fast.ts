import type { z } from 'zod';
import { INDICATOR_TYPES, INDICATOR_VERDICTS, misleadingText, SHARING_SCOPES } from '../core/index.ts';
import type { indicatorInputSchema } from './indicator-schemas.ts';
import { MAX_RAW_LENGTH } from './invalid-indicator.ts';

type IndicatorFields = z.output<typeof indicatorInputSchema>;

const TYPES: ReadonlySet<unknown> = new Set(INDICATOR_TYPES.filter((t) => t !== 'identity'));
const VERDICTS: ReadonlySet<unknown> = new Set(INDICATOR_VERDICTS);
const SCOPES: ReadonlySet<unknown> = new Set(SHARING_SCOPES);
const NO_TAGS: readonly string[] = Object.freeze([]);

/**
 * `indicatorInputSchema`'s answer for the common bulk-import line — a string
 * value of a type other than identity, with at most verdict, confidence,
 * source, scope and hashed beside it — checked by hand, without zod's cost
 * per row (about a fifth of an import's CPU in Node). Anything else, and
 * anything this check would refuse, gives `undefined`: the caller then
 * parses with the schema, which answers (and names the error) as always.
 * So it accepts only what the schema accepts, and gives what the schema
 * gives (`indicator-input-fast.test.ts` checks both, property-based).
 */
export function fastIndicatorInput(input: unknown): IndicatorFields | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const o = input as Record<string, unknown>;
  let keys = 0;
  for (const key in o) {
    if (!Object.hasOwn(o, key)) return undefined;
    keys++;
  }
  const { type, value, verdict, confidence, source, scope, hashed } = o;
  const known =
    (type !== undefined ? 1 : 0) +
    (value !== undefined ? 1 : 0) +
    (verdict !== undefined ? 1 : 0) +
    (confidence !== undefined ? 1 : 0) +
    (source !== undefined ? 1 : 0) +
    (scope !== undefined ? 1 : 0) +
    (hashed !== undefined ? 1 : 0);
  // Another field, or one of these given as undefined: the schema decides.
  if (keys !== known) return undefined;
  if (!TYPES.has(type)) return undefined;
  if (typeof value !== 'string' || value.length < 1 || value.length > MAX_RAW_LENGTH) return undefined;
  if (verdict !== undefined && !VERDICTS.has(verdict)) return undefined;
  if (
    confidence !== undefined &&
    !(typeof confidence === 'number' && Number.isInteger(confidence) && confidence >= 0 && confidence <= 100)
  )
    return undefined;
  if (scope !== undefined && !SCOPES.has(scope)) return undefined;
  if (hashed !== undefined && typeof hashed !== 'boolean') return undefined;
  let label = 'manual';
  if (source !== undefined) {
    // label(200): at most 200 characters as given, then trimmed, not empty, under the text rule.
    if (typeof source !== 'string' || source.length > 200) return undefined;
    label = source.trim();
    if (label.length < 1 || misleadingText(label, 'name') !== undefined) return undefined;
  }
  return {
    type: type as IndicatorFields['type'],
    value,
    ...(hashed !== undefined ? { hashed: hashed as boolean } : {}),
    verdict: (verdict ?? 'malicious') as IndicatorFields['verdict'],
    confidence: (confidence ?? 50) as number,
    source: label,
    scope: (scope ?? 'org') as IndicatorFields['scope'],
    tags: NO_TAGS as string[],
  };
}
