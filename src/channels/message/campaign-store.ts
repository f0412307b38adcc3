import { type Insertable, sql } from 'kysely';
import { arrayParam } from '../../intel/pg-array.ts';
import {
  hammingDistance,
  parseSimhashHex,
  type SimHash,
  simhashBands,
  simhashHex,
} from '../../ml/simhash.ts';
import type { MessageDb } from './message-part.ts';
import type { MessageKind } from './message-schema.ts';
import { classifySender } from './sender-format.ts';
import type { MessageMessagesTable } from './tables.ts';

/**
 * The campaign check's reads and writes of `message_messages` (MESSAGE_CAMPAIGN, measure I1): one
 * row per screened message (SimHash and its four bands, sender, URLs, phone numbers, action), the
 * near-identical rows of a window found through the band indexes, and the retention sweep that keeps
 * the table bounded.
 */

/** One screened message as the campaign check reads it back. */
export interface CampaignRow {
  readonly decisionId: string;
  readonly sender: string;
  readonly receivedAt: Date;
  readonly action: string;
  readonly fingerprint: Pick<SimHash, 'hi' | 'lo'>;
  readonly urls: readonly string[];
  readonly phones: readonly string[];
}

/** What `record` writes. */
export interface CampaignRecord {
  readonly orgId: string;
  readonly decisionId: string;
  readonly receivedAt: Date;
  readonly kind: string;
  readonly sender: string;
  readonly recipientKey: string | null;
  readonly fingerprint: Pick<SimHash, 'hi' | 'lo'>;
  readonly urls: readonly string[];
  readonly phones: readonly string[];
  readonly action: string;
  readonly score: number;
}

/**
 * Rows read per band in one lookup (the latest): a huge campaign is counted up to this many copies a
 * band (`capped`). A campaign needs a few senders (3 by default), so 40 says as much as 250 did, at a
 * sixth of the rows read on every screening of a flooded text.
 */
export const ROWS_PER_BAND = 40;
/** Rows deleted per sweep statement. */
export const SWEEP_BATCH = 500;
/** At most one sweep per organisation and process in this many ms. */
export const SWEEP_EVERY_MS = 60_000;

/**
 * A sender as the campaign check counts it: normalised as the verified-sender
 * registry keeps senders (`classifySender`: E.164 for a phone number, upper
 * case for a sender ID, short code or handle), so a registered sender is
 * recognised here too; as written (trimmed) when it cannot be normalised.
 */
export function campaignSender(sender: string, kind: MessageKind): string {
  const normalised = classifySender(kind, sender).normalised;
  return normalised === '' ? sender.trim() : normalised;
}

/** Most rows one INSERT of queued records writes. */
export const INSERT_BATCH = 500;

export class CampaignStore {
  readonly #db: MessageDb;
  readonly #pending: {
    readonly values: Insertable<MessageMessagesTable>;
    readonly resolve: () => void;
    readonly reject: (error: unknown) => void;
  }[] = [];
  #draining = false;
  readonly #lastSweep = new Map<string, number>();

  constructor(db: MessageDb) {
    this.#db = db;
  }

  /**
   * Records one screened message (once per decision), and now and then sweeps rows past retention.
   * Rows recorded at the same time go in one INSERT (group commit, as the decision log does): each
   * caller still waits for its own row to be written, but a busy server writes a batch per round trip
   * instead of a transaction per message.
   */
  async record(row: CampaignRecord, retentionMinutes: number): Promise<void> {
    const [band0, band1, band2, band3] = simhashBands(row.fingerprint);
    await this.#enqueue({
      org_id: row.orgId,
      decision_id: row.decisionId,
      received_at: row.receivedAt,
      kind: row.kind,
      sender: row.sender,
      recipient_key: row.recipientKey,
      simhash: simhashHex(row.fingerprint),
      band0,
      band1,
      band2,
      band3,
      urls: arrayParam(row.urls, 'text') as unknown as string[],
      phones: arrayParam(row.phones, 'text') as unknown as string[],
      action: row.action,
      score: row.score,
    });
    const now = Date.now();
    const last = this.#lastSweep.get(row.orgId);
    if (last !== undefined && now - last < SWEEP_EVERY_MS) return;
    if (this.#lastSweep.size >= 10_000) this.#lastSweep.clear();
    this.#lastSweep.set(row.orgId, now);
    await this.sweep(row.orgId, new Date(now - retentionMinutes * 60_000));
  }

  #enqueue(values: Insertable<MessageMessagesTable>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ values, resolve, reject });
      if (!this.#draining) {
        this.#draining = true;
        // After the current turn, so the rows of requests answered together are written together.
        setImmediate(() => void this.#drain());
      }
    });
  }

  /** Writes the queued rows, a batch of at most {@link INSERT_BATCH} per statement, one statement at a time. */
  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, INSERT_BATCH);
      try {
        await this.#db
          .insertInto('message_messages')
          .values(batch.map((b) => b.values))
          .onConflict((oc) => oc.columns(['org_id', 'decision_id']).doNothing())
          .execute();
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.#draining = false;
  }

  /**
   * Deletes up to `batch` rows of the organisation received before `before` (through the
   * `(org_id, received_at)` index); answers how many. Run by `record` at most once a minute per
   * organisation, so a steady flow keeps the table at about the retention's worth of rows.
   */
  async sweep(orgId: string, before: Date, batch = SWEEP_BATCH): Promise<number> {
    const result = await sql`
      delete from message_messages
      where ctid = any(array(
        select ctid from message_messages
        where org_id = ${orgId} and received_at < ${before}
        limit ${batch}
      ))`.execute(this.#db);
    return Number(result.numAffectedRows ?? 0);
  }

  /**
   * The organisation's rows received in [from, to] whose fingerprint is within `threshold` bits of
   * `fingerprint`: four indexed lookups, one per band, each the latest {@link ROWS_PER_BAND} rows of
   * the window (UNION ALL), then the Hamming distance in JS. Every row within 3 bits shares a band; one
   * further away is found when it shares one too (most within 5 or 6 bits do). `capped` is true when a
   * band had more rows than read (a huge campaign: the counts are then lower bounds).
   */
  async neighbours(
    orgId: string,
    fingerprint: Pick<SimHash, 'hi' | 'lo'>,
    window: { readonly from: Date; readonly to: Date },
    threshold: number,
    options: { readonly withIndicators?: boolean; readonly perBand?: number } = {},
  ): Promise<{ rows: CampaignRow[]; capped: boolean }> {
    const perBand = options.perBand ?? ROWS_PER_BAND;
    const bands = simhashBands(fingerprint);
    const columns = options.withIndicators
      ? sql`decision_id, sender, received_at, action, simhash, urls, phones`
      : sql`decision_id, sender, received_at, action, simhash`;
    const arm = (band: 0 | 1 | 2 | 3) => sql`(
      select ${columns}, ${sql.lit(band)} as band from message_messages
      where org_id = ${orgId} and ${sql.ref(`band${band}`)} = ${bands[band]}
        and received_at >= ${window.from} and received_at <= ${window.to}
      order by received_at desc limit ${perBand})`;
    const { rows } = await sql<RawRow & { band: number }>`
      ${arm(0)} union all ${arm(1)} union all ${arm(2)} union all ${arm(3)}`.execute(this.#db);
    const perBandCount = [0, 0, 0, 0];
    const seen = new Set<string>();
    const out: CampaignRow[] = [];
    for (const r of rows) {
      perBandCount[Number(r.band)]!++;
      if (seen.has(r.decision_id)) continue;
      seen.add(r.decision_id);
      const row = toRow(r);
      if (row && hammingDistance(row.fingerprint, fingerprint) <= threshold) out.push(row);
    }
    return { rows: out, capped: perBandCount.some((n) => n >= perBand) };
  }

  /** One recorded message of the organisation, by its decision id. */
  async message(orgId: string, decisionId: string): Promise<CampaignRow | undefined> {
    const r = await this.#db
      .selectFrom('message_messages')
      .select(['decision_id', 'sender', 'received_at', 'action', 'simhash', 'urls', 'phones'])
      .where('org_id', '=', orgId)
      .where('decision_id', '=', decisionId)
      .executeTakeFirst();
    return r ? toRow(r) : undefined;
  }

  /** The latest `limit` rows of the organisation received since `from` (newest first). */
  async recent(orgId: string, from: Date, limit: number): Promise<CampaignRow[]> {
    const rows = await this.#db
      .selectFrom('message_messages')
      .select(['decision_id', 'sender', 'received_at', 'action', 'simhash', 'urls'])
      .where('org_id', '=', orgId)
      .where('received_at', '>=', from)
      .orderBy('received_at', 'desc')
      .limit(limit)
      .execute();
    return rows.flatMap((r) => toRow(r) ?? []);
  }

  /** Which of `senders` the organisation's verified-sender registry lists. */
  async verifiedSenders(orgId: string, senders: readonly string[]): Promise<Set<string>> {
    if (senders.length === 0) return new Set();
    const rows = await this.#db
      .selectFrom('message_verified_senders')
      .select('sender')
      .where('org_id', '=', orgId)
      .where('sender', 'in', senders)
      .execute();
    return new Set(rows.map((r) => r.sender));
  }
}

interface RawRow {
  decision_id: string;
  sender: string;
  received_at: Date | string;
  action: string;
  simhash: string;
  urls?: string[] | null;
  phones?: string[] | null;
}

function toRow(r: RawRow): CampaignRow | undefined {
  const fingerprint = parseSimhashHex(r.simhash);
  if (!fingerprint) return undefined;
  return {
    decisionId: r.decision_id,
    sender: r.sender,
    receivedAt: r.received_at instanceof Date ? r.received_at : new Date(r.received_at),
    action: r.action,
    fingerprint,
    urls: r.urls ?? [],
    phones: r.phones ?? [],
  };
}
