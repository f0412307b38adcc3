/**
 * Freeze a JSON-like value and everything in it. Returns the value, typed as
 * it was. Objects already frozen are taken as frozen all the way down.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key in value) deepFreeze(value[key]);
  }
  return value;
}

/** Channel settings merged with a policy's, frozen all the way down: every detector of every verdict shares them. */
export function freezeSettings(merged: Record<string, unknown>): Readonly<Record<string, unknown>> {
  try {
    return deepFreeze(structuredClone(merged));
  } catch {
    // Settings holding something that cannot be cloned (a function) are frozen at the top only.
    return Object.freeze(merged);
  }
}
