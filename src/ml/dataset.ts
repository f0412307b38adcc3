/**
 * Training data for the `ml` module (issue 9, item 1; the message models
 * behind I1, I3 and P7): loaders for the files in `../shared/data/`, then
 * deduplication and a deterministic train/test split so that no text is ever
 * on both sides.
 *
 * Order matters: rows are deduplicated on their normalised text (NFKC, lower
 * case, whitespace collapsed) BEFORE splitting — the UCI SMS file alone holds
 * ~330 repeated texts, which a random split would put on both sides and so
 * inflate every metric. A text seen with both labels is dropped and counted.
 *
 * The split is by time where a row has a date (JPCERT confirmation time, the
 * SpamHunter month): the latest rows of a source are its test set, as a model
 * meets the future, not a shuffle of the past. Undated rows go by a seeded
 * hash of their group key (the normalised text, or for URLs the registered
 * domain, so one site's many pages stay on one side).
 *
 * The parsers read text, not paths, so tests use inline fixtures; they never
 * throw on bad input: a line they cannot read is returned in `rejected` with
 * its line number and why.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseHost } from 'tldts';
import { parseCsv } from '../intel/csv-parser.ts';

export const DATA_LABELS = ['fraud', 'legit'] as const;
export type DataLabel = (typeof DATA_LABELS)[number];

export interface LabelledRow {
  readonly text: string;
  readonly label: DataLabel;
  /** Which file (or fixture) it came from: splits are made per source. */
  readonly source: string;
  /** 1-based line of the file. */
  readonly line: number;
  /** ISO-like sortable date (`YYYY-MM` or `YYYY-MM-DDTHH:MM:SS`) when known. */
  readonly date?: string;
  /** Rows with the same group go to the same side of a hash split. */
  readonly group?: string;
}

export interface RejectedLine {
  readonly source: string;
  readonly line: number;
  readonly reason: string;
}

export interface ParsedFile {
  readonly rows: LabelledRow[];
  readonly rejected: RejectedLine[];
}

/** Dedup key: NFKC, lower case, every whitespace run one space, trimmed. */
export function normaliseForDedup(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

function lines(text: string): string[] {
  const out = text.split(/\r?\n/);
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  if (out.length > 0 && out[0]?.startsWith('\uFEFF')) out[0] = out[0].slice(1);
  return out;
}

/** UCI SMS Spam Collection: `ham|spam<TAB>text`, no header. */
export function parseUciSms(text: string, source = 'uci-sms'): ParsedFile {
  const rows: LabelledRow[] = [];
  const rejected: RejectedLine[] = [];
  lines(text).forEach((l, k) => {
    const line = k + 1;
    const tab = l.indexOf('\t');
    const tag = tab < 0 ? '' : l.slice(0, tab);
    const body = l.slice(tab + 1);
    if (tag !== 'ham' && tag !== 'spam') {
      rejected.push({ source, line, reason: 'label is not ham or spam before a tab' });
    } else if (body.trim() === '') {
      rejected.push({ source, line, reason: 'empty text' });
    } else {
      rows.push({ text: body, label: tag === 'spam' ? 'fraud' : 'legit', source, line });
    }
  });
  return { rows, rejected };
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * Each non-blank JSON-lines line as an object, with its line number (1-based): a line that is not JSON
 * is rejected as such; a JSON value that is not an object reads as `{}` (its fields then fail the
 * caller's checks, naming them).
 */
export function jsonLines(
  text: string,
  source: string,
  rejected: RejectedLine[],
  each: (o: Record<string, unknown>, line: number) => void,
): void {
  lines(text).forEach((l, k) => {
    const line = k + 1;
    if (l.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch {
      rejected.push({ source, line, reason: 'not JSON' });
      return;
    }
    each(typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}, line);
  });
}

/** SpamHunter Japanese smishing: JSON lines `{"month": "YYYY-MM", "text"}`; all fraud. */
export function parseJaSmishing(text: string, source = 'ja-smishing'): ParsedFile {
  const rows: LabelledRow[] = [];
  const rejected: RejectedLine[] = [];
  jsonLines(text, source, rejected, (o, line) => {
    if (typeof o.text !== 'string' || o.text.trim() === '') {
      rejected.push({ source, line, reason: 'text is not a non-empty string' });
    } else if (typeof o.month !== 'string' || !MONTH.test(o.month)) {
      rejected.push({ source, line, reason: 'month is not YYYY-MM' });
    } else {
      rows.push({ text: o.text, label: 'fraud', source, line, date: o.month });
    }
  });
  return { rows, rejected };
}

/** Registered domain of a URL or host (tldts), else the lower-case host, else undefined. */
export function siteOf(urlOrHost: string): string | undefined {
  const p = parseHost(urlOrHost);
  return p.domain ?? p.hostname?.toLowerCase() ?? undefined;
}

/**
 * Reads a CSV with a header, calling `row` with a column lookup; records the
 * parser cannot read, or that lack a needed column, are rejected.
 */
function readCsv(
  text: string,
  source: string,
  needed: readonly string[],
  row: (get: (column: string) => string, line: number) => LabelledRow | string,
): ParsedFile {
  const rows: LabelledRow[] = [];
  const rejected: RejectedLine[] = [];
  const records = parseCsv(text);
  const head = records[0];
  if (head === undefined || !('fields' in head)) {
    return { rows, rejected: [{ source, line: 1, reason: 'no CSV header' }] };
  }
  const at = new Map(head.fields.map((name, i) => [name.trim(), i]));
  const missing = needed.filter((c) => !at.has(c));
  if (missing.length > 0) {
    return { rows, rejected: [{ source, line: head.line, reason: `header lacks ${missing.join(', ')}` }] };
  }
  for (const r of records.slice(1)) {
    if ('error' in r) {
      rejected.push({ source, line: r.line, reason: r.error });
      continue;
    }
    if (r.fields.length === 1 && r.fields[0] === '') continue; // blank line
    const get = (c: string) => r.fields[at.get(c) as number] ?? '';
    const out = row(get, r.line);
    if (typeof out === 'string') rejected.push({ source, line: r.line, reason: out });
    else rows.push(out);
  }
  return { rows, rejected };
}

const JPCERT_DATE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}:\d{2}:\d{2})$/;

/** JPCERT/CC phishing URLs: `date,URL,description`; all fraud, dated. Never fetch them. */
export function parseJpcertUrls(text: string, source = 'jpcert-phishurl'): ParsedFile {
  return readCsv(text, source, ['date', 'URL'], (get, line) => {
    const url = get('URL').trim();
    const m = JPCERT_DATE.exec(get('date').trim());
    if (url === '') return 'empty URL';
    if (m === null) return 'date is not YYYY/MM/DD HH:MM:SS';
    return {
      text: url,
      label: 'fraud',
      source,
      line,
      date: `${m[1]}-${m[2]}-${m[3]}T${m[4]}`,
      ...group(url),
    };
  });
}

/** DMOZ benign URLs with paths: `url,host,...`; all legit, split by registered domain. */
export function parseDmozUrls(text: string, source = 'dmoz-benign'): ParsedFile {
  return readCsv(text, source, ['url'], (get, line) => {
    const url = get('url').trim();
    if (url === '') return 'empty url';
    return { text: url, label: 'legit', source, line, ...group(url) };
  });
}

/** Majestic top domains: `GlobalRank,...,Domain,...`; all legit (bare domains, no paths). */
export function parseMajesticDomains(text: string, source = 'majestic'): ParsedFile {
  return readCsv(text, source, ['Domain'], (get, line) => {
    const domain = get('Domain').trim();
    if (domain === '') return 'empty Domain';
    return { text: domain, label: 'legit', source, line, ...group(domain) };
  });
}

function group(urlOrHost: string): { group?: string } {
  const site = siteOf(urlOrHost);
  return site === undefined ? {} : { group: site };
}

export interface SplitOptions {
  /** Seed of the hash split. */
  readonly seed: number;
  /** Share of each source held out for test. Default 0.2. */
  readonly testFraction?: number;
}

export interface Counts {
  total: number;
  fraud: number;
  legit: number;
}

export interface SourceReport {
  rows: number;
  duplicatesRemoved: number;
  conflictsRemoved: number;
  split: 'time' | 'hash';
  train: Counts;
  test: Counts;
}

export interface DatasetReport {
  rows: number;
  rejected: number;
  /** Rows dropped as repeats of a kept text (same label). */
  duplicatesRemoved: number;
  /** Rows dropped because their text also appears with the other label. */
  conflictsRemoved: number;
  train: Counts;
  test: Counts;
  bySource: Record<string, SourceReport>;
}

export interface SplitDataset {
  readonly train: LabelledRow[];
  readonly test: LabelledRow[];
  readonly report: DatasetReport;
}

const counts = (): Counts => ({ total: 0, fraud: 0, legit: 0 });
function add(c: Counts, row: LabelledRow): void {
  c.total++;
  c[row.label]++;
}

/**
 * Seeded hash of a key into `[0, 1)`: the first 4 bytes of
 * sha256(seed NUL key). node:crypto, so the split is stable across runs
 * and machines.
 */
export function hashUnit(key: string, seed: number): number {
  return createHash('sha256').update(`${seed}\0${key}`).digest().readUInt32BE(0) / 4294967296;
}

/**
 * Deduplicates across all rows, then splits each source: by time when every
 * kept row of that source has a date, else by seeded hash of the group key.
 * Deterministic: the same rows in the same order and seed give the same split.
 */
export function prepareDataset(files: readonly ParsedFile[], options: SplitOptions): SplitDataset {
  const testFraction = options.testFraction ?? 0.2;
  if (!(testFraction >= 0 && testFraction <= 1)) throw new RangeError('testFraction must be in [0, 1]');
  const all = files.flatMap((f) => f.rows);
  const report: DatasetReport = {
    rows: all.length,
    rejected: files.reduce((s, f) => s + f.rejected.length, 0),
    duplicatesRemoved: 0,
    conflictsRemoved: 0,
    train: counts(),
    test: counts(),
    bySource: {},
  };
  const source = (name: string): SourceReport => {
    let s = report.bySource[name];
    if (s === undefined) {
      s = {
        rows: 0,
        duplicatesRemoved: 0,
        conflictsRemoved: 0,
        split: 'hash',
        train: counts(),
        test: counts(),
      };
      report.bySource[name] = s;
    }
    return s;
  };

  // Keep one row per normalised text: the earliest dated one (a text that
  // recurs later must not be "new" in the test months), else the first seen.
  const kept = new Map<string, { row: LabelledRow; labels: Set<DataLabel>; copies: LabelledRow[] }>();
  for (const row of all) {
    source(row.source).rows++;
    const key = normaliseForDedup(row.text);
    const k = kept.get(key);
    if (k === undefined) {
      kept.set(key, { row, labels: new Set([row.label]), copies: [row] });
      continue;
    }
    k.labels.add(row.label);
    k.copies.push(row);
    if (row.date !== undefined && (k.row.date === undefined || row.date < k.row.date)) k.row = row;
  }
  const unique: { row: LabelledRow; key: string }[] = [];
  for (const [key, k] of kept) {
    if (k.labels.size > 1) {
      report.conflictsRemoved += k.copies.length;
      for (const c of k.copies) source(c.source).conflictsRemoved++;
      continue;
    }
    report.duplicatesRemoved += k.copies.length - 1;
    for (const c of k.copies) if (c !== k.row) source(c.source).duplicatesRemoved++;
    unique.push({ row: k.row, key });
  }

  const bySource = new Map<string, { row: LabelledRow; key: string }[]>();
  for (const u of unique) {
    const list = bySource.get(u.row.source) ?? [];
    list.push(u);
    bySource.set(u.row.source, list);
  }
  const isTest = new Set<LabelledRow>();
  for (const [name, list] of bySource) {
    const dated = list.every((u) => u.row.date !== undefined);
    if (dated && list.length > 0) {
      source(name).split = 'time';
      const dates = list.map((u) => u.row.date as string).sort();
      // Rows up to the date at the (1 − f) quantile train; later ones test.
      // Rows sharing that date stay together, on the training side.
      const trainCount = Math.ceil((1 - testFraction) * dates.length);
      const lastTrainDate = trainCount === 0 ? '' : (dates[trainCount - 1] as string);
      for (const u of list) if ((u.row.date as string) > lastTrainDate) isTest.add(u.row);
    } else {
      for (const u of list) {
        if (hashUnit(u.row.group ?? u.key, options.seed) < testFraction) isTest.add(u.row);
      }
    }
  }
  const train: LabelledRow[] = [];
  const test: LabelledRow[] = [];
  for (const { row } of unique) {
    const side = isTest.has(row) ? 'test' : 'train';
    (side === 'test' ? test : train).push(row);
    add(report[side], row);
    add(source(row.source)[side], row);
  }
  return { train, test, report };
}

/** The shared data folder beside the repository (`../shared/data`). */
export const SHARED_DATA_DIR = new URL('../../../shared/data/', import.meta.url);

/** Reads and parses every training file of the message and URL models. */
export function loadSharedData(dir: URL = SHARED_DATA_DIR): { sms: ParsedFile[]; url: ParsedFile[] } {
  const read = (path: string) => readFileSync(new URL(path, dir), 'utf8');
  return {
    sms: [
      parseUciSms(read('sms/uci-sms-spam-collection.tsv')),
      parseJaSmishing(read('sms/ja-smishing-train.jsonl')),
    ],
    url: [
      parseJpcertUrls(read('url/jpcert-phishurl-train.csv')),
      parseDmozUrls(read('url/dmoz-benign-train.csv')),
      parseMajesticDomains(read('url/majestic-top15k-train.csv')),
    ],
  };
}
