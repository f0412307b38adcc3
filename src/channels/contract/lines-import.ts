import { isMamoruError, MamoruError } from '../../core/index.ts';
import { CsvParser, type CsvRecord } from '../../intel/csv-parser.ts';
import { LINE_BATCH, type PreparedLine } from './lines-store.ts';

/**
 * Columns a line CSV may have (header row, any order, case-insensitive).
 * `line_id` and `sim_type` are required; the holder is given by
 * `name`, `birth_date`, `address` (and `document_serial`), by a pre-hashed
 * `holder_key`, or for a corporation by `corporate_number`.
 */
export const LINE_CSV_COLUMNS = [
  'line_id',
  'name',
  'birth_date',
  'address',
  'document_serial',
  'holder_key',
  'holder_type',
  'corporate_number',
  'sim_type',
  'status',
  'contracted_at',
  'cancelled_at',
  'channel',
  'outlet',
  'registered_user_name',
  'registered_user_birth_date',
  'registered_user_address',
  'registered_user_document_serial',
  'registered_user_key',
] as const;
type LineCsvColumn = (typeof LINE_CSV_COLUMNS)[number];

/** Where each column goes in a line event (`lineEventSchema`). */
const CSV_PATHS = {
  line_id: ['lineId'],
  name: ['holder', 'name'],
  birth_date: ['holder', 'birthDate'],
  address: ['holder', 'address'],
  document_serial: ['holder', 'documentSerial'],
  holder_key: ['holderKey'],
  holder_type: ['holderType'],
  corporate_number: ['corporateNumber'],
  sim_type: ['simType'],
  status: ['status'],
  contracted_at: ['contractedAt'],
  cancelled_at: ['cancelledAt'],
  channel: ['salesChannel'],
  outlet: ['outlet'],
  registered_user_name: ['registeredUser', 'name'],
  registered_user_birth_date: ['registeredUser', 'birthDate'],
  registered_user_address: ['registeredUser', 'address'],
  registered_user_document_serial: ['registeredUser', 'documentSerial'],
  registered_user_key: ['registeredUserKey'],
} as const satisfies Record<LineCsvColumn, readonly string[]>;

/** A field path of a line event → the CSV column it came from (`holder` alone → `name`). */
const COLUMN_OF_PATH: ReadonlyMap<string, string> = new Map<string, string>([
  ...Object.entries(CSV_PATHS).map(([column, path]) => [path.join('.'), column] as [string, string]),
  ['holder', 'name'],
  ['registeredUser', 'registered_user_name'],
]);

export interface LineImportProgress {
  /** Data lines read so far: imported + updated + rejected. */
  readonly processed: number;
  /** New lines. */
  readonly imported: number;
  /** Known lines whose state was replaced. */
  readonly updated: number;
  readonly rejected: number;
}

/** One refused line: its line number in the input (1-based, header included), the field and why. */
export interface LineRejection {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export interface LineImportResult extends LineImportProgress {
  /** Every rejected line, in input order (`rejections.length === rejected`). */
  readonly rejections: readonly LineRejection[];
}

export interface LineImportOptions {
  readonly format: 'csv' | 'jsonl';
  /** Called after every batch and once at the end. */
  readonly onProgress?: (progress: LineImportProgress) => void;
  /** Lines per upsert statement (default and most 500). */
  readonly batchSize?: number;
}

/** What the importer needs of the line store (a fake in tests). */
export interface LineImportTarget {
  prepare(input: unknown): PreparedLine;
  upsertMany(orgId: string, items: readonly PreparedLine[]): Promise<boolean[]>;
}

/**
 * Import the carrier's lines (P2: counts of lines held stay true): existing
 * lines, activations and cancellations, from CSV (a header row, RFC 4180
 * quoting; dates as ISO 8601 or `YYYY-MM-DD`) or JSON lines (one line event
 * per line, the fields of `lineEventSchema`). Upserted by line id in batches
 * of 500; a line that appears again replaces its earlier state, in order.
 * `input` is the whole text or its lines one by one (a file stream through
 * `readline`), so a large file never sits in memory.
 *
 * Nothing is dropped silently: every data line is imported, updated or
 * rejected with its line number, the field at fault (the CSV column, or the
 * JSON field path) and the reason. Blank lines are skipped. A CSV header
 * with an unknown or repeated column, or without `line_id` or `sim_type`,
 * refuses the whole file (`validation_failed`) before anything is written.
 *
 * @example
 * const result = await importLines(store.lines, orgId, createInterface({ input: createReadStream(file) }), {
 *   format: 'csv', onProgress: (p) => console.error(p.processed),
 * });
 */
export async function importLines(
  target: LineImportTarget,
  orgId: string,
  input: string | Iterable<string> | AsyncIterable<string>,
  options: LineImportOptions,
): Promise<LineImportResult> {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? LINE_BATCH, LINE_BATCH));
  let imported = 0;
  let updated = 0;
  const rejections: LineRejection[] = [];
  let batch: PreparedLine[] = [];
  const progress = (): LineImportProgress => ({
    processed: imported + updated + rejections.length,
    imported,
    updated,
    rejected: rejections.length,
  });
  const flush = async () => {
    if (batch.length > 0) {
      for (const created of await target.upsertMany(orgId, batch)) {
        if (created) imported++;
        else updated++;
      }
      batch = [];
    }
    options.onProgress?.(progress());
  };
  const take = async (line: number, row: Row, csv: boolean) => {
    if ('rejected' in row) {
      rejections.push(row.rejected);
      return;
    }
    try {
      batch.push(target.prepare(row.ok));
    } catch (error) {
      rejections.push(rejectionOf(line, error, csv));
      return;
    }
    if (batch.length >= batchSize) await flush();
  };

  if (options.format === 'csv') {
    let header: LineCsvColumn[] | undefined;
    for await (const record of csvRecords(input)) {
      if ('error' in record) {
        rejections.push({ line: record.line, field: '(line)', message: record.error });
        continue;
      }
      if (record.fields.every((f) => f.trim() === '')) continue;
      if (!header) {
        header = csvHeader(record.fields);
        continue;
      }
      await take(record.line, csvRow(header, record), true);
    }
  } else {
    let line = 0;
    for await (const text of textLines(input)) {
      line++;
      if (text.trim() === '') continue;
      await take(line, jsonRow(line, text), false);
    }
  }
  await flush();
  return { ...progress(), rejections };
}

/** A line read: the line event to validate, or why the line itself is unreadable. */
type Row = { readonly ok: Record<string, unknown> } | { readonly rejected: LineRejection };

async function* csvRecords(
  input: string | Iterable<string> | AsyncIterable<string>,
): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  if (typeof input === 'string') yield* parser.push(input);
  else for await (const line of input) yield* parser.push(`${line}\n`);
  yield* parser.end();
}

async function* textLines(input: string | Iterable<string> | AsyncIterable<string>): AsyncGenerator<string> {
  if (typeof input === 'string') {
    const all = input.split(/\r?\n/);
    if (all.at(-1) === '') all.pop();
    yield* all;
  } else {
    for await (const line of input) yield line.replace(/\r?\n$/, '');
  }
}

function csvHeader(fields: readonly string[]): LineCsvColumn[] {
  const columns = fields.map((f) => f.trim().toLowerCase());
  const issues: { path: string; message: string }[] = [];
  columns.forEach((c, i) => {
    if (!(LINE_CSV_COLUMNS as readonly string[]).includes(c))
      issues.push({
        path: `header.${i}`,
        message: `unknown column "${c}"; known: ${LINE_CSV_COLUMNS.join(', ')}`,
      });
    else if (columns.indexOf(c) !== i)
      issues.push({ path: `header.${i}`, message: `column ${c} appears twice` });
  });
  for (const required of ['line_id', 'sim_type'] as const) {
    if (!columns.includes(required)) issues.push({ path: 'header', message: `needs a ${required} column` });
  }
  if (issues.length > 0)
    throw new MamoruError('validation_failed', `CSV header: ${issues.map((i) => i.message).join('; ')}`, {
      issues,
    });
  return columns as LineCsvColumn[];
}

function csvRow(header: readonly LineCsvColumn[], record: { line: number; fields: readonly string[] }): Row {
  if (record.fields.length !== header.length) {
    return {
      rejected: {
        line: record.line,
        field: '(line)',
        message: `has ${record.fields.length} fields; the header has ${header.length}`,
      },
    };
  }
  const row: Record<string, unknown> = {};
  header.forEach((column, i) => {
    const cell = record.fields[i]!.trim();
    if (cell === '') return;
    const [first, second] = CSV_PATHS[column] as readonly [string, string?];
    if (second === undefined) {
      row[first] = cell;
      return;
    }
    const nested = (row[first] ?? {}) as Record<string, unknown>;
    nested[second] = cell;
    row[first] = nested;
  });
  return { ok: row };
}

function jsonRow(line: number, text: string): Row {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = `is not JSON: ${error instanceof Error ? error.message : String(error)}`;
    return { rejected: { line, field: '(line)', message } };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { rejected: { line, field: '(line)', message: 'is not a JSON object' } };
  return { ok: parsed as Record<string, unknown> };
}

/** The first field at fault, named as the input names it (the CSV column, or the JSON path). */
function rejectionOf(line: number, error: unknown, csv: boolean): LineRejection {
  if (isMamoruError(error) && error.issues.length > 0) {
    const name = (path: string) => (csv ? (COLUMN_OF_PATH.get(path) ?? path) : path);
    return {
      line,
      field: name(error.issues[0]!.path),
      message: error.issues.map((i) => `${name(i.path)}: ${i.message}`).join('; '),
    };
  }
  return { line, field: '(line)', message: error instanceof Error ? error.message : String(error) };
}
