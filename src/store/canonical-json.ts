/**
 * JSON with a stable key order, so that the same value always gives the same
 * text: object keys sorted by UTF-16 code units, arrays in order, no spaces.
 * Used to hash decision rows (X1): jsonb does not keep key order, so the hash
 * must not depend on it.
 *
 * Takes a JSON value (as `JSON.parse` returns it); keys whose value is
 * `undefined` are dropped as `JSON.stringify` drops them.
 *
 * @example canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += value[i] === undefined ? 'null' : canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  out = '{';
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}
