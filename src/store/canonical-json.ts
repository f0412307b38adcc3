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
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}
