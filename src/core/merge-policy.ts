import type { FieldIssue } from './errors.ts';
import type { PolicyLayer } from './policy.ts';

/**
 * Sections that are maps merged key by key: an entry given replaces (or, for
 * object entries, merges over) the default's entry of the same key; `null`
 * removes the default's entry; entries not given come from the default.
 */
const KEYED = new Set(['thresholds', 'signals', 'groups', 'detectors', 'caseSlaHours']);
/** Inside a signal entry `forceAction: null` is a value: no forced action, not even the signal's own. */
const KEPT_NULLS = new Set(['signals.*.forceAction']);
/** Fields of the stored view that `policy show` prints beside the document (see {@link unwrapPolicyInput}). */
const ENVELOPE_KEYS = new Set([
  // The command line's direct mode prints the organisation too; it is ignored (the caller's is used).
  'orgId',
  'channel',
  'version',
  'document',
  'effective',
  'fromDefault',
  'createdBy',
  'createdAt',
  'comment',
]);

/** A policy as a person gives it, unwrapped from the `policy show` view when it came in one. */
export interface PolicyInput {
  readonly layer: PolicyLayer;
  /** The view's `effective` document, when the input was a view: read only, compared, never stored. */
  readonly effective?: unknown;
  /** The view's `channel`, when the input was a view. */
  readonly channel?: unknown;
  /** The view's `version`, when the input was a view: the version its `effective` shows. */
  readonly version?: unknown;
  readonly issues: readonly FieldIssue[];
}

/**
 * Accept a policy document (a layer over the channel's default) or the view
 * `policy show` and `GET /v1/policies/{channel}` print (`{ channel, version,
 * document, effective, … }`), so that what one prints the other takes as it
 * is. A policy document never has a `document` field, so the two cannot be
 * confused; a view inside a view (a client that sends the file it read as
 * `document`) is unwrapped too.
 *
 * @example unwrapPolicyInput({ version: 3, document: { thresholds: { review: 8 } } }).layer
 * // { thresholds: { review: 8 } }
 */
export function unwrapPolicyInput(input: unknown): PolicyInput {
  let value = input;
  let effective: unknown;
  let channel: unknown;
  let version: unknown;
  const issues: FieldIssue[] = [];
  for (let depth = 0; isPlainObject(value) && isPlainObject(value.document) && depth < 3; depth++) {
    for (const key of Object.keys(value)) {
      if (!ENVELOPE_KEYS.has(key)) issues.push({ path: key, message: 'is not a known field' });
    }
    if (value.effective !== undefined) effective = value.effective;
    if (value.channel !== undefined) channel = value.channel;
    if (value.version !== undefined) version = value.version;
    value = value.document;
  }
  if (!isPlainObject(value)) {
    return {
      layer: {},
      issues: [
        { path: '(document)', message: 'ポリシーは JSON オブジェクトです / a policy is a JSON object' },
      ],
    };
  }
  return {
    layer: value,
    ...(effective !== undefined ? { effective } : {}),
    ...(channel !== undefined ? { channel } : {}),
    ...(version !== undefined ? { version } : {}),
    issues,
  };
}

/** A layer resolved over a channel's default policy. */
export interface ResolvedPolicy {
  /** The complete document, to be checked by the policy schema. */
  readonly merged: Record<string, unknown>;
  /** Dotted paths whose value came from the default (what the layer did not give). */
  readonly fromDefault: readonly string[];
  readonly issues: readonly FieldIssue[];
}

/**
 * Lay a policy over the channel's default, rspamd's way (`local.d` over the
 * shipped configuration): what the layer gives overrides, the rest comes from
 * the default.
 *
 * - `id`, `channel`, `description`: the layer's value when given.
 * - `thresholds`, `signals`, `groups`, `detectors`, `caseSlaHours`: key by key;
 *   an object entry (a signal's `{ weight, forceAction, enabled }`) merges
 *   field by field over the default's entry.
 * - `overrides`: `allow` and `deny` lists are replaced whole; `denyAction` is
 *   the layer's when given.
 * - `settings`: key by key at any depth; lists and values are replaced whole.
 *
 * `null` removes what the default has (a threshold, a signal's weight, a group
 * cap, a whole section), except where it is itself a value: a signal's
 * `forceAction: null` means no forced action, and inside `settings` a `null`
 * is passed to the channel (for a channel whose settings hold caps, a cap of
 * `null` may mean no cap). `id` and `channel` cannot be removed.
 *
 * @example
 * resolvePolicy({ id: 'c', channel: 'c', thresholds: { review: 6, step_up: 4 } }, { thresholds: { step_up: null } })
 * // merged.thresholds: { review: 6 }; fromDefault: ['thresholds.review']
 */
export function resolvePolicy(
  defaults: Readonly<Record<string, unknown>>,
  layer: PolicyLayer,
): ResolvedPolicy {
  const fromDefault: string[] = [];
  const issues: FieldIssue[] = [];
  const out: [string, unknown][] = [];
  for (const key of unionKeys(defaults, layer)) {
    const base = defaults[key];
    if (!Object.hasOwn(layer, key)) {
      if (base !== undefined) {
        out.push([key, base]);
        if (key !== 'channel') fromDefault.push(key);
      }
      continue;
    }
    const given = layer[key];
    if (given === null && key === 'settings') {
      // Settings the policy does not give are the channel's defaults: null gives them all back.
      out.push([key, base ?? {}]);
      fromDefault.push(key);
      continue;
    }
    if (given === null) {
      if (key === 'id' || key === 'channel')
        issues.push({ path: key, message: '必須です（null にできません）/ required; cannot be null' });
      continue;
    }
    if ((KEYED.has(key) || key === 'overrides') && isPlainObject(given) && isPlainObject(base)) {
      out.push([key, mergeObjects(base, given, key, key === 'overrides' ? 0 : 1, fromDefault)]);
    } else if (key === 'settings' && isPlainObject(given) && isPlainObject(base)) {
      out.push([key, mergeSettings(base, given, 'settings', fromDefault)]);
    } else {
      // Not an object where one is expected (or a scalar): the schema names it.
      out.push([key, given]);
    }
  }
  return { merged: Object.fromEntries(out), fromDefault, issues };
}

/**
 * Settings laid over default settings: objects merge key by key at any depth;
 * lists, scalars and `null` replace. A channel reads its settings the same
 * way, so a policy's `effective.settings` is what its detectors see.
 */
export function mergeSettings(
  base: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, unknown>>,
  path = 'settings',
  fromDefault: string[] = [],
): Record<string, unknown> {
  const out: [string, unknown][] = [];
  for (const key of unionKeys(base, given)) {
    const at = `${path}.${key}`;
    if (!Object.hasOwn(given, key)) {
      out.push([key, base[key]]);
      fromDefault.push(at);
      continue;
    }
    const value = given[key];
    const under = base[key];
    out.push([
      key,
      isPlainObject(value) && isPlainObject(under) ? mergeSettings(under, value, at, fromDefault) : value,
    ]);
  }
  return Object.fromEntries(out);
}

/**
 * Merge `given` over `base`, `depth` levels of object entries further down
 * (a signal's entry is one level under `signals`); `null` removes, except on
 * the paths of {@link KEPT_NULLS}.
 */
function mergeObjects(
  base: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, unknown>>,
  path: string,
  depth: number,
  fromDefault: string[],
): Record<string, unknown> {
  const out: [string, unknown][] = [];
  for (const key of unionKeys(base, given)) {
    const at = `${path}.${key}`;
    if (!Object.hasOwn(given, key)) {
      out.push([key, base[key]]);
      fromDefault.push(at);
      continue;
    }
    const value = given[key];
    if (value === null) {
      if (KEPT_NULLS.has(wildcard(at))) out.push([key, null]);
      continue;
    }
    const under = base[key];
    out.push([
      key,
      depth > 0 && isPlainObject(value) && isPlainObject(under)
        ? mergeObjects(under, value, at, depth - 1, fromDefault)
        : depth > 0 && isPlainObject(value)
          ? withoutNulls(value, at)
          : value,
    ]);
  }
  return Object.fromEntries(out);
}

/** An entry the default does not have: its `null` fields remove nothing, so they are left out. */
function withoutNulls(value: Readonly<Record<string, unknown>>, path: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).filter(([k, v]) => v !== null || KEPT_NULLS.has(wildcard(`${path}.${k}`))),
  );
}

/** `signals.LINES_X.forceAction` → `signals.*.forceAction`. */
function wildcard(path: string): string {
  const parts = path.split('.');
  return parts.length === 3 ? `${parts[0]}.*.${parts[2]}` : path;
}

/** Keys of both objects, the base's first (so a resolved document keeps the default's order). */
function unionKeys(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

export function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Paths at which two JSON values differ (objects compared key by key, key
 * order ignored; lists and scalars compared whole), at most `max` of them.
 */
export function jsonDifferences(a: unknown, b: unknown, path = '', max = 20): string[] {
  const out: string[] = [];
  collectDifferences(a, b, path, out, max);
  return out;
}

function collectDifferences(a: unknown, b: unknown, path: string, out: string[], max: number): void {
  if (out.length >= max) return;
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of unionKeys(a, b))
      collectDifferences(a[key], b[key], path ? `${path}.${key}` : key, out, max);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(path || '(root)');
    else
      for (let i = 0; i < a.length && out.length < max; i++)
        collectDifferences(a[i], b[i], `${path}.${i}`, out, max);
    return;
  }
  if (!Object.is(a, b)) out.push(path || '(root)');
}
