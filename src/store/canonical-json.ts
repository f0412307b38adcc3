/**
 * JSON with a stable key order, so that the same value always gives the same
 * text: object keys sorted by UTF-16 code units, arrays in order, no spaces.
 * Used to hash decision rows (X1): jsonb does not keep key order, so the hash
 * must not depend on it.
 *
 * Values are written as `JSON.stringify` writes them (`toJSON`, boxed
 * primitives, non-finite numbers as null; undefined, functions and symbols
 * dropped from objects and null in arrays), so for anything `JSON.stringify`
 * accepts, `canonicalJson(value) === canonicalJson(JSON.parse(JSON.stringify(value)))`:
 * the text of a caller's object is the text of what the database gives back.
 * A value `JSON.stringify` would drop entirely gives `null`.
 *
 * @throws TypeError for a cycle or a BigInt, as `JSON.stringify` does.
 * @example canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return canonicalStringify(value) ?? 'null';
}

/**
 * `JSON.stringify(value)` with sorted keys: `undefined` exactly when
 * `JSON.stringify` returns `undefined` (undefined, a function, a symbol).
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
