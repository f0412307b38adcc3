import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { invalidField, isOrigin, misleadingText, newId, notFound, ORIGIN_MESSAGE } from '../core/index.ts';
import { ClientFailures } from './client-failures.ts';
import type { ClusterEvents } from './cluster-events.ts';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from './pg-error-code.ts';
import type { ApiKeysTable, Database } from './schema.ts';
import { verifySecret } from './secret-hash.ts';
import { type ApiKey, type ApiKeyRepo, ROLES, type Role } from './store.ts';
import { toIso } from './to-iso.ts';

/**
 * How long a key's row is trusted without a query. A revocation made in another process is heard
 * through `ClusterEvents` at once; this is how late it bites when that message is lost.
 */
const CACHE_TTL_MS = 60_000;
/** `last_used_at` is written at most this often per key. */
const TOUCH_INTERVAL_MS = 60_000;
/**
 * Failed checks of well-formed tokens one client may make within a window;
 * past that, its failures answer 429 with Retry-After until the window ends.
 */
const MAX_CLIENT_FAILURES = 20;
const FAILURE_WINDOW_MS = 60_000;
/** Clients whose failures are counted at once; keys whose rows are cached at once. */
const MAX_TRACKED = 10_000;

// `mk_<keyId>_<secret>`: the key id is `newId('key')`, the secret 32 random bytes in base64url (43 characters).
const TOKEN = /^mk_(key_[0-9a-z]{26})_([A-Za-z0-9_-]{43})$/;
/**
 * Roles a key may be bound to one origin with: a shop's or agency's staff
 * (`agent`), an integration for one origin (`system`: one MTA, one trunk).
 * An admin, analyst or reviewer works for the whole organisation.
 */
const BINDABLE_ROLES: ReadonlySet<Role> = new Set<Role>(['agent', 'system']);

interface Known {
  /** The stored hash: `sha256$…` (compared in memory) or a legacy `scrypt$…`. */
  hash: string;
  readonly expiresAt: number;
  key: ApiKey;
  lastUsedMs: number;
}

/**
 * Per-organisation API keys (Bearer tokens `mk_<keyId>_<secret>`). The token
 * is shown once, at creation; only a hash of its secret is stored.
 *
 * The secret is 256 random bits, so its hash needs no slowing down: nobody
 * can search a 256-bit space, fast hash or slow. It is stored as
 * `sha256$<SHA-256 of the key id and secret>`, and every check is a hash and
 * a comparison — the right secret is always checked first and always passes,
 * whoever sent guesses before it, after a restart, in another process, for a
 * new key. Keys created before this scheme carry an scrypt hash; the first
 * time their secret is verified the row is rewritten to the new hash.
 *
 * Guessing is limited per client (`verify(token, { client })`): a client
 * whose checks failed {@link MAX_CLIENT_FAILURES} times within a minute gets
 * `retryAfterMs(client) > 0` until its minute is over (the HTTP edge answers
 * 429 with Retry-After), and is refused before scrypt runs for a legacy key,
 * so that guessing cannot tie up the thread pool. The counters sit in a
 * bounded table that unknown key ids or many clients cannot flush
 * ({@link ClientFailures}).
 *
 * A key's row is remembered for a minute, so a request costs no query; a
 * revocation here takes effect at once, and with `cluster` (issue 8 item 8)
 * in every other process sharing the database as soon as they hear of it
 * (well under a second); a process that may have missed messages (its
 * listener reconnected) forgets every row. Without `cluster`, or when the
 * message is lost, another process's revocation bites within that minute.
 *
 * @example
 * const { token } = await store.keys.create({ orgId, name: 'shop-42', role: 'agent', createdBy: 'admin' });
 * const key = await store.keys.verify(token, { client: '203.0.113.7' }); // key?.orgId === orgId
 */
export class SqlApiKeyRepo implements ApiKeyRepo {
  readonly #db: Kysely<Database>;
  readonly #cache = new Map<string, Known>();
  readonly #inflight = new Map<string, Promise<ApiKey | undefined>>();
  readonly #failures = new ClientFailures({
    max: MAX_CLIENT_FAILURES,
    windowMs: FAILURE_WINDOW_MS,
    capacity: MAX_TRACKED,
  });
  readonly #now: () => number;
  // Bumped by every revoke, so a lookup that raced a revoke does not cache the key again.
  #generation = 0;

  readonly #cluster: ClusterEvents | undefined;

  /**
   * `now` is the clock in milliseconds; tests pass their own. `cluster` tells the other
   * processes of a revocation and makes this one forget the keys they revoke.
   */
  constructor(
    db: Kysely<Database>,
    options: { now?: () => number; cluster?: ClusterEvents | undefined } = {},
  ) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#cluster = options.cluster;
    this.#cluster?.subscribe('key', (notice) => {
      if (notice.self) return;
      this.#generation++;
      if (notice.keys === undefined) this.#cache.clear();
      else for (const id of notice.keys) this.#cache.delete(id);
    });
  }

  async create(input: {
    orgId: string;
    name: string;
    role: Role;
    createdBy: string;
    origin?: string | undefined;
  }): Promise<{ key: ApiKey; token: string }> {
    if (!(ROLES as readonly string[]).includes(input.role))
      throw invalidField('role', `must be one of ${ROLES.join(', ')}`);
    const name = input.name.trim();
    if (name === '') throw invalidField('name', 'must not be empty');
    const misleading = misleadingText(name, 'name');
    if (misleading) throw invalidField('name', misleading);
    const origin = input.origin?.trim();
    if (origin !== undefined) {
      if (!BINDABLE_ROLES.has(input.role))
        throw invalidField('origin', 'only an agent or system key is bound to an origin');
      if (!isOrigin(origin)) throw invalidField('origin', ORIGIN_MESSAGE);
    }
    const id = newId('key');
    const secret = randomBytes(32).toString('base64url');
    const hash = fastHash(id, secret);
    try {
      const row = await this.#db
        .insertInto('api_keys')
        .values({
          id,
          org_id: input.orgId,
          name,
          role: input.role,
          hash,
          created_by: input.createdBy,
          origin: origin ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { key: toApiKey(row), token: `mk_${id}_${secret}` };
    } catch (error) {
      if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION) throw notFound('organisation');
      throw error;
    }
  }

  /**
   * The key of a valid, unrevoked token; `undefined` otherwise (a malformed
   * token costs no query). A failure is counted against `client` when one is
   * given; see {@link retryAfterMs}.
   */
  async verify(token: string, options: { client?: string } = {}): Promise<ApiKey | undefined> {
    const match = typeof token === 'string' ? TOKEN.exec(token) : null;
    if (!match) return undefined;
    const keyId = match[1]!;
    const secret = match[2]!;
    const now = this.#now();
    const cached = this.#cache.get(keyId);
    if (cached && cached.expiresAt > now && isFast(cached.hash)) {
      if (sameHash(cached.hash, fastHash(keyId, secret))) return this.#touch(cached, now);
      this.#fail(options.client, now);
      return undefined;
    }
    // Concurrent first uses of one token share one check.
    const flight = `${keyId}:${fastHash(keyId, secret)}:${options.client ?? ''}`;
    let pending = this.#inflight.get(flight);
    if (!pending) {
      pending = this.#verifySlow(keyId, secret, options.client, now).finally(() =>
        this.#inflight.delete(flight),
      );
      this.#inflight.set(flight, pending);
    }
    return pending;
  }

  /** How long `client` must wait, in milliseconds, before its next failed check is answered as such; 0 when it need not. */
  retryAfterMs(client: string): number {
    return this.#failures.retryAfterMs(client, this.#now());
  }

  async list(orgId: string): Promise<ApiKey[]> {
    const rows = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toApiKey);
  }

  /**
   * Revoke a key of the organisation; true when it exists there (revoking twice is not an error).
   * Resolves once the other processes have been told (the message is in the database's queue).
   */
  async revoke(orgId: string, id: string): Promise<boolean> {
    this.#generation++;
    this.#cache.delete(id);
    const row = await this.#db
      .updateTable('api_keys')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.fn<Date>('now', [])) }))
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (row !== undefined) await this.#cluster?.announce({ topic: 'key', org: orgId, keys: [id] });
    return row !== undefined;
  }

  async #verifySlow(
    keyId: string,
    secret: string,
    client: string | undefined,
    now: number,
  ): Promise<ApiKey | undefined> {
    const generation = this.#generation;
    const row = await this.#db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
    if (!row || row.revoked_at !== null) {
      this.#cache.delete(keyId);
      this.#fail(client, now);
      return undefined;
    }
    const known: Known = {
      hash: row.hash,
      expiresAt: now + CACHE_TTL_MS,
      key: toApiKey(row),
      lastUsedMs: row.last_used_at === null ? 0 : new Date(row.last_used_at).getTime(),
    };
    const hash = fastHash(keyId, secret);
    let right: boolean;
    if (isFast(row.hash)) {
      right = sameHash(row.hash, hash);
    } else {
      // A key from before the fast hash: scrypt, tens of milliseconds of the thread pool. A limited client
      // gets none; others have the check counted first (and taken back when right), so parallel guesses count.
      if (client !== undefined && this.#failures.retryAfterMs(client, now) > 0) return undefined;
      if (client !== undefined) this.#failures.add(client, now);
      right = await verifySecret(secret, row.hash);
      if (!right) return undefined;
      if (client !== undefined) this.#failures.remove(client, now);
      await this.#upgrade(keyId, row.hash, hash);
      known.hash = hash;
    }
    // The row is remembered even when the secret was wrong: further guesses at the key cost no query.
    if (generation === this.#generation) remember(this.#cache, keyId, known);
    if (!right) {
      this.#fail(client, now);
      return undefined;
    }
    return this.#touch(known, now);
  }

  /** Rewrite a legacy scrypt hash as the fast hash, unless another process did (or the key was re-keyed) first. */
  async #upgrade(keyId: string, from: string, to: string): Promise<void> {
    try {
      await this.#db
        .updateTable('api_keys')
        .set({ hash: to })
        .where('id', '=', keyId)
        .where('hash', '=', from)
        .execute();
    } catch {
      // The scrypt hash still verifies; the rewrite is tried again at the next cold check.
    }
  }

  #fail(client: string | undefined, now: number): void {
    if (client !== undefined) this.#failures.add(client, now);
  }

  async #touch(entry: Known, now: number): Promise<ApiKey> {
    if (now - entry.lastUsedMs < TOUCH_INTERVAL_MS) return entry.key;
    // Set before the write so that concurrent requests do not all write.
    entry.lastUsedMs = now;
    const at = new Date(now);
    entry.key = { ...entry.key, lastUsedAt: at.toISOString() };
    try {
      await this.#db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', entry.key.id)
        .execute();
    } catch {
      // `last_used_at` is a convenience for admins; failing to record it must not fail authentication.
    }
    return entry.key;
  }
}

/**
 * The stored form of a secret: `sha256$` and the base64url SHA-256 of the key
 * id and the secret (the key id salts it, so equal secrets never share a hash).
 */
function fastHash(keyId: string, secret: string): string {
  return `${FAST}${createHash('sha256').update(`mamoru-api-key\0${keyId}\0${secret}`).digest('base64url')}`;
}

const FAST = 'sha256$';

function isFast(hash: string): boolean {
  return hash.startsWith(FAST);
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Set a key's entry as the newest, forgetting the oldest entry when the map is full. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= MAX_TRACKED) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    role: row.role as Role,
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : toIso(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : toIso(row.revoked_at),
    origin: row.origin,
    outlet: row.origin,
  };
}
