import { isMamoruError, MamoruError } from '../core/index.ts';
import { CsvParser, type CsvRecord } from './csv-parser.ts';
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

export interface ImportProgress {
  /** Data lines read so far: imported + updated + rejected. */
  readonly processed: number;
  /** New indicators. */
  readonly imported: number;
  /** Known indicators refreshed. */
  readonly updated: number;
  readonly rejected: number;
}

/** One refused line: its line number in the input (1-based, header included), the field and why. */
export interface ImportRejection {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

export interface ImportResult extends ImportProgress {
  /** Every rejected line, in input order (`rejections.length === rejected`). */
  readonly rejections: readonly ImportRejection[];
}

export interface ImportOptions {
  readonly format: 'csv' | 'jsonl';
  readonly defaults?: ImportDefaults;
  /** Called after every batch and once at the end. */
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Rows per upsert statement (default 500). */
  readonly batchSize?: number;
}

/** What the importer needs of the indicator service (a fake in tests). */
export interface ImportTarget {
  prepare(input: unknown): PreparedIndicator;
  upsertMany(orgId: string, items: readonly PreparedIndicator[]): Promise<boolean[]>;
}

/**
 * Bulk-import indicators from CSV (a header row, RFC 4180 quoting; `tags`
 * separated by `;`) or JSON lines (one indicator object per line, the
 * fields of `indicatorInputSchema`), upserting in batches. `input` is the
 * whole text, or the lines one by one (`readline.createInterface` over a
 * file stream gives them), so a large file never sits in memory.
 *
 * Nothing is dropped silently: every data line is imported, updated or
 * rejected with its line number, the field at fault and the reason. Blank
 * lines carry no data and are skipped. A CSV header that names an unknown
 * column, or lacks `type` or `value`, refuses the whole file (throws
 * `validation_failed`) before anything is written.
 *
 * @example
 * const result = await importIndicators(intel, orgId, createInterface({ input: createReadStream(file) }), {
 *   format: 'csv', defaults: { source: 'jpcert-feed', scope: 'partners' }, onProgress: console.log,
 * });
 */
export async function importIndicators(
  target: ImportTarget,
  orgId: string,
  input: string | Iterable<string> | AsyncIterable<string>,
  options: ImportOptions,
): Promise<ImportResult> {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? UPSERT_BATCH, UPSERT_BATCH));
  const defaults = options.defaults ?? {};
  let imported = 0;
  let updated = 0;
  const rejections: ImportRejection[] = [];
  let batch: PreparedIndicator[] = [];
  const progress = (): ImportProgress => ({
    processed: imported + updated + rejections.length,
    imported,
    updated,
    rejected: rejections.length,
  });
  const flush = async () => {
    if (batch.length > 0) {
      const created = await target.upsertMany(orgId, batch);
      for (const c of created) {
        if (c) imported++;
        else updated++;
      }
      batch = [];
    }
    options.onProgress?.(progress());
  };
  const take = async (line: number, row: Row) => {
    if ('rejected' in row) {
      rejections.push(row.rejected);
      return;
    }
    try {
      batch.push(target.prepare({ ...defaults, ...row.ok }));
    } catch (error) {
      rejections.push(rejectionOf(line, error));
      return;
    }
    if (batch.length >= batchSize) await flush();
  };

  if (options.format === 'csv') {
    let header: CsvColumn[] | undefined;
    for await (const record of csvRecords(input)) {
      if ('error' in record) {
        rejections.push({ line: record.line, field: '(line)', message: record.error });
        continue;
      }
      if (record.fields.length === 1 && record.fields[0]!.trim() === '') continue;
      if (!header) {
        header = csvHeader(record.fields);
        continue;
      }
      await take(record.line, csvRow(header, record));
    }
  } else {
    let line = 0;
    for await (const text of lines(input)) {
      line++;
      if (text.trim() === '') continue;
      await take(line, jsonRow(line, text));
    }
  }
  await flush();
  return { ...progress(), rejections };
}

/** A line read: the fields to validate, or why the line itself is unreadable. */
type Row = { readonly ok: Record<string, unknown> } | { readonly rejected: ImportRejection };

async function* csvRecords(
  input: string | Iterable<string> | AsyncIterable<string>,
): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  if (typeof input === 'string') yield* parser.push(input);
  else for await (const line of input) yield* parser.push(`${line}\n`);
  yield* parser.end();
}

async function* lines(input: string | Iterable<string> | AsyncIterable<string>): AsyncGenerator<string> {
  if (typeof input === 'string') {
    const all = input.split(/\r?\n/);
    if (all.at(-1) === '') all.pop();
    yield* all;
  } else {
    for await (const line of input) yield line.replace(/\r?\n$/, '');
  }
}

function csvHeader(fields: readonly string[]): CsvColumn[] {
  const columns = fields.map((f) => f.trim().toLowerCase());
  const issues: { path: string; message: string }[] = [];
  columns.forEach((c, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(c))
      issues.push({
        path: `header.${i}`,
        message: `unknown column "${c}"; known: ${CSV_COLUMNS.join(', ')}`,
      });
    else if (columns.indexOf(c) !== i)
      issues.push({ path: `header.${i}`, message: `column ${c} appears twice` });
  });
  for (const required of ['type', 'value'] as const) {
    if (!columns.includes(required)) issues.push({ path: 'header', message: `needs a ${required} column` });
  }
  if (issues.length > 0)
    throw new MamoruError('validation_failed', `CSV header: ${issues.map((i) => i.message).join('; ')}`, {
      issues,
    });
  return columns as CsvColumn[];
}

function csvRow(header: readonly CsvColumn[], record: { line: number; fields: readonly string[] }): Row {
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
    const cell = record.fields[i]!;
    if (cell.trim() === '') return;
    row[CSV_KEYS[column]] = csvCell(column, cell);
  });
  return { ok: row };
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
  // No prototype: a "__proto__" key stays an ordinary (and then rejected) field.
  const row: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(parsed))
    row[Object.hasOwn(SNAKE_KEYS, key) ? SNAKE_KEYS[key]! : key] = value;
  return { ok: row };
}

function rejectionOf(line: number, error: unknown): ImportRejection {
  if (isMamoruError(error) && error.issues.length > 0) {
    return {
      line,
      field: error.issues[0]!.path,
      message: error.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    };
  }
  return { line, field: '(line)', message: error instanceof Error ? error.message : String(error) };
}
