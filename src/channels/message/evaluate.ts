/**
 * `mamoru eval message <file.jsonl>` (issue 9, "must show"; measures I1, I3):
 * measures the whole message channel — every detector the engine runs, with
 * the model, URL, sender, call-back, recruitment and intel checks — on
 * anyone's labelled messages, so a carrier can check Mamoru on its own traffic
 * before switching it on.
 *
 * Input: JSON lines `{"text", "label": "fraud"|"legit", "kind"?, "sender"?}`,
 * read as a stream (bounded memory: a million lines work). Each row is
 * screened in process by `createMessageChannel` and `createEngine` on an EMPTY
 * database (a Kysely DummyDriver: every query answers no rows), so the
 * campaign and subscriber enrichments find nothing and no intel is listed:
 * the figures are those of a fresh installation. A row is flagged when the
 * action is not `allow`. Bad lines are counted, the first 20 reported with
 * their line numbers and why; reading never throws on content.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import {
  type Action,
  createEngine,
  type PolicyDocument,
  type PolicyRef,
  policyDocumentSchema,
} from '../../core/index.ts';
import { createExtractTools } from '../../intel/extract-tools.ts';
import { createKeyedHasher } from '../../intel/keyed-hash.ts';
import { type Confusion, rates } from '../../ml/metrics.ts';
import { emptyDatabase } from '../../store/empty-db.ts';
import { createMessageChannel } from './index.ts';
import { MESSAGE_KINDS } from './message-schema.ts';

/** Rejected lines reported one by one (the rest are counted). */
export const MAX_REPORTED_REJECTS = 20;
/** Longest line read: a text is at most 100,000 characters; JSON escapes can multiply it. */
const MAX_LINE = 1_000_000;
/** The sender of a row that names none: an ordinary Japanese mobile number. */
export const DEFAULT_SENDER = '+819012345678';

export interface GroupMetrics {
  counts: { n: number; fraud: number; legit: number };
  precision: number | null;
  recall: number | null;
  fpr: number | null;
  f1: number | null;
  confusion: Confusion;
  actions: Partial<Record<Action, number>>;
}

export interface MessageEvalResult extends GroupMetrics {
  byKind: Record<string, GroupMetrics>;
  rejected: { count: number; lines: { line: number; reason: string }[] };
  policy: string;
  note: { ja: string; en: string };
}

/** A file that cannot be read (missing, a folder, no permission): the CLI exits 2. */
export class EvalFileError extends Error {
  readonly code = 'EVAL_FILE_UNREADABLE';
}

/** Counts only (no row kept): memory stays constant however long the file is. */
class Group {
  readonly confusion: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  readonly actions: Partial<Record<Action, number>> = {};
  add(fraud: boolean, action: Action): void {
    const flagged = action !== 'allow';
    const c = this.confusion;
    if (fraud) flagged ? c.tp++ : c.fn++;
    else flagged ? c.fp++ : c.tn++;
    this.actions[action] = (this.actions[action] ?? 0) + 1;
  }
  result(): GroupMetrics {
    const { tp, fp, tn, fn } = this.confusion;
    return {
      counts: { n: tp + fp + tn + fn, fraud: tp + fn, legit: fp + tn },
      ...rates(this.confusion),
      confusion: { ...this.confusion },
      actions: this.actions,
    };
  }
}

async function readable(path: string, what: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      if (!(await handle.stat()).isFile()) throw new Error('not a file');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new EvalFileError(
      `${what}を読めません: ${path}（${why}）/ cannot read the ${what === 'ファイル' ? 'file' : 'policy file'} ${path}`,
    );
  }
}

/** Reads a policy document for the message channel (`--policy`); throws naming what is wrong. */
async function readPolicy(path: string): Promise<PolicyDocument> {
  await readable(path, 'ポリシーファイル');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new Error(`ポリシーファイルが JSON ではありません: ${path} / the policy file is not JSON: ${path}`);
  }
  const parsed = policyDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `ポリシーが不正です: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''} / invalid policy: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`,
    );
  }
  if (parsed.data.channel !== 'message') {
    throw new Error('ポリシーの channel は message です / the policy must be for channel message');
  }
  return parsed.data;
}

/**
 * Screens every row of a labelled JSON-lines file through the message channel.
 *
 * @example const r = await evaluateMessageFile('traffic.jsonl'); r.recall; r.fpr; r.actions.block
 */
export async function evaluateMessageFile(
  path: string,
  options: { readonly policyFile?: string } = {},
): Promise<MessageEvalResult> {
  await readable(path, 'ファイル');
  const policy = options.policyFile === undefined ? undefined : await readPolicy(options.policyFile);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  return evaluateMessageLines(lines, { policy });
}

/**
 * Screens labelled JSON lines (`{"text", "label", "kind"?, "sender"?}`, one a line, numbered from 1)
 * through the message channel on an empty database, under `policy` (the channel's default when
 * absent): what `evaluateMessageFile` does with a file's lines, and `npm run eval` with the held-out
 * rows. Keeps counts only, so memory stays constant however many lines come.
 */
export async function evaluateMessageLines(
  lines: AsyncIterable<string> | Iterable<string>,
  options: { readonly policy?: PolicyDocument | undefined } = {},
): Promise<MessageEvalResult> {
  const hasher = createKeyedHasher(randomBytes(32));
  const message = createMessageChannel({
    db: emptyDatabase(),
    hasher,
    decisions: { loggedEvent: async () => undefined },
    intel: {
      add: async () => {
        throw new Error('mamoru eval writes no indicators');
      },
    },
  });
  const engine = createEngine({ channels: [message] });
  const document = options.policy ?? policyDocumentSchema.parse(message.defaultPolicy);
  const policy: PolicyRef = { version: 0, document };
  const tools = createExtractTools(hasher);
  const intel = { lookup: async () => [] };

  const all = new Group();
  const byKind = new Map<string, Group>();
  const rejected: MessageEvalResult['rejected'] = { count: 0, lines: [] };
  const reject = (line: number, reason: string) => {
    rejected.count++;
    if (rejected.lines.length < MAX_REPORTED_REJECTS) rejected.lines.push({ line, reason });
  };
  const kinds = new Set<string>(MESSAGE_KINDS);
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    if (line.length > MAX_LINE) {
      reject(lineNo, `line longer than ${MAX_LINE} characters / 行が長すぎます`);
      continue;
    }
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      reject(lineNo, 'not valid JSON / JSON ではありません');
      continue;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      reject(lineNo, 'not a JSON object / JSON オブジェクトではありません');
      continue;
    }
    const row = o as Record<string, unknown>;
    if (row.label !== 'fraud' && row.label !== 'legit') {
      reject(lineNo, 'label: must be fraud or legit / label は fraud か legit です');
      continue;
    }
    const kind = row.kind ?? 'sms';
    if (typeof kind !== 'string' || !kinds.has(kind)) {
      reject(lineNo, `kind: must be one of ${MESSAGE_KINDS.join(', ')} / kind が不正です`);
      continue;
    }
    const payload = message.schema.safeParse({
      kind,
      sender: row.sender ?? DEFAULT_SENDER,
      text: row.text,
    });
    if (!payload.success) {
      const issue = payload.error.issues[0];
      reject(lineNo, `${issue?.path.join('.') || 'row'}: 値が不正です / ${issue?.message ?? 'invalid'}`);
      continue;
    }
    const verdict = await engine.evaluate({
      event: {
        id: `eval_${lineNo}`,
        orgId: 'eval',
        channel: 'message',
        receivedAt: new Date(0).toISOString(),
        payload: payload.data,
      },
      policy,
      tools,
      intel,
    });
    const fraud = row.label === 'fraud';
    all.add(fraud, verdict.action);
    let g = byKind.get(kind);
    if (g === undefined) {
      g = new Group();
      byKind.set(kind, g);
    }
    g.add(fraud, verdict.action);
  }
  return {
    ...all.result(),
    byKind: Object.fromEntries([...byKind].map(([k, g]) => [k, g.result()])),
    rejected,
    policy: document.id,
    note: {
      ja: '各行をメッセージチャネル全体（文面モデル、URL、送信元、電話誘導、求人の検知と intel 照合）で審査しました。データベースは空です（キャンペーン・購読者の情報や登録済みの指標はありません）。action が allow 以外を検知とみなします。sender のない行は日本の携帯番号 +819012345678 からの SMS として審査しました。',
      en: 'Every row was screened by the whole message channel (content model, URL, sender, call-back and recruitment checks, intel lookups) on an EMPTY database: no campaign or subscriber history and no listed indicators. Flagged = action other than allow. Rows without a sender were screened as from the Japanese mobile number +819012345678.',
    },
  };
}
