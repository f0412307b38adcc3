/** A JSON object as the editor holds it. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a path (`['holder', 'identity', 'name']`, or an index for an array), or undefined. */
export function getIn(root: unknown, path: readonly (string | number)[]): unknown {
  let at: unknown = root;
  for (const key of path) {
    if (typeof key === 'number') at = Array.isArray(at) ? at[key] : undefined;
    else at = isObject(at) ? at[key] : undefined;
  }
  return at;
}

/**
 * A copy of `root` with the value at `path` set (objects made on the way);
 * `undefined` removes the key, and an object left empty by that goes too.
 */
export function setIn(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  if (typeof key === 'number') {
    const list = Array.isArray(root) ? [...root] : [];
    list[key] = setIn(list[key], rest, value);
    return list;
  }
  const object: Json = isObject(root) ? { ...root } : {};
  const next = setIn(object[key], rest, value);
  if (next === undefined || (isObject(next) && Object.keys(next).length === 0 && rest.length > 0))
    delete object[key];
  else object[key] = next;
  return object;
}
