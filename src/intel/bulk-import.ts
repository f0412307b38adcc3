import { isMamoruError, MamoruError } from '../core/index.ts';
import { CsvParser, type CsvRecord, MAX_CSV_RECORD } from './csv-parser.ts';

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
 *
 * Memory stays bounded whatever the input holds: the input is read as it is
 * consumed (a stream is not read ahead of the database), one batch is
 * written while the next is read, a line or record longer than 1 MiB is
 * rejected without being held, and only the first {@link KEPT_REJECTIONS}
 * rejections are kept in the result — every one goes to the `rejections`
 * sink (the import report) in batches, when one is given.
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
  /**
   * The first rejected lines, in input order: all of them when `rejected` is
   * at most {@link KEPT_REJECTIONS}; the full list is in the import report.
   */
  readonly rejections: readonly ImportRejection[];
}

/** Where every rejection goes, in input order, a batch at a time (the import report). */
export interface RejectionSink {
  /** Store a batch; the import waits for it before handing over the next one. */
  write(rejections: readonly ImportRejection[]): Promise<void>;
}

/**
 * The lines of an import: the whole text; its lines one by one (an array,
 * a generator); or `{ bytes }`, a byte stream (a file, a request body) read
 * only as fast as the import consumes it.
 */
export type ImportInput = string | Iterable<string> | AsyncIterable<string> | ByteInput;

/** A UTF-8 byte stream: a `fs.ReadStream`, an HTTP request, any async iterable of chunks. */
export interface ByteInput {
  readonly bytes: AsyncIterable<Uint8Array | string>;
}

/** Rejections kept in an import's result (and the API's answer); the rest are in the report. */
export const KEPT_REJECTIONS = 1_000;

/** Longest line (JSON lines) or record (CSV) read, in characters: longer ones are rejected unread. */
export const MAX_LINE = MAX_CSV_RECORD;

/**
 * Statements an import writes a batch with at once (`BulkSpec.writers`): two
 * keep PostgreSQL busy on two cores while this process reads the next batch.
 */
export const IMPORT_WRITERS = 2;

/** Rejections written to the sink per call. */
const SINK_BATCH = 1_000;

// A rejection names what the input holds (a key, a column): cap it, so 1,000 of them stay small.
const MAX_FIELD = 200;
const MAX_MESSAGE = 1_000;

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
  /**
   * Write a batch; one flag per item: true when it was new. At most one call
   * is under way at a time, in input order, while the next batch is read.
   */
  readonly upsertMany: (items: readonly T[]) => Promise<boolean[]>;
  readonly batchSize: number;
  /**
   * Statements a batch is split over, run at once (default 1): each gets the
   * items whose `keyOf` hashes to it, so the repeats of a key stay in one
   * statement chain, in order, and the database works on several cores.
   */
  readonly writers?: number | undefined;
  /** The key a row is upserted by (required for `writers` > 1). */
  readonly keyOf?: ((item: T) => string) | undefined;
  /** Called after every batch and once at the end. */
  readonly onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Every rejection, in input order (the import report). */
  readonly rejections?: RejectionSink | undefined;
  /** Rejections kept in the result (default {@link KEPT_REJECTIONS}). */
  readonly keep?: number | undefined;
}

export async function bulkImport<T>(input: ImportInput, spec: BulkSpec<T>): Promise<ImportResult> {
  const keep = spec.keep ?? KEPT_REJECTIONS;
  let imported = 0;
  let updated = 0;
  let rejected = 0;
  const kept: ImportRejection[] = [];
  let unsunk: ImportRejection[] = [];
  let batch: T[] = [];
  // One write and one sink call in flight at most; a failure is kept and thrown at the next step.
  let writing: Promise<void> | undefined;
  let sinking: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    failure ??= { error };
  };
  const check = () => {
    if (failure) throw failure.error;
  };
  const progress = (): ImportProgress => ({
    processed: imported + updated + rejected,
    imported,
    updated,
    rejected,
  });

  let reported = -1;
  const report = () => {
    const now = progress();
    reported = now.processed;
    spec.onProgress?.(now);
  };
  const write = async () => {
    if (writing) await writing;
    check();
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    const parts = spreadOver(items, spec.writers ?? 1, spec.keyOf);
    // Every statement of the batch settles before the next batch starts or a failure is thrown.
    writing = Promise.allSettled(parts.map((part) => spec.upsertMany(part))).then((outcomes) => {
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') {
          fail(outcome.reason);
          continue;
        }
        for (const isNew of outcome.value) {
          if (isNew) imported++;
          else updated++;
        }
      }
      report();
    });
  };
  const sink = async () => {
    if (sinking) await sinking;
    check();
    if (!spec.rejections || unsunk.length === 0) return;
    const items = unsunk;
    unsunk = [];
    sinking = spec.rejections.write(items).then(undefined, fail);
  };
  const reject = (rejection: ImportRejection): boolean => {
    rejected++;
    const clipped = {
      line: rejection.line,
      field: clip(rejection.field, MAX_FIELD),
      message: clip(rejection.message, MAX_MESSAGE),
    };
    if (kept.length < keep) kept.push(clipped);
    if (spec.rejections) unsunk.push(clipped);
    return unsunk.length >= SINK_BATCH;
  };
  const csv = spec.format === 'csv';
  /** Take one read line; true when a batch is full (the caller awaits `step`). */
  const take = (line: number, row: Row): boolean => {
    if ('rejected' in row) return reject(row.rejected);
    try {
      batch.push(spec.prepare(row.ok));
    } catch (error) {
      return reject(rejectionOf(line, error, csv ? spec.columnOf : undefined));
    }
    return batch.length >= spec.batchSize;
  };
  const step = async () => {
    if (batch.length >= spec.batchSize) await write();
    if (unsunk.length >= SINK_BATCH) await sink();
    check();
  };

  try {
    await readAll();
  } catch (error) {
    // Let what is under way finish before the caller hears of the failure (and, say, closes the database).
    await Promise.allSettled([writing, sinking]);
    throw error;
  }
  await write();
  await writing;
  await sink();
  await sinking;
  check();
  if (progress().processed !== reported) report();
  return { ...progress(), rejections: kept };

  async function readAll(): Promise<void> {
    if (csv) {
      let header: string[] | undefined;
      for await (const records of csvRecords(input)) {
        for (const record of records) {
          let full: boolean;
          if ('error' in record) full = reject({ line: record.line, field: '(line)', message: record.error });
          else if (record.fields.length === 1 && record.fields[0]!.trim() === '') continue;
          else if (!header) {
            header = csvHeader(record.fields, spec);
            continue;
          } else full = take(record.line, csvRow(header, record, spec));
          if (full) await step();
        }
      }
    } else {
      for await (const lines of textLines(input)) {
        for (const { line, text } of lines) {
          if (text === undefined) {
            if (reject({ line, field: '(line)', message: `is longer than ${MAX_LINE} characters` }))
              await step();
          } else if (text.trim() !== '' && take(line, jsonRow(line, text, spec.jsonAliases ?? {})))
            await step();
        }
      }
    }
  }
}

/** Split a batch into `writers` parts by the hash of each item's key (FNV-1a); one part when there is no key. */
function spreadOver<T>(items: T[], writers: number, keyOf: ((item: T) => string) | undefined): T[][] {
  if (writers <= 1 || !keyOf || items.length < 2 * writers) return [items];
  const parts: T[][] = Array.from({ length: writers }, () => []);
  for (const item of items) {
    const key = keyOf(item);
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    parts[(h >>> 0) % writers]!.push(item);
  }
  return parts.filter((p) => p.length > 0);
}

/** A line read: the fields to validate, or why the line itself is unreadable. */
type Row = { readonly ok: Record<string, unknown> } | { readonly rejected: ImportRejection };

function isByteInput(input: ImportInput): input is ByteInput {
  return typeof input === 'object' && input !== null && 'bytes' in input;
}

/** CSV records, a chunk's worth at a time (one await per chunk, not per record). */
async function* csvRecords(input: ImportInput): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser({ maxRecord: MAX_LINE });
  if (typeof input === 'string') yield parser.push(input);
  else if (isByteInput(input)) for await (const text of decode(input.bytes)) yield parser.push(text);
  else if (Symbol.asyncIterator in input) for await (const line of input) yield parser.push(`${line}\n`);
  else for (const line of input) yield parser.push(`${line}\n`);
  yield parser.end();
}

/** A JSON line: its number and text, or no text when it was too long to read. */
interface TextLine {
  readonly line: number;
  readonly text: string | undefined;
}

async function* textLines(input: ImportInput): AsyncGenerator<TextLine[]> {
  let line = 0;
  const one = (text: string): TextLine => ({
    line: ++line,
    text: text.length > MAX_LINE ? undefined : text.replace(/\r?\n$/, ''),
  });
  if (typeof input === 'string') {
    const all = input.split(/\r?\n/);
    if (all.at(-1) === '') all.pop();
    yield all.map(one);
  } else if (isByteInput(input)) {
    yield* splitLines(decode(input.bytes));
  } else if (Symbol.asyncIterator in input) {
    for await (const text of input) yield [one(text)];
  } else {
    yield Array.from(input, one);
  }
}

/** Decode UTF-8 chunks (a character split between chunks is kept whole). */
async function* decode(bytes: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of bytes) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/**
 * Split text chunks into numbered lines (LF or CRLF). A line longer than
 * {@link MAX_LINE} is given without its text and skipped to its end, never
 * held whole.
 */
export async function* splitLines(chunks: AsyncIterable<string>): AsyncGenerator<TextLine[]> {
  let line = 0;
  let partial = '';
  let tooLong = false;
  const end = (text: string): TextLine => {
    line++;
    if (tooLong || text.length > MAX_LINE) {
      tooLong = false;
      return { line, text: undefined };
    }
    return { line, text: text.endsWith('\r') ? text.slice(0, -1) : text };
  };
  for await (const chunk of chunks) {
    const out: TextLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      out.push(end(partial === '' ? piece : partial + piece));
      partial = '';
      start = nl + 1;
    }
    if (!tooLong) {
      partial += chunk.slice(start);
      if (partial.length > MAX_LINE) {
        tooLong = true;
        partial = '';
      }
    }
    if (out.length > 0) yield out;
  }
  if (partial !== '' || tooLong) yield [end(partial)];
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
        message: `unknown column "${clip(c, MAX_FIELD)}"; known: ${spec.columns.join(', ')}`,
      });
    else if (columns.indexOf(c) !== i)
      issues.push({ path: `header.${i}`, message: `column ${c} appears twice` });
  });
  for (const required of spec.required) {
    if (!columns.includes(required)) issues.push({ path: 'header', message: `needs a ${required} column` });
  }
  if (issues.length > 0) {
    const shown = issues.slice(0, 20);
    throw new MamoruError('validation_failed', `CSV header: ${shown.map((i) => i.message).join('; ')}`, {
      issues: shown,
    });
  }
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
  const garbled = record.fields.findIndex((cell) => cell.includes(REPLACEMENT));
  if (garbled !== -1) return { rejected: { line: record.line, field: header[garbled]!, message: NOT_UTF8 } };
  const row: Record<string, unknown> = {};
  header.forEach((column, i) => {
    const cell = record.fields[i]!;
    if (cell.trim() !== '') spec.cell(row, column, cell);
  });
  return { ok: row };
}

/**
 * U+FFFD, what the decoder puts for bytes that are not UTF-8: a file saved as
 * Shift_JIS (Excel's default in Japan) reads as a run of them, and a holder
 * keyed on that text would be another holder. A line holding one is
 * rejected, never imported garbled (found by H8). A U+FFFD sent as such
 * stands for a character already lost, and is refused the same way.
 */
const REPLACEMENT = '\uFFFD';
const NOT_UTF8 =
  'UTF-8 として読めない文字（U+FFFD）があります。UTF-8 で保存し直してください（Shift_JIS は読めません）' +
  ' / holds text that is not UTF-8 (U+FFFD): save the file as UTF-8 (Shift_JIS is not read)';

function jsonRow(line: number, text: string, aliases: Readonly<Record<string, string>>): Row {
  if (text.includes(REPLACEMENT)) return { rejected: { line, field: '(line)', message: NOT_UTF8 } };
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
      message: error.issues
        .slice(0, 10)
        .map((i) => `${name(i.path)}: ${i.message}`)
        .join('; '),
    };
  }
  return { line, field: '(line)', message: error instanceof Error ? error.message : String(error) };
}

/** At most `max` characters, NUL shown as U+FFFD (a database text cannot hold NUL; the report must). */
function clip(text: string, max: number): string {
  if (text.includes('\u0000')) return clip(text.replaceAll('\u0000', '\uFFFD'), max);
  if (text.length <= max) return text;
  // A copy, not a slice: a slice would keep the whole (perhaps 1 MiB) text alive with the rejection.
  return `${Buffer.from(text.slice(0, max - 1), 'utf8').toString('utf8')}…`;
}
