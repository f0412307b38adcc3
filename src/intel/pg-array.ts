import { sql } from 'kysely';

const SPECIAL = /["\\]/g;

/**
 * A PostgreSQL array literal of text elements (`{"a","b",NULL}`), built in
 * one pass: what node-postgres would build from a JavaScript array, without
 * its two regular-expression replaces per element (a bulk upsert sends a
 * dozen arrays of 5,000). Only `"` and `\` need escaping inside quotes.
 *
 * @example textArrayLiteral(['a', null, 'say "hi"']) // '{"a",NULL,"say \\"hi\\""}'
 */
export function textArrayLiteral(values: readonly (string | null | undefined)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v == null) out += 'NULL';
    else if (v.indexOf('"') === -1 && v.indexOf('\\') === -1) out += `"${v}"`;
    else out += `"${v.replace(SPECIAL, '\\$&')}"`;
  }
  return `${out}}`;
}

/**
 * One array parameter from its literal: sent as a single text value and
 * cast, so PGlite and PostgreSQL read it the same way (PostgreSQL's array
 * input parses it, as it would node-postgres's own literal).
 *
 * @example sql`select * from unnest(${arrayParam(['a'], 'text')})`
 */
export function arrayParam(values: readonly (string | null | undefined)[], type: 'text' | 'timestamptz') {
  return type === 'text'
    ? sql`cast(${textArrayLiteral(values)} as text)::text[]`
    : sql`cast(${textArrayLiteral(values)} as text)::timestamptz[]`;
}
