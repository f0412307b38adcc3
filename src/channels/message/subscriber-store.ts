import { type FieldIssue, MamoruError } from '../../core/index.ts';
import type { KeyedHasher } from '../../intel/keyed-hash.ts';
import { LruCache } from '../../intel/lru-cache.ts';
import { normalisePhone } from '../../intel/normalise-phone.ts';
import type { MessageDb } from './message-part.ts';
import { normaliseSender } from './sender-format.ts';

/** Filter strengths a subscriber chooses (I3): fewer warnings, the policy's own thresholds, more warnings. */
export const STRENGTHS = ['low', 'standard', 'high'] as const;
export type Strength = (typeof STRENGTHS)[number];

/** A subscriber's filter settings (I3, 迷惑SMSフィルタ): on by default and free; strength standard. */
export interface SubscriberSettings {
  readonly filtering: boolean;
  readonly strength: Strength;
}

/** What a subscriber with no row has: filtering on, standard strength (I3: on by default, free). */
export const DEFAULT_SUBSCRIBER: SubscriberSettings = Object.freeze({
  filtering: true,
  strength: 'standard',
});

/** The most senders one subscriber's allow list holds: the list is read on every screening. */
export const MAX_ALLOWED_SENDERS = 1000;

/** How long a subscriber's settings are reused in this process (another process sees a write after this). */
export const SUBSCRIBER_CACHE_TTL_MS = 10_000;
const CACHE_MAX = 50_000;
/** Senders remembered per cached subscriber (a subscriber gets messages from few senders at a time). */
const SENDERS_PER_ENTRY = 32;
const KEYS_MAX = 50_000;

// A recipient or sender written as a phone number: digits with the separators people use, a + or tel:.
const PHONE_LIKE = /^(?:tel:)?[+＋]?[0-9０-９][0-9０-９\s\-‐‑‒–—―−ー－ｰ.()/]*$/i;

/**
 * The recipient as settings are keyed (I3): a phone number in E.164 (090-… →
 * +8190…), else the handle NFKC-folded, trimmed, lower-cased, without a
 * leading `@` (`@Taro` and `taro` are one account on the platforms that
 * matter). Undefined for an empty value.
 *
 * @example subscriberIdentity('090-1234-5678') // { type: 'phone', value: '+819012345678' }
 */
export function subscriberIdentity(
  recipient: string,
): { type: 'phone' | 'handle'; value: string } | undefined {
  const folded = recipient.normalize('NFKC').trim();
  if (folded === '') return undefined;
  if (PHONE_LIKE.test(folded)) {
    try {
      return { type: 'phone', value: normalisePhone(folded) };
    } catch {
      // Not a valid number (a short code, a dropped digit): kept as a handle, so it still keys one subscriber.
    }
  }
  const handle = (folded.startsWith('@') ? folded.slice(1) : folded).trim().toLowerCase();
  return handle === '' ? undefined : { type: 'handle', value: handle };
}

/**
 * The keyed hash a recipient is known by in the message channel's tables
 * (subscribers, allow lists, reports, screened messages): the phone number's
 * keyed hash (`phone`, E.164), else the handle's under the `identity` type
 * with a `handle:` prefix, so it never meets a phone's or an identity's
 * hash. Undefined for a recipient that normalises to nothing.
 */
export function subscriberKey(hasher: KeyedHasher, recipient: string): string | undefined {
  const id = subscriberIdentity(recipient);
  if (!id) return undefined;
  return id.type === 'phone' ? hasher.hash('phone', id.value) : hasher.hash('identity', `handle:${id.value}`);
}

/**
 * A sender as the allow list keeps it: as the sender checks and the
 * verified-sender registry normalise it (`normaliseSender` of
 * sender-format.ts: E.164 for a phone number, a short code as its digits,
 * a sender ID or handle NFKC-folded and upper-cased), without a leading `@`
 * (a subscriber types `@taro` for the platform's `taro`). Undefined for an
 * empty value, or a number no network could send from.
 *
 * @example normaliseAllowedSender('Amazon') // 'AMAZON'; normaliseAllowedSender('090-1234-5678') // '+819012345678'
 */
export function normaliseAllowedSender(sender: string): string | undefined {
  const folded = sender.normalize('NFKC').trim();
  const name = folded.replace(/^[@\s]+/u, '');
  if (name === '') return undefined;
  const normalised = normaliseSender(name);
  // A handle folded into one that starts with `@` (NFKC of a look-alike at sign) is folded once more.
  return normalised?.startsWith('@') ? normaliseAllowedSender(normalised) : normalised;
}

interface CachedSubscriber {
  readonly settings: SubscriberSettings;
  readonly senders: Map<string, boolean>;
  readonly expires: number;
}

/** A subscriber's settings as stored or defaulted. */
export interface StoredSettings extends SubscriberSettings {
  readonly subscriberKey: string;
  /** False when the subscriber has no row: the defaults apply. */
  readonly stored: boolean;
  readonly updatedAt: string | null;
}

/**
 * The subscribers' settings and allow lists (I3) in the message channel's
 * tables, keyed by the recipient's keyed hash (never stored raw). Reads for
 * screening are cached per organisation and subscriber for
 * {@link SUBSCRIBER_CACHE_TTL_MS}; a write through this store drops its
 * subscriber's entry at once.
 */
export class SubscriberStore {
  readonly #db: MessageDb;
  readonly #hasher: KeyedHasher;
  readonly #cache = new LruCache<string, CachedSubscriber>(CACHE_MAX);
  readonly #keys = new LruCache<string, string | null>(KEYS_MAX);
  readonly #senders = new LruCache<string, string | null>(KEYS_MAX);

  constructor(db: MessageDb, hasher: KeyedHasher) {
    this.#db = db;
    this.#hasher = hasher;
  }

  /**
   * The keyed hash a recipient's settings are stored under; undefined for a
   * recipient that normalises to nothing. Remembered per raw value: parsing a
   * phone number costs more than the rest of a screening.
   */
  keyOf(recipient: string): string | undefined {
    const known = this.#keys.get(recipient);
    if (known !== undefined) return known ?? undefined;
    const key = subscriberKey(this.#hasher, recipient) ?? null;
    this.#keys.set(recipient, key);
    return key ?? undefined;
  }

  /** {@link normaliseAllowedSender}, remembered per raw value (parsing a phone number is the costly part). */
  senderOf(raw: string): string | undefined {
    const known = this.#senders.get(raw);
    if (known !== undefined) return known ?? undefined;
    const sender = normaliseAllowedSender(raw) ?? null;
    this.#senders.set(raw, sender);
    return sender ?? undefined;
  }

  /**
   * The cached screening view, without waiting: undefined when it is not
   * cached (or stale), so the caller asks {@link screeningView}.
   */
  cachedView(
    orgId: string,
    subscriberKey: string,
    sender: string | undefined,
  ): { settings: SubscriberSettings; allowedSender: boolean } | undefined {
    const hit = this.#cache.get(`${orgId}\u0000${subscriberKey}`);
    if (!hit || hit.expires <= Date.now()) return undefined;
    if (sender === undefined) return { settings: hit.settings, allowedSender: false };
    const known = hit.senders.get(sender);
    return known === undefined ? undefined : { settings: hit.settings, allowedSender: known };
  }

  /** The key of a recipient given to an operation, or a 400 naming the field. */
  requireKey(recipient: string, field = 'recipient'): string {
    const key = this.keyOf(recipient);
    if (key === undefined)
      throw fieldError(
        field,
        'must be a phone number or a handle',
        '電話番号かアカウント名で指定してください',
      );
    return key;
  }

  /**
   * What screening needs (the `message.subscriber` enrichment): the
   * subscriber's settings and whether `sender` (normalised) is on their
   * allow list — one round trip, then cached.
   */
  async screeningView(
    orgId: string,
    subscriberKey: string,
    sender: string | undefined,
  ): Promise<{ settings: SubscriberSettings; allowedSender: boolean }> {
    const cacheKey = `${orgId}\u0000${subscriberKey}`;
    const now = Date.now();
    const hit = this.#cache.get(cacheKey);
    if (hit && hit.expires > now) {
      if (sender === undefined) return { settings: hit.settings, allowedSender: false };
      const known = hit.senders.get(sender);
      if (known !== undefined) return { settings: hit.settings, allowedSender: known };
      const allowed = await this.#isAllowed(orgId, subscriberKey, sender);
      if (hit.senders.size >= SENDERS_PER_ENTRY) hit.senders.clear();
      hit.senders.set(sender, allowed);
      return { settings: hit.settings, allowedSender: allowed };
    }
    const row = await this.#db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('message_subscribers')
          .select('filtering')
          .where('org_id', '=', orgId)
          .where('subscriber_key', '=', subscriberKey)
          .as('filtering'),
        eb
          .selectFrom('message_subscribers')
          .select('strength')
          .where('org_id', '=', orgId)
          .where('subscriber_key', '=', subscriberKey)
          .as('strength'),
        eb
          .exists(
            eb
              .selectFrom('message_allowed_senders')
              .select('sender')
              .where('org_id', '=', orgId)
              .where('subscriber_key', '=', subscriberKey)
              .where('sender', '=', sender ?? ''),
          )
          .as('allowed'),
      ])
      .executeTakeFirst();
    const settings = settingsOf(row?.filtering, row?.strength);
    const allowedSender = sender !== undefined && row?.allowed === true;
    const senders = new Map<string, boolean>();
    if (sender !== undefined) senders.set(sender, allowedSender);
    this.#cache.set(cacheKey, { settings, senders, expires: now + SUBSCRIBER_CACHE_TTL_MS });
    return { settings, allowedSender };
  }

  /** A subscriber's settings; the defaults (stored: false) when there is no row. */
  async settings(orgId: string, subscriberKey: string): Promise<StoredSettings> {
    const row = await this.#db
      .selectFrom('message_subscribers')
      .select(['filtering', 'strength', 'updated_at'])
      .where('org_id', '=', orgId)
      .where('subscriber_key', '=', subscriberKey)
      .executeTakeFirst();
    if (!row) return { subscriberKey, ...DEFAULT_SUBSCRIBER, stored: false, updatedAt: null };
    return {
      subscriberKey,
      ...settingsOf(row.filtering, row.strength),
      stored: true,
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  /** Set a subscriber's filtering and/or strength; fields not given keep their value (or default). */
  async setSettings(
    orgId: string,
    subscriberKey: string,
    change: { readonly filtering?: boolean | undefined; readonly strength?: Strength | undefined },
    actor: string,
  ): Promise<StoredSettings> {
    const now = new Date();
    await this.#db
      .insertInto('message_subscribers')
      .values({
        org_id: orgId,
        subscriber_key: subscriberKey,
        filtering: change.filtering ?? DEFAULT_SUBSCRIBER.filtering,
        strength: change.strength ?? DEFAULT_SUBSCRIBER.strength,
        updated_at: now,
        updated_by: actor,
      })
      .onConflict((oc) =>
        oc.columns(['org_id', 'subscriber_key']).doUpdateSet({
          ...(change.filtering !== undefined ? { filtering: change.filtering } : {}),
          ...(change.strength !== undefined ? { strength: change.strength } : {}),
          updated_at: now,
          updated_by: actor,
        }),
      )
      .execute();
    this.#forget(orgId, subscriberKey);
    return this.settings(orgId, subscriberKey);
  }

  /**
   * Add a sender to a subscriber's allow list (idempotent). Refused with a
   * 409 naming `sender` when the list already holds {@link MAX_ALLOWED_SENDERS}.
   */
  async allow(
    orgId: string,
    subscriberKey: string,
    sender: string,
  ): Promise<{ added: boolean; count: number }> {
    const inserted = await this.#db
      .insertInto('message_allowed_senders')
      .columns(['org_id', 'subscriber_key', 'sender'])
      .expression(
        // Inserted only while the list is under its cap: one statement, no read-then-write window.
        this.#db
          .selectNoFrom((eb) => [
            eb.val(orgId).as('org_id'),
            eb.val(subscriberKey).as('subscriber_key'),
            eb.val(sender).as('sender'),
          ])
          .where((eb) =>
            eb(
              eb
                .selectFrom('message_allowed_senders')
                .select((e) => e.fn.countAll<number>().as('n'))
                .where('org_id', '=', orgId)
                .where('subscriber_key', '=', subscriberKey),
              '<',
              MAX_ALLOWED_SENDERS,
            ),
          ),
      )
      .onConflict((oc) => oc.columns(['org_id', 'subscriber_key', 'sender']).doNothing())
      .executeTakeFirst();
    this.#forget(orgId, subscriberKey);
    const added = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    const count = await this.#count(orgId, subscriberKey);
    if (!added && count >= MAX_ALLOWED_SENDERS && !(await this.#isAllowed(orgId, subscriberKey, sender))) {
      throw new MamoruError(
        'conflict',
        `the allow list holds ${MAX_ALLOWED_SENDERS} senders already: remove one first`,
        {
          issues: [
            {
              path: 'sender',
              message: `the allow list holds ${MAX_ALLOWED_SENDERS} senders already: remove one first`,
              ja: `許可リストは既に ${MAX_ALLOWED_SENDERS} 件です。先にどれかを削除してください`,
            },
          ],
        },
      );
    }
    return { added, count };
  }

  /** Remove a sender from a subscriber's allow list; whether it was there. */
  async disallow(orgId: string, subscriberKey: string, sender: string): Promise<{ removed: boolean }> {
    const deleted = await this.#db
      .deleteFrom('message_allowed_senders')
      .where('org_id', '=', orgId)
      .where('subscriber_key', '=', subscriberKey)
      .where('sender', '=', sender)
      .executeTakeFirst();
    this.#forget(orgId, subscriberKey);
    return { removed: Number(deleted.numDeletedRows) > 0 };
  }

  /** A page of a subscriber's allow list in sender order, after `after` (the last sender of the page before). */
  async allowed(
    orgId: string,
    subscriberKey: string,
    page: { readonly limit: number; readonly after?: string | undefined },
  ): Promise<{ senders: { sender: string; addedAt: string }[]; more: boolean }> {
    let q = this.#db
      .selectFrom('message_allowed_senders')
      .select(['sender', 'added_at'])
      .where('org_id', '=', orgId)
      .where('subscriber_key', '=', subscriberKey);
    if (page.after !== undefined) q = q.where('sender', '>', page.after);
    const rows = await q
      .orderBy('sender')
      .limit(page.limit + 1)
      .execute();
    return {
      senders: rows
        .slice(0, page.limit)
        .map((r) => ({ sender: r.sender, addedAt: new Date(r.added_at).toISOString() })),
      more: rows.length > page.limit,
    };
  }

  /** Drop every cached answer (tests; an operator changed tables by hand). */
  clearCache(): void {
    this.#cache.clear();
  }

  #forget(orgId: string, subscriberKey: string): void {
    this.#cache.delete(`${orgId}\u0000${subscriberKey}`);
  }

  async #isAllowed(orgId: string, subscriberKey: string, sender: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('message_allowed_senders')
      .select('sender')
      .where('org_id', '=', orgId)
      .where('subscriber_key', '=', subscriberKey)
      .where('sender', '=', sender)
      .executeTakeFirst();
    return row !== undefined;
  }

  async #count(orgId: string, subscriberKey: string): Promise<number> {
    const row = await this.#db
      .selectFrom('message_allowed_senders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', orgId)
      .where('subscriber_key', '=', subscriberKey)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

function settingsOf(filtering: unknown, strength: unknown): SubscriberSettings {
  return {
    filtering: typeof filtering === 'boolean' ? filtering : DEFAULT_SUBSCRIBER.filtering,
    strength: (STRENGTHS as readonly unknown[]).includes(strength)
      ? (strength as Strength)
      : DEFAULT_SUBSCRIBER.strength,
  };
}

/** A 400 naming one field, Japanese first. */
export function fieldError(path: string, message: string, ja?: string): MamoruError {
  const issue: FieldIssue = ja ? { path, message, ja } : { path, message };
  return new MamoruError('validation_failed', `${path}: ${message}`, { issues: [issue] });
}
