import { invalidField } from '../core/index.ts';

// `\u0000` and unpaired surrogate escapes, when the backslash itself is not escaped.
const UNSTORABLE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/**
 * A value as text for a jsonb column. PostgreSQL's jsonb cannot hold NUL or
 * unpaired surrogates (`JSON.stringify` writes both as `\u` escapes); they are
 * replaced by U+FFFD so that one odd character in an event never loses the
 * record. `field` names the input in the error when the value is not JSON.
 */
export function jsonText(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw invalidField(field, `is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (text === undefined) throw invalidField(field, 'is not a JSON value');
  return storableJson(text);
}

/**
 * JSON text (as `JSON.stringify` writes it) with the NUL and unpaired
 * surrogate escapes jsonb refuses replaced by U+FFFD escapes; the same
 * string when there are none.
 */
export function storableJson(text: string): string {
  // JSON.stringify writes paired surrogates as raw characters, so any surrogate escape is unpaired.
  if (!text.includes('\\u')) return text;
  return text.replace(UNSTORABLE, (_match, backslashes: string) => `${backslashes}\\ufffd`);
}
