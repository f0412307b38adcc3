/** A JSON value as the console shows it to read or edit: indented by two spaces. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
