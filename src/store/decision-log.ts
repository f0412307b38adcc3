import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import { invalidField, type Verdict } from '../core/index.ts';
import { canonicalJson, canonicalStringify } from './canonical-json.ts';
import { auditDecisionLog } from './decision-audit.ts';
import { decisionHash, GENESIS_HASH } from './decision-hash.ts';
import { storableJson } from './json-text.ts';
import type { Database } from './schema.ts';
import {
  type AuditOptions,
  type AuditReport,
  DECISION_SCAN_LIMIT,
  type DecisionLog,
  type DecisionQuery,
  type DecisionRecord,
} from './store.ts';

/** Advisory lock key that serialises the appends that find no chain head yet (the first ones), across processes. */
const CHAIN_LOCK = 0x6d616d6f7275; // 'mamoru'
/** Most queued appends written in one batch. */
const MAX_BATCH = 1000;
/** Rows per INSERT statement (all of them in its one jsonb parameter). */
const INSERT_CHUNK = 1000;
/** Tries of the one-statement append before taking the head row's lock (another process kept appending). */
const OPTIMISTIC_TRIES = 3;
/** SQLSTATE of a transaction that lost to a concurrent one (isolation above read committed). */
const SERIALIZATION_FAILURE = '40001';
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
// Latest instant both drivers write and read back unchanged (9999-12-31T23:59:59.999Z).
const MAX_TIME = 253_402_300_799_999;

/**
 * A decision checked and serialised, ready to be chained. `verdictText` and
 * `eventText` are canonical JSON: the text stored, and the text hashed.
 */
interface Prepared {
  readonly id: string;
  readonly orgId: string;
  readonly channel: string;
  readonly eventId: string;
  readonly action: string;
  readonly score: number;
  readonly createdAt: string;
  readonly verdictText: string;
  readonly eventText: string;
  /** The verdict's text is the caller's verdict, serialised (not changed to be storable): it can answer for it. */
  readonly verdictAsGiven: boolean;
}

interface Waiter {
  readonly item: Prepared;
  readonly resolve: (record: DecisionRecord) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The decision log (X1, retention and audited export of records): every
 * verdict, append-only and hash-chained. Row `seq` carries the SHA-256 of its
 * content and of row `seq - 1`'s hash (see `decisionHash`), and the
 * `decision_chain` head records the last seq and hash, so `verify` names any
 * row edited or deleted behind the application's back.
 *
 * The chain is linear across processes: a batch is one statement that
 * inserts its rows only if the head row still holds the head the batch was
 * chained on, and moves it (no transaction, one round trip); a writer that
 * lost that race reads the head again, and after a few losses writes under
 * the head row's lock (`select … for update`; an advisory lock while there
 * is no head yet: the first appends all take the lock). `append` commits in
 * groups: calls that arrive while a write is running wait and are written
 * together in the next batch, so many concurrent requests cost few
 * statements.
 *
 * Verdict and event are serialised once, as canonical JSON (`canonicalJson`):
 * that text is both what the row stores and what its hash covers, sent with
 * the whole batch as one jsonb parameter. Text that jsonb cannot hold (NUL,
 * unpaired surrogates) is stored as U+FFFD.
 *
 * @example
 * const record = await store.decisions.append(verdict, event);
 * const report = await store.decisions.verify(); // report.ok, report.findings
 */
export class SqlDecisionLog implements DecisionLog {
  readonly #db: Kysely<Database>;
  readonly #queue: Waiter[] = [];
  /** The head this log last wrote or read: the next batch is chained on it (undefined: read it first). */
  #head: Head | undefined;
  #draining: Promise<void> | undefined;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  append(verdict: Verdict, event: unknown): Promise<DecisionRecord> {
    let item: Prepared;
    try {
      item = prepare(verdict, event);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Append all in one transaction, in order, with consecutive seqs. */
  async appendMany(items: readonly { verdict: Verdict; event: unknown }[]): Promise<DecisionRecord[]> {
    const prepared = items.map((i) => prepare(i.verdict, i.event));
    return prepared.length === 0 ? [] : this.#write(prepared);
  }

  async get(orgId: string, id: string): Promise<DecisionRecord | undefined> {
    const row = await this.#db
      .selectFrom('decisions')
      .select(['seq', 'verdict', 'event', 'hash', 'prev_hash'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  /** The event a decision of `channel` logged (`DecisionReader`: what a channel reads of the log). */
  async loggedEvent(orgId: string, id: string, channel: string): Promise<unknown> {
    const row = await this.#db
      .selectFrom('decisions')
      .select('event')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('channel', '=', channel)
      .executeTakeFirst();
    return row?.event;
  }

  /** The organisation's decisions, newest first; page on with `beforeSeq` = the last seq seen. */
  async list(orgId: string, query: DecisionQuery = {}): Promise<DecisionRecord[]> {
    const wanted = Math.trunc(query.limit ?? DEFAULT_LIMIT);
    const limit = Number.isFinite(wanted) ? Math.min(Math.max(wanted, 1), MAX_LIMIT) : DEFAULT_LIMIT;
    if (query.beforeSeq !== undefined && !Number.isSafeInteger(query.beforeSeq))
      throw invalidField('beforeSeq', 'must be an integer');
    let q = this.#db
      .selectFrom('decisions')
      .select(['seq', 'verdict', 'event', 'hash', 'prev_hash'])
      .where('org_id', '=', orgId);
    if (query.channel !== undefined) q = q.where('channel', '=', query.channel);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.beforeSeq !== undefined) q = q.where('seq', '<', query.beforeSeq);
    if (query.eventId !== undefined) q = q.where('event_id', '=', query.eventId);
    if (query.from !== undefined) {
      const from = instant(query.from, 'from');
      q = q.where('created_at', '>=', from).where('seq', '>=', await seqFloor(this.#db, orgId, from));
    }
    if (query.to !== undefined) q = q.where('created_at', '<', instant(query.to, 'to'));
    if (query.signal !== undefined) {
      const wanted = JSON.stringify([{ signal: query.signal }]);
      q = q.where(sql<boolean>`verdict->'hits' @> ${wanted}::jsonb`);
    }
    if (query.indicator !== undefined) {
      const { type, value } = query.indicator;
      const wanted = JSON.stringify([type === undefined ? { value } : { type, value }]);
      q = q.where(sql<boolean>`verdict->'indicators' @> ${wanted}::jsonb`);
    }
    // A search in the verdicts without a time window walks the newest rows only (no index serves it).
    if ((query.signal !== undefined || query.indicator !== undefined) && query.from === undefined) {
      let newest = this.#db
        .selectFrom('decisions')
        .select('seq')
        .where('org_id', '=', orgId)
        .orderBy('seq', 'desc')
        .offset(DECISION_SCAN_LIMIT - 1)
        .limit(1);
      if (query.channel !== undefined) newest = newest.where('channel', '=', query.channel);
      q = q.where('seq', '>=', sql<number>`coalesce((${newest}), 0)`);
    }
    const rows = await q.orderBy('seq', 'desc').limit(limit).execute();
    return rows.map(toRecord);
  }

  verify(options?: AuditOptions): Promise<AuditReport> {
    return auditDecisionLog(this.#db, options);
  }

  /** Resolves when every append accepted so far is written (or has failed); `close` waits on it. */
  async settled(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    // Wait for the end of this turn of the event loop, so that every request that arrived in it joins the
    // batch: PGlite can run a whole transaction without yielding to I/O, so no caller would arrive during a flush.
    await nextTurn();
    try {
      while (this.#queue.length > 0) await this.#flush(this.#queue.splice(0, MAX_BATCH));
    } finally {
      this.#draining = undefined;
    }
  }

  async #flush(batch: readonly Waiter[]): Promise<void> {
    try {
      const records = await this.#write(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(records[i]!);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One row the database refuses must not fail its neighbours: write each alone so that only it fails.
      for (const w of batch) {
        try {
          w.resolve((await this.#write([w.item]))[0]!);
        } catch (single) {
          w.reject(single);
        }
      }
    }
  }

  /**
   * Write a batch. Usually one statement, no transaction: the rows are chained
   * on the head this log last saw, and inserted only if the head row still
   * holds it, moving it in the same statement. Another process that appended
   * meanwhile makes the statement write nothing; then the head is read again
   * and the batch chained anew. After a few such losses (many writers), for
   * a batch larger than one statement, and before the first decision, the
   * batch is written under the head row's lock (or the advisory lock) instead.
   */
  async #write(items: readonly Prepared[]): Promise<DecisionRecord[]> {
    if (items.length <= INSERT_CHUNK) {
      for (let attempt = 0; attempt < OPTIMISTIC_TRIES; attempt++) {
        this.#head ??= await readHead(this.#db);
        const expected = this.#head;
        // Before the first decision there is no head row to compare and swap: the first appends take the lock.
        if (!expected.stored) break;
        const chained = chain(items, expected);
        if (await appendIfHead(this.#db, chained, expected)) {
          this.#head = chained.head;
          return chained.records;
        }
        this.#head = undefined;
      }
    }
    const written = await this.#db.transaction().execute(async (trx) => {
      // The head row, locked: a concurrent append (from any process) waits here, then reads the head the one
      // before it wrote. Before the first decision there is no row to lock: take the advisory lock, and read
      // again in a new statement, which sees a head committed while waiting.
      let head = await readHead(trx, true);
      if (!head.stored) {
        await sql`select pg_advisory_xact_lock(${sql.lit(CHAIN_LOCK)})`.execute(trx);
        head = await readHead(trx, true);
      }
      const chained = chain(items, head);
      for (let i = 0; i < chained.rows.length; i += INSERT_CHUNK) {
        const insert = insertRows(chained.rows.slice(i, i + INSERT_CHUNK));
        if (i + INSERT_CHUNK < chained.rows.length) await insert.execute(trx);
        // The last chunk moves the chain head in the same statement.
        else
          await sql`with inserted as (${insert} returning 1)
            insert into decision_chain (id, last_seq, last_hash)
            values (1, ${chained.head.seq}, ${chained.head.hash})
            on conflict (id) do update set last_seq = excluded.last_seq, last_hash = excluded.last_hash`.execute(
            trx,
          );
      }
      return chained;
    });
    this.#head = written.head;
    return written.records;
  }
}

/** The chain head: the last seq and hash; `stored` is false before the first decision (no head row yet). */
interface Head {
  readonly seq: number;
  readonly hash: string;
  readonly stored: boolean;
}

/** A batch chained on a head: its rows as JSON text, its records, and the head after it. */
interface Chained {
  readonly rows: readonly string[];
  readonly records: DecisionRecord[];
  readonly head: Head;
}

async function readHead(db: Kysely<Database>, lock = false): Promise<Head> {
  const q = db.selectFrom('decision_chain').select(['last_seq', 'last_hash']).where('id', '=', 1);
  const row = await (lock ? q.forUpdate() : q).executeTakeFirst();
  return row
    ? { seq: Number(row.last_seq), hash: row.last_hash, stored: true }
    : { seq: 0, hash: GENESIS_HASH, stored: false };
}

/** Give each item its seq and hash after `head`, in order. */
function chain(items: readonly Prepared[], head: Head): Chained {
  let seq = head.seq;
  let prevHash = head.hash;
  const rows: string[] = [];
  const records: DecisionRecord[] = [];
  for (const p of items) {
    seq += 1;
    const hash = decisionHash({
      seq,
      id: p.id,
      orgId: p.orgId,
      channel: p.channel,
      eventId: p.eventId,
      action: p.action,
      score: p.score,
      verdict: p.verdictText,
      event: p.eventText,
      createdAt: p.createdAt,
      prevHash,
    });
    // One JSON object per row, with the verdict and event texts as they are: nothing is serialised twice.
    rows.push(
      `{"seq":${seq},"id":${q(p.id)},"org_id":${q(p.orgId)},"channel":${q(p.channel)},` +
        `"event_id":${q(p.eventId)},"action":${q(p.action)},"score":${p.score},` +
        `"verdict":${p.verdictText},"event":${p.eventText},"created_at":"${p.createdAt}",` +
        `"prev_hash":"${prevHash}","hash":"${hash}"}`,
    );
    records.push(record(seq, hash, prevHash, p));
    prevHash = hash;
  }
  return { rows, records, head: { seq, hash: prevHash, stored: true } };
}

/** An INSERT of rows (JSON objects as `chain` writes them), all in one jsonb parameter; `where` filters them. */
function insertRows(rows: readonly string[], where = sql``) {
  // `->` keeps a JSON null a jsonb null (jsonb_to_recordset would make it SQL NULL).
  return sql`insert into decisions
      (seq, id, org_id, channel, event_id, action, score, verdict, event, created_at, prev_hash, hash)
    select (e->>'seq')::bigint, e->>'id', e->>'org_id', e->>'channel', e->>'event_id', e->>'action',
      (e->>'score')::double precision, e->'verdict', e->'event', (e->>'created_at')::timestamptz,
      e->>'prev_hash', e->>'hash'
    from jsonb_array_elements(${`[${rows.join(',')}]`}::jsonb) as e ${where}`;
}

/**
 * One statement: move the head from `expected` to the batch's last row and
 * insert the batch, or (the head is no longer `expected`) do neither. Under
 * read committed, a concurrent append makes the head update wait for it and
 * then find the row changed (the insert's `exists` is evaluated once, after
 * the update); under repeatable read or serializable the same loss is a
 * serialization failure. True when the batch was written.
 */
async function appendIfHead(db: Kysely<Database>, chained: Chained, expected: Head): Promise<boolean> {
  const to = chained.head;
  try {
    const { rows } = await sql<{ n: number }>`with head as (
        update decision_chain set last_seq = ${to.seq}, last_hash = ${to.hash}
        where id = 1 and last_seq = ${expected.seq} and last_hash = ${expected.hash} returning 1),
      inserted as (${insertRows(chained.rows, sql`where exists (select 1 from head)`)} returning 1)
      select count(*)::int as n from inserted`.execute(db);
    return rows[0]?.n === chained.rows.length;
  } catch (error) {
    if ((error as { code?: unknown }).code === SERIALIZATION_FAILURE) return false;
    throw error;
  }
}

const q = JSON.stringify;

/** The record of an appended row; verdict and event are parsed from the stored text only when read. */
function record(seq: number, hash: string, prevHash: string, p: Prepared): DecisionRecord {
  let verdict: Verdict | undefined;
  let event: { readonly value: unknown } | undefined;
  const appended: DecisionRecord = {
    seq,
    get verdict(): Verdict {
      verdict ??= JSON.parse(p.verdictText) as Verdict;
      return verdict;
    },
    get event(): unknown {
      event ??= { value: JSON.parse(p.eventText) };
      return event.value;
    },
    hash,
    prevHash,
  };
  // Not enumerable: the record equals the one read back, which has no text (it is the answer's, not the row's).
  if (p.verdictAsGiven) Object.defineProperty(appended, 'verdictJson', { value: p.verdictText });
  return appended;
}

function prepare(verdict: Verdict, event: unknown): Prepared {
  if (typeof verdict !== 'object' || verdict === null) throw invalidField('verdict', 'must be an object');
  for (const field of ['id', 'orgId', 'channel', 'eventId', 'action'] as const) {
    const value: unknown = verdict[field];
    if (typeof value !== 'string' || value === '')
      throw invalidField(`verdict.${field}`, 'must be a non-empty string');
  }
  if (typeof verdict.score !== 'number' || !Number.isFinite(verdict.score))
    throw invalidField('verdict.score', 'must be a finite number');
  const createdAt = new Date(verdict.createdAt);
  const time = createdAt.getTime();
  if (!(time >= 0 && time <= MAX_TIME)) throw invalidField('verdict.createdAt', 'must be an ISO 8601 time');
  // Chain what the database will give back, not the caller's object (no undefined, no Dates, no class
  // instances): canonicalJson writes a value as the JSON.parse of its JSON.stringify would be written.
  const [verdictText, verdictChanged] = storedText(verdict, 'verdict');
  const [eventText] = storedText(event ?? null, 'event');
  // The columns repeat fields of the verdict: take them from the stored value when it is not the caller's.
  const stored =
    verdictChanged || typeof (verdict as { toJSON?: unknown }).toJSON === 'function'
      ? (JSON.parse(verdictText) as Verdict)
      : verdict;
  return {
    id: stored.id,
    orgId: stored.orgId,
    channel: stored.channel,
    eventId: stored.eventId,
    action: stored.action,
    score: stored.score,
    createdAt: createdAt.toISOString(),
    verdictText,
    eventText,
    verdictAsGiven: !verdictChanged,
  };
}

/** Canonical JSON of a value as jsonb will hold it, and whether that changed the value (U+FFFD). */
function storedText(value: unknown, field: string): [text: string, changed: boolean] {
  let text: string | undefined;
  try {
    text = canonicalStringify(value);
  } catch (error) {
    throw invalidField(field, `is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (text === undefined) throw invalidField(field, 'is not a JSON value');
  const storable = storableJson(text);
  // Rare: NUL or an unpaired surrogate became U+FFFD; write the changed value's own canonical text.
  return storable === text ? [text, false] : [canonicalJson(JSON.parse(storable)), true];
}

/**
 * How much earlier than the instant asked for `seqFloor` starts: decisions
 * are appended in about the order they were made, not exactly (batches,
 * several processes), so the floor leaves an hour of margin.
 */
const FLOOR_SLACK_MS = 3_600_000;

/**
 * A seq below which the organisation has no decision made at or after `at`
 * (less an hour's margin): a query on a time window adds `seq >= floor` and
 * walks the `(org_id, seq)` index from there instead of the whole log (there
 * is no index on the decision time, and none is added: appends must stay
 * cheap). A binary search over seq, about 40 index probes at most.
 */
export async function seqFloor(db: Kysely<Database>, orgId: string, at: Date): Promise<number> {
  const target = at.getTime() - FLOOR_SLACK_MS;
  const newest = await db
    .selectFrom('decisions')
    .select('seq')
    .where('org_id', '=', orgId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!newest) return 0;
  // Invariant: every decision with seq <= lo was made before target; the largest such seq is <= hi.
  let lo = 0;
  let hi = Number(newest.seq);
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    const row = await db
      .selectFrom('decisions')
      .select(['seq', 'created_at'])
      .where('org_id', '=', orgId)
      .where('seq', '<=', mid)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row || new Date(row.created_at).getTime() < target) lo = mid;
    // The row at or below mid is not older than target, so neither is any seq from it on.
    else hi = Number(row.seq) - 1;
  }
  return lo + 1;
}

/** An ISO 8601 instant of a query, as a Date; a 400 on `field` when it is not one. */
function instant(text: string, field: string): Date {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw invalidField(field, 'must be an ISO 8601 date-time');
  return date;
}

function toRecord(row: {
  seq: string | number | bigint;
  verdict: unknown;
  event: unknown;
  hash: string;
  prev_hash: string;
}): DecisionRecord {
  return {
    seq: Number(row.seq),
    verdict: row.verdict as Verdict,
    event: row.event,
    hash: row.hash,
    prevHash: row.prev_hash,
  };
}
