import {
  bulkImport,
  IMPORT_WRITERS,
  type ImportInput,
  type ImportProgress,
  type ImportResult,
  type RejectionSink,
} from './bulk-import.ts';
import type { IndicatorInput } from './indicator-schemas.ts';
import { type PreparedIndicator, UPSERT_BATCH } from './upsert-indicators.ts';

/** Columns a CSV import may have (header row, any order); `type` and `value` are required. */
export const CSV_COLUMNS = [
  'type',
  'value',
  'verdict',
  'confidence',
  'source',
  'scope',
  'expires_at',
  'tags',
  'description',
  'hashed',
  'first_seen',
  'last_seen',
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

const CSV_KEYS = {
  type: 'type',
  value: 'value',
  verdict: 'verdict',
  confidence: 'confidence',
  source: 'source',
  scope: 'scope',
  expires_at: 'expiresAt',
  tags: 'tags',
  description: 'description',
  hashed: 'hashed',
  first_seen: 'firstSeen',
  last_seen: 'lastSeen',
} as const satisfies Record<CsvColumn, keyof IndicatorInput>;

/** Values applied to every line that does not give its own. */
export type ImportDefaults = Partial<
  Pick<IndicatorInput, 'verdict' | 'confidence' | 'source' | 'scope' | 'expiresAt' | 'tags' | 'hashed'>
>;

export type {
  ImportInput,
  ImportProgress,
  ImportRejection,
  ImportResult,
  RejectionSink,
} from './bulk-import.ts';

export interface ImportOptions {
  readonly format: 'csv' | 'jsonl';
  readonly defaults?: ImportDefaults;
  /** Called after every batch and once at the end. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Rows per upsert statement (default and most 5,000). */
  readonly batchSize?: number;
  /** Every rejected line, in order (the import report); the result keeps the first 1,000. */
  readonly rejections?: RejectionSink;
  /** Statements each batch is split over, at once (default {@link IMPORT_WRITERS}). */
  readonly writers?: number;
}

/** What the importer needs of the indicator service (a fake in tests). */
export interface ImportTarget {
  prepare(input: unknown): PreparedIndicator;
  upsertMany(orgId: string, items: readonly PreparedIndicator[]): Promise<boolean[]>;
}

/**
 * Bulk-import indicators from CSV (a header row, RFC 4180 quoting; `tags`
 * separated by `;`) or JSON lines (one indicator object per line, the
 * fields of `indicatorInputSchema`; `expires_at`, `first_seen`, `last_seen`
 * accepted too), upserting in batches (`bulkImport`). `input` is the whole
 * text, its lines one by one, or `{ bytes }` — a file or request stream,
 * read only as fast as rows are written — so a large file never sits in
 * memory.
 *
 * Nothing is dropped silently: every data line is imported, updated or
 * rejected with its line number, the field at fault and the reason; the
 * result keeps the first 1,000 rejections and `rejections` (the import
 * report, `ImportReports`) receives every one. A CSV
 * header that names an unknown column, or lacks `type` or `value`, refuses
 * the whole file (throws `validation_failed`) before anything is written.
 *
 * @example
 * const result = await importIndicators(intel, orgId, { bytes: createReadStream(file) }, {
 *   format: 'csv', defaults: { source: 'jpcert-feed', scope: 'partners' }, onProgress: console.log,
 * });
 */
export function importIndicators(
  target: ImportTarget,
  orgId: string,
  input: ImportInput,
  options: ImportOptions,
): Promise<ImportResult> {
  const defaults = options.defaults ?? {};
  return bulkImport(input, {
    format: options.format,
    columns: CSV_COLUMNS,
    required: ['type', 'value'],
    cell: (row, column, cell) => {
      row[CSV_KEYS[column as CsvColumn]] = csvCell(column as CsvColumn, cell);
    },
    jsonAliases: SNAKE_KEYS,
    prepare: (row) => target.prepare({ ...defaults, ...row }),
    upsertMany: (items) => target.upsertMany(orgId, items),
    batchSize: Math.max(1, Math.min(options.batchSize ?? UPSERT_BATCH, UPSERT_BATCH)),
    onProgress: options.onProgress,
    rejections: options.rejections,
    writers: options.writers ?? IMPORT_WRITERS,
    keyOf: (item) => `${item.type}\u0000${item.value}`,
  });
}

function csvCell(column: CsvColumn, cell: string): unknown {
  const text = cell.trim();
  switch (column) {
    case 'confidence':
      return /^\d{1,3}$/.test(text) ? Number(text) : text;
    case 'hashed':
      if (/^(true|1|yes)$/i.test(text)) return true;
      if (/^(false|0|no)$/i.test(text)) return false;
      return text;
    case 'tags':
      return text
        .split(';')
        .map((t) => t.trim())
        .filter(Boolean);
    case 'value':
    case 'description':
      return cell;
    default:
      return text;
  }
}

const SNAKE_KEYS: Readonly<Record<string, string>> = {
  expires_at: 'expiresAt',
  first_seen: 'firstSeen',
  last_seen: 'lastSeen',
};
