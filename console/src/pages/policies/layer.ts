/**
 * The org's policy layer as the form edits it: plain JSON, addressed by paths
 * (`['settings', 'lineCaps', 'person', 'voice']`). A value equal to the
 * default is not kept in the layer (only what differs is stored), and
 * objects left empty are pruned.
 */

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };
export type Path = readonly string[];

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function has(root: unknown, path: Path): boolean {
  let node: unknown = root;
  for (const key of path) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return false;
    node = node[key];
  }
  return true;
}

export function getAt(root: unknown, path: Path): Json | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node as Json;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The layer without `path` (and without the objects that removal leaves empty). */
export function removeAt(root: JsonObject, path: Path): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined || !Object.hasOwn(root, head)) return root;
  const { [head]: child, ...others } = root;
  if (rest.length === 0) return others;
  if (!isObject(child)) return root;
  const pruned = removeAt(child, rest);
  return Object.keys(pruned).length === 0 ? others : { ...others, [head]: pruned };
}

/** The layer with `value` at `path` (objects created on the way). */
export function setAt(root: JsonObject, path: Path, value: Json): JsonObject {
  const [head, ...rest] = path;
  if (head === undefined) return root;
  if (rest.length === 0) return { ...root, [head]: value };
  const child = root[head];
  return { ...root, [head]: setAt(isObject(child) ? child : {}, rest, value) };
}

/**
 * Set a field of the layer: a value equal to the default's (and not removing
 * anything) is taken out of the layer, so that only what differs is stored.
 */
export function setField(
  layer: JsonObject,
  defaults: unknown,
  path: Path,
  value: Json | undefined,
): JsonObject {
  if (value === undefined) return removeAt(layer, path);
  if (defaults !== undefined && has(defaults, path) && deepEqual(getAt(defaults, path), value))
    return removeAt(layer, path);
  return setAt(layer, path, value);
}

/**
 * The value the policy would run with at `path`: the layer's when it gives one
 * (a `null` outside settings removes the default), else the default's.
 */
export function effectiveAt(layer: unknown, defaults: unknown, path: Path): Json | undefined {
  if (has(layer, path)) {
    const own = getAt(layer, path);
    if (own === null && path[0] !== 'settings' && path.at(-1) !== 'forceAction') return undefined;
    if (isObject(own) && path[0] === 'settings') return mergeDeep(getAt(defaults, path), own);
    return own;
  }
  // A parent set to null (outside settings) removes everything under it.
  for (let i = 1; i < path.length; i++) if (getAt(layer, path.slice(0, i)) === null) return undefined;
  return getAt(defaults, path);
}

function mergeDeep(base: unknown, over: Json): Json {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, Json> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeDeep(base[k], v);
  return out;
}

/** One line of a field diff: a leaf path and its value before and after. */
export interface FieldChange {
  readonly path: string;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
}

/** Leaf-by-leaf differences between two JSON documents (arrays compared whole). */
export function fieldDiff(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) =>
      fieldDiff(
        Object.hasOwn(before, k) ? before[k] : undefined,
        Object.hasOwn(after, k) ? after[k] : undefined,
        prefix ? `${prefix}.${k}` : k,
      ),
    );
  }
  if (isObject(before) && after === undefined) return fieldDiff(before, {}, prefix);
  if (before === undefined && isObject(after)) return fieldDiff({}, after, prefix);
  if (deepEqual(before, after)) return [];
  return [{ path: prefix, before: before as Json | undefined, after: after as Json | undefined }];
}

/** A server issue path (`document.thresholds.block`, `body.document.x`) as a layer path (`thresholds.block`). */
export function layerPath(issuePath: string): string {
  return issuePath.replace(/^body\./, '').replace(/^document\./, '');
}
