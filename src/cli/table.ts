/**
 * Plain-text tables for the terminal (`mamoru cases list`, `keys list`…):
 * columns padded to the widest cell, Japanese and other wide characters
 * counted as two columns, every cell on one line.
 *
 * @example
 * renderTable([{ header: 'id', value: (r) => r.id }], [{ id: 'case_1' }]);
 * // 'id    \n------\ncase_1'
 */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | boolean | null | undefined;
  /** Cells longer than this many columns are cut with `…` (default 48). */
  readonly max?: number;
}

const DEFAULT_MAX = 48;

/**
 * What a terminal must not be handed raw: control characters (a newline would
 * split the row, an escape sequence would rewrite the screen) and the
 * invisible format characters that reorder or hide text (bidirectional
 * overrides and isolates, zero-width characters, the BOM). Each is shown as
 * its code point, so a reader sees it is there.
 */
const UNSAFE = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|\p{Cs}/gu;

/** A cell as one line of visible text: unsafe characters written as `\u{…}`. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  const text = String(value);
  return text.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);
}

/** Characters a terminal shows two columns wide: East Asian Wide and Fullwidth, and emoji. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
/** Characters that take no column of their own: combining marks and variation selectors. */
const ZERO = /[\p{Mn}\p{Me}]/u;

/** The number of terminal columns `text` takes (after {@link cellText}). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const c of text) width += ZERO.test(c) ? 0 : WIDE.test(c) ? 2 : 1;
  return width;
}

/** Cut `text` to at most `max` columns, ending with `…` when cut. */
export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const c of text) {
    const w = displayWidth(c);
    if (width + w > max - 1) break;
    out += c;
    width += w;
  }
  return `${out}…`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** The table as text: a header row, a rule, one line per row; no trailing spaces after the last column. */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((c) => truncate(cellText(c.value(row)), c.max ?? DEFAULT_MAX)));
  const headers = columns.map((c) => cellText(c.header));
  const widths = columns.map((_, i) =>
    Math.max(displayWidth(headers[i] ?? ''), ...cells.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => pad(v, widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
