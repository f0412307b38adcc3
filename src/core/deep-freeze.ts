/**
 * Freeze a JSON-like value and everything in it. Returns the value, typed as
 * it was. Objects already frozen are taken as frozen all the way down.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
