import canonicalize from 'canonicalize';

/**
 * The canonical JSON the decision log hashes (X1): RFC 8785, the JSON
 * Canonicalization Scheme (JCS) — object keys sorted by UTF-16 code units,
 * arrays in order, no spaces, numbers as ECMAScript writes them (`-0` as
 * `0`, `1e+21`, `5e-324`), strings escaped as `JSON.stringify` escapes
 * them. Any JCS implementation gives the same text, so anyone can recompute
 * a row's hash with standard tools (docs/audit.md,
 * scripts/verify-decision-log.py). jsonb does not keep key order: the hash
 * must not depend on it.
 *
 * Written by the `canonicalize` package (issue 8, item 9). JCS is defined on
 * I-JSON (RFC 7493): finite numbers and well-formed strings. A value outside
 * it — which no stored row holds: the log stores {@link canonicalStringify}'s
 * text, with unpaired surrogates and NUL replaced, and numbers are finite — is
 * written as `JSON.stringify` would write it (NaN as null, an unpaired
 * surrogate escaped), so that a tampered row or checkpoint reads as a hash
 * mismatch rather than an exception.
 *
 * @throws TypeError for a cycle or a BigInt, as `JSON.stringify` does.
 * @example canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  try {
    return canonicalize(value) ?? 'null';
  } catch {
    return canonicalStringify(value) ?? 'null';
  }
}

/**
 * `JSON.stringify(value)` with sorted keys: the text the decision log stores
 * and hashes for a caller's verdict and event, written once per decision.
 * For every JSON value it is the JCS text ({@link canonicalJson}; a property
 * test holds them equal), and for anything `JSON.stringify` accepts,
 * `canonicalStringify(value) === canonicalJson(JSON.parse(JSON.stringify(value)))`:
 * the text of a caller's object (Dates, `toJSON`, undefined fields, class
 * instances) is the text of what the database gives back. `undefined`
 * exactly when `JSON.stringify` returns `undefined` (undefined, a function,
 * a symbol).
 *
 * Kept by hand beside `canonicalize`: the log's write path needs
 * `JSON.stringify`'s reading of a caller's object, which `canonicalize`
 * refuses in part (it throws on NaN and on an unpaired surrogate, which the
 * log replaces with U+FFFD after writing, and calls `toJSON` without its
 * key), and this writer takes 7.9 µs for a typical verdict where
 * `canonicalize` takes 11.8 (it quotes each repeated key once).
 *
 * @throws TypeError for a cycle or a BigInt, as `JSON.stringify` does.
 */
export function canonicalStringify(value: unknown): string | undefined {
  return write(value, '', []);
}

// Object keys repeat from verdict to verdict (`signal`, `evidence`, …): quote each once.
const quoted = new Map<string, string>();
const MAX_QUOTED = 4096;

function quote(key: string): string {
  let text = quoted.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (quoted.size < MAX_QUOTED) quoted.set(key, text);
  }
  return text;
}

/** One value; `undefined` when JSON.stringify would leave it out. `stack` holds the open objects, for cycles. */
function write(input: unknown, key: string | number, stack: object[]): string | undefined {
  let value = input;
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, String(key));
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (value instanceof Number) return write(Number(value), key, stack);
  if (value instanceof String) return JSON.stringify(String(value));
  if (value instanceof Boolean) return value.valueOf() ? 'true' : 'false';
  if (stack.includes(value)) throw new TypeError('Converting circular structure to JSON');
  stack.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += write(value[i], i, stack) ?? 'null';
    }
    out += ']';
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length > 1) keys.sort();
    out = '{';
    let first = true;
    for (const k of keys) {
      const text = write(record[k], k, stack);
      if (text === undefined) continue;
      if (first) first = false;
      else out += ',';
      out += `${quote(k)}:${text}`;
    }
    out += '}';
  }
  stack.pop();
  return out;
}
