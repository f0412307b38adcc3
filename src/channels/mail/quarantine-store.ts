/**
 * The quarantine's table (measure E4: 誤遮断 — quarantine instead of silent
 * loss): each mail the verdict holds is kept with its exact bytes (bytea on
 * PGlite and PostgreSQL alike), its envelope and what the verdict said,
 * until it is released, deleted or past its retention; training labels from
 * releases and appeals (`mail_labels`). Every query is scoped to one
 * organisation.
 *
 * Recipients' addresses are stored in clear beside their keyed hashes. That
 * is fine here, unlike in the decision log: this table is the organisation's
 * own mail store for the mail it holds (it already keeps the whole message,
 * headers and body, which name the recipients anyway), a release must know
 * where to deliver, and the rows go when the retention ends. Lookups by
 * recipient use the keyed hash only; addresses are never logged.
 */
import { sql } from 'kysely';
import { MamoruError, newId } from '../../core/index.ts';
import type { MailDb } from './mail-part.ts';
import type { QuarantineStatus } from './tables.ts';

/** Rows expired per statement by {@link QuarantineStore.expire} (bounded: no long lock on a big table). */
export const EXPIRE_BATCH = 500;
/** How long a release's claim on a row lasts: another release waits it out (an SMTP send takes seconds). */
export const RELEASE_CLAIM_MS = 120_000;

/** What the channel's record writes for a held mail. */
export interface NewQuarantined {
  readonly orgId: string;
  readonly decisionId: string;
  readonly recipientKeys: readonly string[];
  readonly recipients: readonly string[];
  readonly mailFrom: string;
  readonly from: string | null;
  readonly subject: string;
  readonly score: number;
  readonly action: string;
  readonly summary: { readonly ja: string; readonly en: string };
  readonly verdict: unknown;
  readonly origin: string;
  readonly senders: readonly string[];
  readonly message: Uint8Array;
  readonly receivedAt: Date;
  readonly expiresAt: Date;
}

/** A quarantined mail as the operations answer it (no bytes). */
export interface QuarantineItem {
  readonly id: string;
  readonly decisionId: string;
  readonly recipients: string[];
  readonly from: string | null;
  readonly subject: string;
  readonly score: number;
  readonly action: string;
  readonly summary: { ja: string; en: string };
  readonly receivedAt: string;
  readonly expiresAt: string;
  readonly status: QuarantineStatus;
  readonly size: number;
  readonly releasedAt: string | null;
  readonly releasedTo: string[];
  readonly appeal: null | { caseId: string; status: string; reason: string };
}

/** A row with what release, appeal and show need beside the item. */
export interface QuarantineRecord extends QuarantineItem {
  readonly mailFrom: string;
  readonly recipientKeys: string[];
  readonly origin: string;
  readonly senders: string[];
  readonly verdict: unknown;
}

const ITEM_COLUMNS = [
  'id',
  'decision_id',
  'recipients',
  'recipient_keys',
  'mail_from',
  'from_address',
  'subject',
  'score',
  'action',
  'summary',
  'received_at',
  'expires_at',
  'status',
  'size',
  'origin',
  'sender_refs',
  'released_at',
  'released_to',
  'appeal_case_id',
  'appeal_status',
  'appeal_reason',
] as const;

const iso = (d: Date | string) => new Date(d).toISOString();
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

// biome-ignore lint/suspicious/noExplicitAny: a row of the selected columns
function itemOf(r: any): QuarantineRecord {
  return {
    id: r.id,
    decisionId: r.decision_id,
    recipients: r.recipients,
    from: r.from_address,
    subject: r.subject,
    score: Number(r.score),
    action: r.action,
    summary: json(r.summary),
    receivedAt: iso(r.received_at),
    expiresAt: iso(r.expires_at),
    status: r.status,
    size: Number(r.size),
    releasedAt: r.released_at && r.status === 'released' ? iso(r.released_at) : null,
    releasedTo: r.released_to ?? [],
    appeal: r.appeal_case_id
      ? { caseId: r.appeal_case_id, status: r.appeal_status ?? 'open', reason: r.appeal_reason ?? '' }
      : null,
    mailFrom: r.mail_from,
    recipientKeys: r.recipient_keys,
    origin: r.origin,
    senders: r.sender_refs ?? [],
    verdict: r.verdict === undefined ? undefined : json(r.verdict),
  };
}

/** A list cursor: the last item's receive time and id, opaque to the caller. */
function encodeCursor(item: QuarantineItem): string {
  return Buffer.from(`${item.receivedAt}|${item.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const at = new Date(text.slice(0, bar));
  if (bar < 0 || Number.isNaN(at.getTime()))
    throw new MamoruError('validation_failed', 'cursor: not a cursor of this list', {
      issues: [
        { path: 'cursor', message: 'not a cursor of this list', ja: 'この一覧のカーソルではありません' },
      ],
    });
  return { at, id: text.slice(bar + 1) };
}

/** The quarantine's rows of `mail_quarantine` and the labels of `mail_labels`. */
export class QuarantineStore {
  readonly #db: MailDb;

  constructor(db: MailDb) {
    this.#db = db;
  }

  /** Keep a held mail; a second write for the same decision keeps the first. Throws when the write fails. */
  async put(q: NewQuarantined): Promise<string> {
    const id = newId('mq');
    await this.#db
      .insertInto('mail_quarantine')
      .values({
        org_id: q.orgId,
        id,
        decision_id: q.decisionId,
        recipient_keys: [...q.recipientKeys],
        recipients: [...q.recipients],
        mail_from: q.mailFrom,
        from_address: q.from,
        subject: q.subject,
        score: q.score,
        action: q.action,
        summary: JSON.stringify(q.summary),
        verdict: JSON.stringify(q.verdict),
        origin: q.origin,
        sender_refs: [...q.senders],
        size: q.message.byteLength,
        message: q.message,
        received_at: q.receivedAt,
        expires_at: q.expiresAt,
        status: 'quarantined',
      })
      .onConflict((oc) => oc.columns(['org_id', 'decision_id']).doNothing())
      .execute();
    return id;
  }

  /** A page, newest first: of one recipient (keyed hash) and status; an origin-bound caller sees its origin's. */
  async list(
    orgId: string,
    query: {
      readonly recipientKey?: string | undefined;
      readonly status: QuarantineStatus;
      readonly limit: number;
      readonly cursor?: string | undefined;
      readonly origin?: string | undefined;
    },
  ): Promise<{ items: QuarantineItem[]; nextCursor: string | null }> {
    let q = this.#db
      .selectFrom('mail_quarantine')
      .select(ITEM_COLUMNS)
      .where('org_id', '=', orgId)
      .where('status', '=', query.status);
    if (query.recipientKey !== undefined)
      q = q.where(sql<boolean>`recipient_keys @> array[${query.recipientKey}]::text[]`);
    if (query.origin !== undefined) q = q.where('origin', '=', query.origin);
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor);
      q = q.where((eb) =>
        eb.or([
          eb('received_at', '<', after.at),
          eb.and([eb('received_at', '=', after.at), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await q
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const items = rows.slice(0, query.limit).map((r) => publicItem(itemOf(r)));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }

  /** One row with the verdict (`not_found` for another organisation's, or another origin's for a bound caller). */
  async get(orgId: string, id: string, origin?: string): Promise<QuarantineRecord> {
    let q = this.#db
      .selectFrom('mail_quarantine')
      .select([...ITEM_COLUMNS, 'verdict'])
      .where('org_id', '=', orgId)
      .where('id', '=', id);
    if (origin !== undefined) q = q.where('origin', '=', origin);
    const row = await q.executeTakeFirst();
    if (!row) throw new MamoruError('not_found', 'quarantined mail not found');
    return itemOf(row);
  }

  /** The row of a decision, if it was quarantined. */
  async byDecision(orgId: string, decisionId: string): Promise<QuarantineRecord | undefined> {
    const row = await this.#db
      .selectFrom('mail_quarantine')
      .select([...ITEM_COLUMNS, 'verdict'])
      .where('org_id', '=', orgId)
      .where('decision_id', '=', decisionId)
      .executeTakeFirst();
    return row ? itemOf(row) : undefined;
  }

  /** The kept bytes (undefined once expired or deleted). */
  async message(orgId: string, id: string): Promise<Buffer | undefined> {
    const row = await this.#db
      .selectFrom('mail_quarantine')
      .select('message')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.message ? Buffer.from(row.message) : undefined;
  }

  /**
   * Claim a quarantined row for a release (a lease of {@link RELEASE_CLAIM_MS}
   * in `released_by`/`released_at` while status stays `quarantined`): two
   * releases at once never both deliver. False when the row is not
   * quarantined or another release holds it.
   */
  async claim(orgId: string, id: string, by: string, now: Date): Promise<boolean> {
    const done = await this.#db
      .updateTable('mail_quarantine')
      .set({ released_by: `releasing:${by}`, released_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('status', '=', 'quarantined')
      .where('message', 'is not', null)
      .where((eb) =>
        eb.or([
          eb('released_at', 'is', null),
          eb('released_at', '<', new Date(now.getTime() - RELEASE_CLAIM_MS)),
        ]),
      )
      .executeTakeFirst();
    return Number(done.numUpdatedRows) > 0;
  }

  /** Give a claim back after a failed delivery: the mail stays quarantined. */
  async unclaim(orgId: string, id: string): Promise<void> {
    await this.#db
      .updateTable('mail_quarantine')
      .set({ released_by: null, released_at: null })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('status', '=', 'quarantined')
      .execute();
  }

  /** Mark a claimed row released to these recipients. */
  async released(orgId: string, id: string, to: readonly string[], by: string, at: Date): Promise<void> {
    await this.#db
      .updateTable('mail_quarantine')
      .set({ status: 'released', released_to: [...to], released_by: by, released_at: at })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
  }

  /** Delete a quarantined mail's bytes (status `deleted`); false when it is not quarantined or a release holds it. */
  async delete(orgId: string, id: string): Promise<boolean> {
    const done = await this.#db
      .updateTable('mail_quarantine')
      .set({ status: 'deleted', message: null })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('status', '=', 'quarantined')
      .where('released_by', 'is', null)
      .executeTakeFirst();
    return Number(done.numUpdatedRows) > 0;
  }

  /** Record an appeal's case on a row that has none; false when it has one already. */
  async appealed(orgId: string, id: string, caseId: string, reason: string, at: Date): Promise<boolean> {
    const done = await this.#db
      .updateTable('mail_quarantine')
      .set({ appeal_case_id: caseId, appeal_status: 'open', appeal_reason: reason, appeal_at: at })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('appeal_case_id', 'is', null)
      .executeTakeFirst();
    return Number(done.numUpdatedRows) > 0;
  }

  /** Set the appeal's status (approved, denied, expired) once its case closed. */
  async appealClosed(orgId: string, id: string, status: string): Promise<void> {
    await this.#db
      .updateTable('mail_quarantine')
      .set({ appeal_status: status })
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * Past their retention: drop the bytes of up to `batch` rows whose
   * `expires_at` has passed (a quarantined one becomes `expired`; a released
   * or deleted one keeps its status), of one organisation or all. Answers how
   * many rows it changed; a caller loops while that equals `batch`.
   */
  async expire(now: Date, batch = EXPIRE_BATCH, orgId?: string): Promise<number> {
    let due = this.#db
      .selectFrom('mail_quarantine')
      .select(['org_id', 'id'])
      .where('expires_at', '<=', now)
      .where('message', 'is not', null);
    if (orgId !== undefined) due = due.where('org_id', '=', orgId);
    const rows = await due.limit(batch).execute();
    if (rows.length === 0) return 0;
    const done = await this.#db
      .updateTable('mail_quarantine')
      .set({
        message: null,
        status: sql`case when status = 'quarantined' then 'expired' else status end`,
      })
      .where((eb) => eb.or(rows.map((r) => eb.and([eb('org_id', '=', r.org_id), eb('id', '=', r.id)]))))
      .where('message', 'is not', null)
      .executeTakeFirst();
    return Number(done.numUpdatedRows);
  }

  /** A training label for a decision (one per source; the latest decision wins). */
  async label(
    orgId: string,
    decisionId: string,
    label: 'legit' | 'fraud',
    source: 'appeal' | 'release',
    by: string,
  ): Promise<void> {
    const at = new Date();
    await this.#db
      .insertInto('mail_labels')
      .values({ org_id: orgId, decision_id: decisionId, label, source, by, at })
      .onConflict((oc) => oc.columns(['org_id', 'decision_id', 'source']).doUpdateSet({ label, by, at }))
      .execute();
  }

  /** A page of labels, oldest first (an export resumes from its cursor). */
  async labels(
    orgId: string,
    page: { readonly limit: number; readonly cursor?: string | undefined; readonly since?: Date | undefined },
  ): Promise<{
    items: { decisionId: string; label: string; source: string; at: string; by: string }[];
    nextCursor: string | null;
  }> {
    let q = this.#db
      .selectFrom('mail_labels')
      .select(['decision_id', 'label', 'source', 'at', 'by'])
      .where('org_id', '=', orgId);
    if (page.since !== undefined) q = q.where('at', '>=', page.since);
    if (page.cursor !== undefined) {
      const text = Buffer.from(page.cursor, 'base64url').toString('utf8');
      const [at, decision, source] = text.split('|');
      const when = new Date(at ?? '');
      if (Number.isNaN(when.getTime()) || decision === undefined || source === undefined)
        throw new MamoruError('validation_failed', 'cursor: not a cursor of this list', {
          issues: [
            { path: 'cursor', message: 'not a cursor of this list', ja: 'この一覧のカーソルではありません' },
          ],
        });
      q = q.where(sql<boolean>`(at, decision_id, source) > (${when}, ${decision}, ${source})`);
    }
    const rows = await q
      .orderBy('at')
      .orderBy('decision_id')
      .orderBy('source')
      .limit(page.limit + 1)
      .execute();
    const items = rows.slice(0, page.limit).map((r) => ({
      decisionId: r.decision_id,
      label: r.label,
      source: r.source,
      at: iso(r.at),
      by: r.by,
    }));
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > page.limit && last
          ? Buffer.from(`${last.at}|${last.decisionId}|${last.source}`, 'utf8').toString('base64url')
          : null,
    };
  }
}

/** The item as the contract lists it (what release and appeal need stays inside). */
export function publicItem(r: QuarantineRecord): QuarantineItem {
  return {
    id: r.id,
    decisionId: r.decisionId,
    recipients: r.recipients,
    from: r.from,
    subject: r.subject,
    score: r.score,
    action: r.action,
    summary: r.summary,
    receivedAt: r.receivedAt,
    expiresAt: r.expiresAt,
    status: r.status,
    size: r.size,
    releasedAt: r.releasedAt,
    releasedTo: r.releasedTo,
    appeal: r.appeal,
  };
}
