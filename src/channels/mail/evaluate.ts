/**
 * `mamoru eval mail <path>` (issue 11, "must show"; measures E1–E4): the whole
 * mail channel — authentication when DNS is given, the content model, links,
 * sender, attachments, reputation, the default policy — measured on anyone's
 * labelled mail, so a mail provider can check Mamoru on its own traffic before
 * putting it in front of its MTA. `scripts/mail-compare.ts` runs the same path.
 *
 * Input: JSON lines `{"raw"|"rawBase64", "label", "envelope"?}` (label `fraud`
 * or `legit`; `spam`/`phish`/`ham` accepted too), or a directory with `fraud/`
 * (`spam/`, `phish/`, `phishing/`) and `legit/` (`ham/`) folders of `.eml`
 * files. Read as a stream: one line or one file at a time, each bounded, so a
 * file of any size screens in constant memory. WHY our own line reader and not
 * `node:readline`: readline keeps a line whole however long it is; a mail of
 * 10 MB escaped in JSON is a long line, and a broken file may have no newline
 * at all, so lines past {@link MAX_LINE_BYTES} are skipped while reading.
 *
 * Each message is screened in process on an EMPTY database (Kysely's dummy
 * driver: no reputation history, no listed indicators, nothing written — a
 * user's sample is never stored) with DNS off (every SPF, DKIM, DMARC, ARC
 * and BIMI check skipped) or answered from a zone file (`--zone`). Metrics at
 * three levels: flagged = action ≥ warn (delivered with a warning), ≥ hold
 * (quarantined), block (refused 550). Bad lines and unreadable files are
 * reported with their line number or path, never thrown.
 */

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  ACTIONS,
  type Action,
  createEngine,
  type IntelLookup,
  type PolicyRef,
  policyDocumentSchema,
  severity,
  type Verdict,
} from '../../core/index.ts';
import { createExtractTools } from '../../intel/extract-tools.ts';
import { createKeyedHasher } from '../../intel/keyed-hash.ts';
import { type Confusion, rates } from '../../ml/metrics.ts';
import { emptyDatabase } from '../../store/empty-db.ts';
import { EvalFileError, MAX_REPORTED_REJECTS } from '../message/evaluate.ts';
import type { DnsResolver } from './dns-resolver.ts';
import { createMailChannel } from './index.ts';
import { envelopeSchema, MAX_MAIL_BYTES, type MailEnvelope } from './mail-schema.ts';
import { createZoneResolver } from './zone-resolver.ts';

export { EvalFileError } from '../message/evaluate.ts';

/** Longest JSON line read (bytes): a 10 MB mail, escaped in JSON, with room for \r\n and quotes. */
export const MAX_LINE_BYTES = 4 * MAX_MAIL_BYTES;
/** The recipient of a row whose envelope names none. */
export const DEFAULT_RCPT = 'user@example.jp';
/** Signals listed per false-positive / false-negative table. */
const TOP_SIGNALS = 15;
/** Deepest folder read under a label folder (a corpus split by year or month). */
const MAX_DEPTH = 8;

export type MailLabel = 'fraud' | 'legit';
/** The three levels a verdict is counted at: delivered with a warning, quarantined, refused. */
export const LEVELS = ['warn', 'hold', 'block'] as const;
export type Level = (typeof LEVELS)[number];

/** Label names accepted in rows and as folder names. */
const LABELS: Readonly<Record<string, MailLabel>> = {
  fraud: 'fraud',
  spam: 'fraud',
  phish: 'fraud',
  phishing: 'fraud',
  legit: 'legit',
  ham: 'legit',
};

/** One message to screen, or why one could not be read; `where` is `line N` or a path. */
export type MailEvalItem =
  | {
      readonly where: string;
      readonly label: MailLabel;
      readonly raw: string | Buffer;
      readonly envelope?: unknown;
      readonly receivedAt?: unknown;
      /** A group to report separately (`scripts/mail-compare.ts`: the corpus a row came from). */
      readonly group?: string;
    }
  | { readonly where: string; readonly error: string };

/** Precision, recall, FPR, F1 and the confusion matrix at one level; null where undefined. */
export interface LevelMetrics {
  precision: number | null;
  recall: number | null;
  fpr: number | null;
  f1: number | null;
  confusion: Confusion;
}

export interface MailGroupMetrics {
  counts: { n: number; fraud: number; legit: number };
  /** Flagged = action at least warn / hold / block. */
  at: Record<Level, LevelMetrics>;
  /** How many of each label got each action. */
  actions: Record<MailLabel, Partial<Record<Action, number>>>;
}

export interface MailEvalResult extends MailGroupMetrics {
  /** Per group (`scripts/mail-compare.ts`); empty for `mamoru eval mail`. */
  byGroup: Record<string, MailGroupMetrics>;
  /** The signals most often on legit mail flagged ≥ warn, and on fraud let through (allow). */
  topSignals: {
    falsePositives: { signal: string; count: number }[];
    falseNegatives: { signal: string; count: number }[];
  };
  throughput: { messages: number; seconds: number; perSecond: number | null; cpuMsPerMessage: number | null };
  rejected: { count: number; items: { where: string; reason: string }[] };
  dns: string;
  policy: string;
  note: { ja: string; en: string };
}

export interface MailEvalOptions {
  /** `'off'` (default): no DNS, every authentication check skipped; or a resolver (a zone file's). */
  readonly dns?: Pick<DnsResolver, 'resolve'> | 'off';
  /** How the DNS is described in the result (`off`, `zone:<file>`). */
  readonly dnsLabel?: string;
  /** Envelope fields for rows that give none (client IP, HELO, MAIL FROM, RCPT TO). */
  readonly envelope?: Partial<MailEnvelope>;
  /** Called with each screened item's verdict (the comparison script keeps the actions). */
  readonly onVerdict?: (item: Extract<MailEvalItem, { label: MailLabel }>, verdict: Verdict) => void;
}

/** Counts only, so memory stays constant however many messages come. */
class Group {
  readonly confusion: Record<Level, Confusion> = {
    warn: { tp: 0, fp: 0, tn: 0, fn: 0 },
    hold: { tp: 0, fp: 0, tn: 0, fn: 0 },
    block: { tp: 0, fp: 0, tn: 0, fn: 0 },
  };
  readonly actions: Record<MailLabel, Partial<Record<Action, number>>> = { fraud: {}, legit: {} };
  add(label: MailLabel, action: Action): void {
    for (const level of LEVELS) {
      const flagged = severity(action) >= severity(level);
      const c = this.confusion[level];
      if (label === 'fraud') flagged ? c.tp++ : c.fn++;
      else flagged ? c.fp++ : c.tn++;
    }
    const a = this.actions[label];
    a[action] = (a[action] ?? 0) + 1;
  }
  result(): MailGroupMetrics {
    const { tp, fp, tn, fn } = this.confusion.warn;
    const at = {} as Record<Level, LevelMetrics>;
    for (const level of LEVELS) {
      at[level] = { ...rates(this.confusion[level]), confusion: { ...this.confusion[level] } };
    }
    const ordered = (a: Partial<Record<Action, number>>) =>
      Object.fromEntries(ACTIONS.filter((x) => a[x] !== undefined).map((x) => [x, a[x]]));
    return {
      counts: { n: tp + fp + tn + fn, fraud: tp + fn, legit: fp + tn },
      at,
      actions: { fraud: ordered(this.actions.fraud), legit: ordered(this.actions.legit) },
    };
  }
}

/** One line of a byte stream: its text (UTF-8, invalid bytes as U+FFFD, a trailing CR removed) or `tooLong`. */
export type BoundedLine =
  | { readonly n: number; readonly text: string }
  | { readonly n: number; readonly tooLong: true };

/**
 * The lines of a byte stream (split on LF, numbered from 1), holding at most
 * `maxBytes` of one line: a longer line is skipped as it streams past and
 * reported as `tooLong`. A last line without a newline is a line; an empty
 * stream has none.
 */
export async function* boundedLines(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxBytes: number,
): AsyncGenerator<BoundedLine> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let skipping = false;
  let n = 0;
  // Bytes seen since the last LF (kept or skipped): the stream's last line has no newline.
  let pending = false;
  const finish = (): BoundedLine => {
    n++;
    pending = false;
    if (skipping) {
      skipping = false;
      return { n, tooLong: true };
    }
    const line = Buffer.concat(parts, size).toString('utf8');
    parts = [];
    size = 0;
    return { n, text: line.endsWith('\r') ? line.slice(0, -1) : line };
  };
  const take = (piece: Uint8Array) => {
    if (piece.byteLength === 0) return;
    pending = true;
    if (skipping) return;
    if (size + piece.byteLength > maxBytes) {
      skipping = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(piece);
    size += piece.byteLength;
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let lf = chunk.indexOf(0x0a); lf >= 0; lf = chunk.indexOf(0x0a, start)) {
      take(chunk.subarray(start, lf));
      yield finish();
      start = lf + 1;
    }
    // Copied: a stream may reuse its buffer for the next chunk.
    if (start < chunk.byteLength) take(Uint8Array.prototype.slice.call(chunk, start));
  }
  if (pending) yield finish();
}

/** The label a name stands for (`spam` → fraud, `ham` → legit), case-insensitive; undefined for none. */
export function labelOf(name: unknown): MailLabel | undefined {
  return typeof name === 'string' ? LABELS[name.trim().toLowerCase()] : undefined;
}

/**
 * The items of a JSON-lines file: `{"raw"|"rawBase64", "label", "envelope"?, "receivedAt"?}` a line.
 * Blank lines are skipped; a bad line is an item with its error.
 */
export async function* jsonLineItems(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<MailEvalItem> {
  for await (const line of boundedLines(chunks, MAX_LINE_BYTES)) {
    const where = `line ${line.n}`;
    if ('tooLong' in line) {
      yield {
        where,
        error: `行が長すぎます（${MAX_LINE_BYTES} バイト超）/ line longer than ${MAX_LINE_BYTES} bytes`,
      };
      continue;
    }
    const text = line.n === 1 ? line.text.replace(/^\uFEFF/, '') : line.text;
    if (text.trim() === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      yield { where, error: 'JSON ではありません / not valid JSON' };
      continue;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      yield { where, error: 'JSON オブジェクトではありません / not a JSON object' };
      continue;
    }
    const row = o as Record<string, unknown>;
    const label = labelOf(row.label);
    if (label === undefined) {
      yield { where, error: 'label は fraud か legit です / label: must be fraud or legit' };
      continue;
    }
    let raw: string | Buffer;
    if (typeof row.raw === 'string' && row.raw.length > 0) raw = row.raw;
    else if (typeof row.rawBase64 === 'string' && row.rawBase64.length > 0)
      raw = Buffer.from(row.rawBase64, 'base64');
    else {
      yield { where, error: 'raw（または rawBase64）がありません / raw: missing (or rawBase64)' };
      continue;
    }
    yield {
      where,
      label,
      raw,
      ...(row.envelope !== undefined ? { envelope: row.envelope } : {}),
      ...(row.receivedAt !== undefined ? { receivedAt: row.receivedAt } : {}),
    };
  }
}

/** The `.eml` files under a folder (sorted, depth-first, at most {@link MAX_DEPTH} deep), as paths. */
async function* emlFiles(dir: string, depth = 0): AsyncGenerator<string> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (depth < MAX_DEPTH) yield* emlFiles(path, depth + 1);
    } else if (e.isFile() && e.name.toLowerCase().endsWith('.eml')) yield path;
  }
}

/**
 * The items of a folder of label folders (`fraud/`, `spam/`, `phish/`,
 * `phishing/`, `legit/`, `ham/`) of `.eml` files, read one file at a time;
 * a file over the mail size limit or unreadable is an item with its error.
 */
export async function* directoryItems(root: string): AsyncGenerator<MailEvalItem> {
  const folders = (await readdir(root, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && labelOf(e.name) !== undefined)
    .map((e) => e.name)
    .sort();
  if (folders.length === 0) {
    throw new EvalFileError(
      `ラベルのフォルダ（fraud/ と legit/、または spam/ と ham/）がありません: ${root} / no label folders (fraud/ and legit/, or spam/ and ham/) in ${root}`,
    );
  }
  for (const folder of folders) {
    const label = labelOf(folder) as MailLabel;
    for await (const path of emlFiles(join(root, folder))) {
      const where = relative(root, path);
      try {
        const info = await stat(path);
        if (info.size > MAX_MAIL_BYTES) {
          yield {
            where,
            error: `メールが大きすぎます（${MAX_MAIL_BYTES} バイト超）/ message larger than ${MAX_MAIL_BYTES} bytes`,
          };
          continue;
        }
        if (info.size === 0) {
          yield { where, error: '空のファイルです / empty file' };
          continue;
        }
        const handle = await open(path, 'r');
        try {
          yield { where, label, raw: await handle.readFile() };
        } finally {
          await handle.close();
        }
      } catch (error) {
        yield { where, error: `読めません / cannot read: ${(error as Error).message}`.slice(0, 300) };
      }
    }
  }
}

/**
 * Screens items through the whole mail channel on an empty database and counts the verdicts at
 * the three levels: what `mamoru eval mail` and `scripts/mail-compare.ts` do. Items are screened
 * one at a time, in order; memory is the counts, whatever the number of items.
 *
 * @example const r = await evaluateMailItems(jsonLineItems(createReadStream('mail.jsonl'))); r.at.hold.recall
 */
export async function evaluateMailItems(
  items: AsyncIterable<MailEvalItem> | Iterable<MailEvalItem>,
  options: MailEvalOptions = {},
): Promise<MailEvalResult> {
  const hasher = createKeyedHasher(randomBytes(32));
  const mail = createMailChannel(
    {
      db: emptyDatabase(),
      hasher,
      decisions: { loggedEvent: async () => undefined },
      intel: {
        add: async () => {
          throw new Error('mamoru eval writes no indicators');
        },
      },
    },
    { dns: options.dns ?? 'off', authServId: 'mamoru-eval.invalid' },
  );
  const engine = createEngine({ channels: [mail] });
  const document = policyDocumentSchema.parse(mail.defaultPolicy);
  const policy: PolicyRef = { version: 0, document };
  const tools = createExtractTools(hasher);
  const intel: IntelLookup = { lookup: async () => [] };
  const defaults = options.envelope ?? {};

  const all = new Group();
  const byGroup = new Map<string, Group>();
  const fpSignals = new Map<string, number>();
  const fnSignals = new Map<string, number>();
  const rejected: MailEvalResult['rejected'] = { count: 0, items: [] };
  const reject = (where: string, reason: string) => {
    rejected.count++;
    if (rejected.items.length < MAX_REPORTED_REJECTS) rejected.items.push({ where, reason });
  };
  const bump = (map: Map<string, number>, verdict: Verdict) => {
    for (const signal of new Set(verdict.hits.map((h) => h.signal)))
      map.set(signal, (map.get(signal) ?? 0) + 1);
  };

  let screened = 0;
  let seconds = 0;
  let cpuMicros = 0;
  let n = 0;
  for await (const item of items) {
    n++;
    if ('error' in item) {
      reject(item.where, item.error);
      continue;
    }
    const given =
      item.envelope === undefined
        ? {}
        : typeof item.envelope === 'object' && item.envelope !== null && !Array.isArray(item.envelope)
          ? (item.envelope as Record<string, unknown>)
          : undefined;
    if (given === undefined) {
      reject(item.where, 'envelope は JSON オブジェクトです / envelope: must be an object');
      continue;
    }
    const envelope = envelopeSchema.safeParse({ rcptTo: [DEFAULT_RCPT], ...defaults, ...given });
    if (!envelope.success) {
      const issue = envelope.error.issues[0];
      reject(
        item.where,
        `envelope.${issue?.path.join('.') ?? ''}: 値が不正です / ${issue?.message ?? 'invalid'}`,
      );
      continue;
    }
    const payload = mail.schema.safeParse({
      ...(typeof item.raw === 'string' ? { raw: item.raw } : { rawBase64: item.raw.toString('base64') }),
      envelope: envelope.data,
      ...(item.receivedAt !== undefined ? { receivedAt: item.receivedAt } : {}),
    });
    if (!payload.success) {
      const issue = payload.error.issues[0];
      reject(item.where, `${issue?.path.join('.') || 'row'}: 値が不正です / ${issue?.message ?? 'invalid'}`);
      continue;
    }
    const started = performance.now();
    const cpu = process.cpuUsage();
    let verdict: Verdict;
    try {
      verdict = await engine.evaluate({
        event: {
          id: `eval_${n}`,
          orgId: 'eval',
          channel: 'mail',
          receivedAt: payload.data.receivedAt ?? new Date().toISOString(),
          payload: payload.data,
        },
        policy,
        tools,
        intel,
      });
    } catch (error) {
      // A message the channel cannot screen is a finding, reported with its place, not a crash.
      reject(item.where, `審査できません / screening failed: ${(error as Error).message}`.slice(0, 300));
      continue;
    }
    const used = process.cpuUsage(cpu);
    cpuMicros += used.user + used.system;
    seconds += (performance.now() - started) / 1000;
    screened++;
    all.add(item.label, verdict.action);
    if (item.group !== undefined) {
      let g = byGroup.get(item.group);
      if (g === undefined) {
        g = new Group();
        byGroup.set(item.group, g);
      }
      g.add(item.label, verdict.action);
    }
    if (item.label === 'legit' && verdict.action !== 'allow') bump(fpSignals, verdict);
    if (item.label === 'fraud' && verdict.action === 'allow') bump(fnSignals, verdict);
    options.onVerdict?.(item, verdict);
  }
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_SIGNALS)
      .map(([signal, count]) => ({ signal, count }));
  return {
    ...all.result(),
    byGroup: Object.fromEntries([...byGroup].map(([k, g]) => [k, g.result()])),
    topSignals: { falsePositives: top(fpSignals), falseNegatives: top(fnSignals) },
    throughput: {
      messages: screened,
      seconds,
      perSecond: seconds > 0 ? screened / seconds : null,
      cpuMsPerMessage: screened > 0 ? cpuMicros / 1000 / screened : null,
    },
    rejected,
    dns: options.dnsLabel ?? (options.dns === undefined || options.dns === 'off' ? 'off' : 'resolver'),
    policy: document.id,
    note: {
      ja: '各メールをメールチャネル全体（認証、文面モデル、リンク、送信者、添付、評判）と既定ポリシーで審査しました。データベースは空です（送信者の評判の履歴や登録済みの指標はなく、何も保存しません）。DNS が off のとき SPF・DKIM・DMARC・ARC・BIMI の検査は行いません。at.warn は警告付き配送以上、at.hold は隔離以上、at.block は受信拒否（550）を検知とみなした指標です。throughput は審査だけの時間と CPU です（読み込みを除く）。',
      en: 'Every mail was screened by the whole mail channel (authentication, content model, links, sender, attachments, reputation) under the default policy on an EMPTY database: no sender history, no listed indicators, nothing stored. With DNS off no SPF, DKIM, DMARC, ARC or BIMI check runs. at.warn counts a mail flagged when delivered with a warning or worse, at.hold when quarantined or worse, at.block when refused (550). throughput is the screening alone (wall time and process CPU), not the reading.',
    },
  };
}

/** Refuses a path that is neither a readable file nor a folder (the CLI exits 2). */
async function kindOf(path: string): Promise<'file' | 'directory'> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'directory';
    if (info.isFile()) {
      const handle = await open(path, 'r');
      await handle.close();
      return 'file';
    }
    throw new Error('not a file or folder');
  } catch (error) {
    throw new EvalFileError(
      `ファイルを読めません: ${path}（${(error as Error).message}）/ cannot read the file ${path}`,
    );
  }
}

/**
 * Screens a JSON-lines file or a folder of labelled `.eml` files (see the module comment).
 *
 * @example const r = await evaluateMailPath('labelled.jsonl'); r.at.warn.fpr; r.actions.legit.hold
 */
export async function evaluateMailPath(path: string, options: MailEvalOptions = {}): Promise<MailEvalResult> {
  const kind = await kindOf(path);
  if (kind === 'directory') return evaluateMailItems(directoryItems(path), options);
  return evaluateMailItems(jsonLineItems(createReadStream(path)), options);
}

/** What `--dns` / `--zone` ask for: DNS off, or a resolver over a zone file's records. */
export async function mailEvalDns(options: {
  readonly dns?: string;
  readonly zone?: string;
}): Promise<{ dns: Pick<DnsResolver, 'resolve'> | 'off'; label: string }> {
  if (options.zone !== undefined) {
    let text: string;
    try {
      text = await readFile(options.zone, 'utf8');
    } catch (error) {
      throw new EvalFileError(
        `ゾーンファイルを読めません: ${options.zone}（${(error as Error).message}）/ cannot read the zone file ${options.zone}`,
      );
    }
    try {
      return { dns: createZoneResolver(text), label: `zone:${options.zone}` };
    } catch (error) {
      throw new EvalFileError(
        `ゾーンファイルが不正です: ${options.zone}: ${(error as Error).message} / invalid zone file ${options.zone}`,
      );
    }
  }
  if (options.dns === undefined || options.dns === 'off') return { dns: 'off', label: 'off' };
  throw new EvalFileError(
    `--dns は off だけです（DNS を使うときは --zone <ファイル>）/ --dns takes only off (use --zone <file> for DNS answers)`,
  );
}

/** `--envelope <json>`: defaults for rows without an envelope; throws naming the field that is wrong. */
export function parseEnvelopeOption(json: string): Partial<MailEnvelope> {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    throw new EvalFileError('--envelope は JSON オブジェクトです / --envelope must be a JSON object');
  }
  const parsed = envelopeSchema.partial().safeParse(o);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EvalFileError(
      `--envelope.${issue?.path.join('.') ?? ''}: 値が不正です / invalid: ${issue?.message ?? ''}`,
    );
  }
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
}
