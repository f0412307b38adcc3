import { isMamoruError, MamoruError } from '../core/index.ts';
import { CsvParser, type CsvRecord } from './csv-parser.ts';

/**
 * The bulk-import driver that indicator imports (intel) and line imports
 * (contract, P2) share: read CSV (a header row, RFC 4180 quoting) or JSON
 * lines, turn each data line into an object, validate it with the caller's
 * `prepare`, and upsert in batches with progress.
 *
 * Nothing is dropped silently: every data line is imported, updated or
 * rejected with its line number (1-based, header included), the field at
 * fault and the reason. Empty lines carry no data and are skipped. A CSV
 * header that names an unknown or repeated column, or lacks a required one,
 * refuses the whole file (`validation_failed`) before anything is written.
 */

export interface ImportProgress {
  /** Data lines read so far: imported + updated + rejected. */
  readonly processed: number;
  /** New rows. */
  readonly imported: number;
  /** Known rows refreshed or replaced. */
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

/** The lines of an import: the whole text, or its lines one by one (a file through `readline`). */
export type ImportInput = string | Iterable<string> | AsyncIterable<string>;

/** What one kind of import knows: its columns, how a cell becomes a field, how a row is checked and written. */
export interface BulkSpec<T> {
  readonly format: 'csv' | 'jsonl';
  /** Columns a CSV header may name (any order, case-insensitive). */
  readonly columns: readonly string[];
  readonly required: readonly string[];
  /** Put one non-empty CSV cell (untrimmed) into the row being built. */
  readonly cell: (row: Record<string, unknown>, column: string, cell: string) => void;
  /** The CSV column a field path came from, to name it in a rejection (default: the path). */
  readonly columnOf?: (path: string) => string;
  /** JSON-lines keys read under another name (snake_case aliases). */
  readonly jsonAliases?: Readonly<Record<string, string>>;
  /** Validate a row; throws `MamoruError` with issues naming the fields. */
  readonly prepare: (row: Record<string, unknown>) => T;
  /** Write a batch; one flag per item: true when it was new. */
  readonly upsertMany: (items: readonly T[]) => Promise<boolean[]>;
  readonly batchSize: number;
  /** Called after every batch and once at the end. */
  readonly onProgress?: ((progress: ImportProgress) => void) | undefined;
}

export async function bulkImport<T>(input: ImportInput, spec: BulkSpec<T>): Promise<ImportResult> {
  let imported = 0;
  let updated = 0;
  const rejections: ImportRejection[] = [];
  let batch: T[] = [];
  const progress = (): ImportProgress => ({
    processed: imported + updated + rejections.length,
    imported,
    updated,
    rejected: rejections.length,
  });
  const flush = async () => {
    if (batch.length > 0) {
      for (const created of await spec.upsertMany(batch)) {
        if (created) imported++;
        else updated++;
      }
      batch = [];
    }
    spec.onProgress?.(progress());
  };
  const csv = spec.format === 'csv';
  const take = async (line: number, row: Row) => {
    if ('rejected' in row) {
      rejections.push(row.rejected);
      return;
    }
    try {
      batch.push(spec.prepare(row.ok));
    } catch (error) {
      rejections.push(rejectionOf(line, error, csv ? spec.columnOf : undefined));
      return;
    }
    if (batch.length >= spec.batchSize) await flush();
  };

  if (csv) {
    let header: string[] | undefined;
    for await (const record of csvRecords(input)) {
      if ('error' in record) {
        rejections.push({ line: record.line, field: '(line)', message: record.error });
        continue;
      }
      if (record.fields.length === 1 && record.fields[0]!.trim() === '') continue;
      if (!header) {
        header = csvHeader(record.fields, spec);
        continue;
      }
      await take(record.line, csvRow(header, record, spec));
    }
  } else {
    let line = 0;
    for await (const text of textLines(input)) {
      line++;
      if (text.trim() === '') continue;
      await take(line, jsonRow(line, text, spec.jsonAliases ?? {}));
    }
  }
  await flush();
  return { ...progress(), rejections };
}

/** A line read: the fields to validate, or why the line itself is unreadable. */
type Row = { readonly ok: Record<string, unknown> } | { readonly rejected: ImportRejection };

async function* csvRecords(input: ImportInput): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  if (typeof input === 'string') yield* parser.push(input);
  else for await (const line of input) yield* parser.push(`${line}\n`);
  yield* parser.end();
}

async function* textLines(input: ImportInput): AsyncGenerator<string> {
  if (typeof input === 'string') {
    const all = input.split(/\r?\n/);
    if (all.at(-1) === '') all.pop();
    yield* all;
  } else {
    for await (const line of input) yield line.replace(/\r?\n$/, '');
  }
}

function csvHeader(
  fields: readonly string[],
  spec: Pick<BulkSpec<unknown>, 'columns' | 'required' | 'cell'>,
): string[] {
  const columns = fields.map((f) => f.trim().toLowerCase());
  const issues: { path: string; message: string }[] = [];
  columns.forEach((c, i) => {
    if (!spec.columns.includes(c))
      issues.push({
        path: `header.${i}`,
        message: `unknown column "${c}"; known: ${spec.columns.join(', ')}`,
      });
    else if (columns.indexOf(c) !== i)
      issues.push({ path: `header.${i}`, message: `column ${c} appears twice` });
  });
  for (const required of spec.required) {
    if (!columns.includes(required)) issues.push({ path: 'header', message: `needs a ${required} column` });
  }
  if (issues.length > 0)
    throw new MamoruError('validation_failed', `CSV header: ${issues.map((i) => i.message).join('; ')}`, {
      issues,
    });
  return columns;
}

function csvRow(
  header: readonly string[],
  record: CsvRecord & { fields: readonly string[] },
  spec: Pick<BulkSpec<unknown>, 'columns' | 'required' | 'cell'>,
): Row {
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
    if (cell.trim() !== '') spec.cell(row, column, cell);
  });
  return { ok: row };
}

function jsonRow(line: number, text: string, aliases: Readonly<Record<string, string>>): Row {
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
    row[Object.hasOwn(aliases, key) ? aliases[key]! : key] = value;
  return { ok: row };
}

/** The first field at fault, named as the input names it (the CSV column, or the JSON path). */
function rejectionOf(
  line: number,
  error: unknown,
  columnOf: ((path: string) => string) | undefined,
): ImportRejection {
  if (isMamoruError(error) && error.issues.length > 0) {
    const name = columnOf ?? ((path: string) => path);
    return {
      line,
      field: name(error.issues[0]!.path),
      message: error.issues.map((i) => `${name(i.path)}: ${i.message}`).join('; '),
    };
  }
  return { line, field: '(line)', message: error instanceof Error ? error.message : String(error) };
}
