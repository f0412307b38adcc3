import {
  bulkImport,
  IMPORT_WRITERS,
  type ImportInput,
  type ImportProgress,
  type ImportResult,
  type RejectionSink,
} from '../../intel/bulk-import.ts';
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

export type {
  ImportProgress as LineImportProgress,
  ImportRejection as LineRejection,
  ImportResult as LineImportResult,
} from '../../intel/bulk-import.ts';

export interface LineImportOptions {
  readonly format: 'csv' | 'jsonl';
  /** Called after every batch and once at the end. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Lines per upsert statement (default and most 5,000). */
  readonly batchSize?: number;
  /** Every rejected line, in order (the import report); the result keeps the first 1,000. */
  readonly rejections?: RejectionSink;
  /** Statements each batch is split over, at once (default {@link IMPORT_WRITERS}). */
  readonly writers?: number;
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
 * of 5,000; a line that appears again replaces its earlier state, in order.
 * `input` is the whole text, its lines one by one, or `{ bytes }` — a file or
 * request stream, read only as fast as lines are written — so a large file
 * never sits in memory.
 *
 * Nothing is dropped silently: every data line is imported, updated or
 * rejected with its line number, the field at fault (the CSV column, or the
 * JSON field path) and the reason; the result keeps the first 1,000
 * rejections and `rejections` (the import report) receives every one.
 * Blank lines are skipped. A CSV header with an unknown or repeated column,
 * or without `line_id` or `sim_type`, refuses the whole file
 * (`validation_failed`) before anything is written.
 *
 * @example
 * const result = await importLines(store.lines, orgId, { bytes: createReadStream(file) }, {
 *   format: 'csv', onProgress: (p) => console.error(p.processed),
 * });
 */
export function importLines(
  target: LineImportTarget,
  orgId: string,
  input: ImportInput,
  options: LineImportOptions,
): Promise<ImportResult> {
  return bulkImport(input, {
    format: options.format,
    columns: LINE_CSV_COLUMNS,
    required: ['line_id', 'sim_type'],
    cell: (row, column, cell) => {
      const [first, second] = CSV_PATHS[column as LineCsvColumn] as readonly [string, string?];
      if (second === undefined) {
        row[first] = cell.trim();
        return;
      }
      const nested = (row[first] ?? {}) as Record<string, unknown>;
      nested[second] = cell.trim();
      row[first] = nested;
    },
    columnOf: (path) => COLUMN_OF_PATH.get(path) ?? path,
    prepare: (row) => target.prepare(row),
    upsertMany: (items) => target.upsertMany(orgId, items),
    batchSize: Math.max(1, Math.min(options.batchSize ?? LINE_BATCH, LINE_BATCH)),
    onProgress: options.onProgress,
    rejections: options.rejections,
    writers: options.writers ?? IMPORT_WRITERS,
    keyOf: (item) => item.lineId,
  });
}
