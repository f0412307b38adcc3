import type { FieldIssue } from '../core/index.ts';

/** The largest threshold a strength level may set. */
export const MAX_STRENGTH_THRESHOLD = 1e6;

function isThreshold(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_STRENGTH_THRESHOLD;
}

/**
 * What is wrong with one strength level's thresholds in a policy's settings
 * (`settings.strength.<level>`: the message channel's `{ warn, block }`, I3;
 * the mail channel's `{ warn, hold, block }`, E1): an object with exactly
 * `keys`, each a number above 0 and at most {@link MAX_STRENGTH_THRESHOLD},
 * each above the one before it. Paths are `<path>.<key>`.
 *
 * @example thresholdLevelIssues({ warn: 5, block: 3 }, 'settings.strength.low', ['warn', 'block'])
 * // → [{ path: 'settings.strength.low.block', message: 'must be above warn (5)', … }]
 */
export function thresholdLevelIssues(value: unknown, path: string, keys: readonly string[]): FieldIssue[] {
  const shape = `{ ${keys.join(', ')} }`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [{ path, message: `must be an object ${shape}`, ja: `${shape} の形で指定してください` }];
  const t = value as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(t))
    if (!keys.includes(key))
      issues.push({ path: `${path}.${key}`, message: 'is not a known field', ja: '不明な項目です' });
  for (const key of keys)
    if (!isThreshold(t[key]))
      issues.push({
        path: `${path}.${key}`,
        message: `must be a number above 0 and at most ${MAX_STRENGTH_THRESHOLD}`,
        ja: `0 より大きく ${MAX_STRENGTH_THRESHOLD} 以下の数で指定してください`,
      });
  for (let k = 1; k < keys.length; k++) {
    const below = keys[k - 1] as string;
    const key = keys[k] as string;
    const lower = t[below];
    if (isThreshold(lower) && isThreshold(t[key]) && lower >= (t[key] as number))
      issues.push({
        path: `${path}.${key}`,
        message: `must be above ${below} (${lower})`,
        ja: `${below}（${lower}）より大きくしてください`,
      });
  }
  return issues;
}
