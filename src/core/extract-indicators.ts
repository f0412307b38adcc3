import type { AnyChannel, ExtractTools } from './channel.ts';
import type { DetectorOutcome, IntelLookup } from './detector.ts';
import type { Screening } from './enrichment.ts';
import type { ScreenEvent } from './event.ts';
import { INDICATOR_TYPES, type IndicatorMatch, type IndicatorRef } from './indicator.ts';
import { awaitWithin, errorOutcome, ms, TIMEOUT } from './run-stage.ts';

const NONE: readonly never[] = Object.freeze([]);

const INDICATOR_TYPE_SET: ReadonlySet<string> = new Set(INDICATOR_TYPES);

function isIndicatorRef(value: unknown): value is IndicatorRef {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as IndicatorRef;
  return (
    INDICATOR_TYPE_SET.has(ref.type) &&
    typeof ref.value === 'string' &&
    ref.value !== '' &&
    (ref.field === undefined || typeof ref.field === 'string')
  );
}

/**
 * Run the channel's extractor. One that throws or returns something other
 * than a list of indicators is an error outcome and yields none; malformed
 * entries are dropped and reported, the well-formed ones kept.
 */
export function extractIndicators(
  channel: AnyChannel,
  event: ScreenEvent,
  tools: ExtractTools,
  screening: Screening,
  outcomes: DetectorOutcome[],
  started: number,
): readonly IndicatorRef[] {
  const name = `${channel.name}.extract`;
  let refs: unknown;
  try {
    refs = channel.extract(event.payload, tools, screening);
  } catch (error) {
    outcomes.push(errorOutcome(name, 'pre', 'threw', error, performance.now() - started));
    return [];
  }
  if (!Array.isArray(refs)) {
    const message = 'returned something other than an array of indicators';
    outcomes.push(errorOutcome(name, 'pre', 'bad_hit', message, performance.now() - started));
    return [];
  }
  // Frozen: detectors share the list, and the verdict records it.
  if (refs.every(isIndicatorRef)) return Object.freeze(refs);
  const good = Object.freeze(refs.filter(isIndicatorRef));
  const message = `returned ${refs.length - good.length} malformed indicators; dropped`;
  outcomes.push(errorOutcome(name, 'pre', 'bad_hit', message, performance.now() - started));
  return good;
}

/**
 * Look the indicators up once, within `budget` ms. A lookup that throws,
 * times out or returns something other than a list is an error outcome
 * (`intel.lookup`), and the detectors go on without intel.
 */
export async function lookupIntel(
  intel: IntelLookup,
  orgId: string,
  indicators: readonly IndicatorRef[],
  budget: number,
  outcomes: DetectorOutcome[],
): Promise<readonly IndicatorMatch[]> {
  const t = performance.now();
  const name = 'intel.lookup';
  try {
    const found = await awaitWithin(intel.lookup(orgId, indicators), budget);
    const elapsed = performance.now() - t;
    if (found === TIMEOUT) {
      outcomes.push(errorOutcome(name, 'pre', 'timeout', `ran past its budget of ${budget} ms`, elapsed));
      return NONE;
    }
    if (!Array.isArray(found)) {
      const message = 'returned something other than an array';
      outcomes.push(errorOutcome(name, 'pre', 'bad_hit', message, elapsed));
      return NONE;
    }
    outcomes.push({ detector: name, stage: 'pre', outcome: 'ok', hits: found.length, ms: ms(elapsed) });
    return found;
  } catch (error) {
    outcomes.push(errorOutcome(name, 'pre', 'threw', error, performance.now() - t));
    return NONE;
  }
}
