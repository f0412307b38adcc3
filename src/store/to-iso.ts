/** A timestamp column as ISO 8601; both drivers return `Date`, but text is accepted too. */
export function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
