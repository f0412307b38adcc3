import { SALES_CHANNELS, SIM_TYPES } from './contract-schema.ts';
import type { LineEvent } from './lines-schema.ts';

const SIMS: ReadonlySet<unknown> = new Set(SIM_TYPES);
const CHANNELS: ReadonlySet<unknown> = new Set(SALES_CHANNELS);
const KEYED_HASH = /^[0-9a-fA-F]{64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIELDS = new Set([
  'lineId',
  'holderKey',
  'holderType',
  'simType',
  'status',
  'contractedAt',
  'salesChannel',
  'outlet',
]);

/**
 * `lineEventSchema`'s answer for the common bulk-import line — a person's
 * line given by its holder key, active or suspended, its contract date as
 * `YYYY-MM-DD`, perhaps its sales channel and outlet — checked by hand,
 * without zod's cost per row (the largest part of a line import's CPU in
 * Node). Anything else, and anything this check would refuse, gives
 * `undefined`: the caller then parses with the schema, which answers (and
 * names the error) as always. So it accepts only what the schema accepts
 * and gives what it gives (`line-event-fast.test.ts`, property-based).
 */
export function fastLineEvent(input: unknown): LineEvent | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const o = input as Record<string, unknown>;
  for (const key in o)
    if (!Object.hasOwn(o, key) || !FIELDS.has(key) || o[key] === undefined) return undefined;
  const { lineId, holderKey, holderType, simType, status, contractedAt, salesChannel, outlet } = o;
  const id = text100(lineId);
  if (id === undefined) return undefined;
  if (typeof holderKey !== 'string' || !KEYED_HASH.test(holderKey)) return undefined;
  if (holderType !== undefined && holderType !== 'person') return undefined;
  if (!SIMS.has(simType)) return undefined;
  if (status !== undefined && status !== 'active' && status !== 'suspended') return undefined;
  if (salesChannel !== undefined && !CHANNELS.has(salesChannel)) return undefined;
  let shop: string | undefined;
  if (outlet !== undefined) {
    shop = text100(outlet);
    if (shop === undefined) return undefined;
  }
  let contracted: Date | undefined;
  if (contractedAt !== undefined) {
    contracted = japanDate(contractedAt);
    if (contracted === undefined) return undefined;
  }
  const line: Record<string, unknown> = {
    lineId: id,
    holderKey: holderKey.toLowerCase(),
    holderType: 'person',
    simType,
    status: status ?? 'active',
  };
  if (contracted !== undefined) line.contractedAt = contracted;
  if (salesChannel !== undefined) line.salesChannel = salesChannel;
  if (shop !== undefined) line.outlet = shop;
  return line as LineEvent;
}

/** text(100): trimmed, 1–100 characters, no NUL and no unpaired surrogate. */
function text100(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t.length >= 1 && t.length <= 100 && t.isWellFormed() && !t.includes('\u0000') ? t : undefined;
}

/** Dates seen lately → their time (NaN: refused); a file holds few distinct dates. Bounded: cleared when full. */
const dates = new Map<string, number>();
const MAX_DATES = 4_096;

/** A calendar date `YYYY-MM-DD`, as midnight in Japan, between 1900 and 2199 (lineTime). */
function japanDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  let time = dates.get(value);
  if (time === undefined) {
    time = japanTime(value);
    if (dates.size >= MAX_DATES) dates.clear();
    dates.set(value, time);
  }
  return Number.isNaN(time) ? undefined : new Date(time);
}

function japanTime(value: string): number {
  if (!DATE.test(value)) return Number.NaN;
  // A real calendar date: it survives the trip through Date unchanged.
  const utc = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(utc.getTime()) || utc.toISOString().slice(0, 10) !== value) return Number.NaN;
  const d = new Date(`${value}T00:00:00+09:00`);
  const year = d.getUTCFullYear();
  return year >= 1900 && year < 2200 ? d.getTime() : Number.NaN;
}
