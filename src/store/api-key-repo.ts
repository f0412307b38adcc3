import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { invalidField, newId, notFound } from '../core/index.ts';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from './pg-error-code.ts';
import type { ApiKeysTable, Database } from './schema.ts';
import { hashSecret, verifySecret } from './secret-hash.ts';
import { type ApiKey, type ApiKeyRepo, ROLES, type Role } from './store.ts';
import { toIso } from './to-iso.ts';

/** How long a verified token is trusted without scrypt; also how late a revocation in another process bites. */
const CACHE_TTL_MS = 60_000;
/** `last_used_at` is written at most this often per key. */
const TOUCH_INTERVAL_MS = 60_000;
/**
 * Wrong secrets for one key that may each cost an scrypt within a window;
 * after that, tries of that key are refused unchecked until the window ends.
 */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 60_000;
/** Keys whose attempts, or last verified secret, are remembered at once (the oldest forgotten first). */
const MAX_TRACKED_KEYS = 10_000;

// `mk_<keyId>_<secret>`: the key id is `newId('key')`, the secret 32 random bytes in base64url (43 characters).
const TOKEN = /^mk_(key_[0-9a-z]{26})_([A-Za-z0-9_-]{43})$/;
// An outlet id as the channels write it (trimmed): 1–100 characters, none of them control characters.
const OUTLET = /^[^\p{C}]{1,100}$/u;

interface Verified {
  readonly secretSha: Buffer;
  readonly expiresAt: number;
  key: ApiKey;
  lastUsedMs: number;
}

/**
 * Per-organisation API keys (Bearer tokens `mk_<keyId>_<secret>`). Only an
 * scrypt hash of the secret is stored; the token is shown once, at creation.
 *
 * `verify` is on every request's path, so a verified token is remembered in
 * this process for a minute as the SHA-256 of its secret: scrypt runs once per
 * key per minute, not per request. A revocation here takes effect at once; one
 * made by another process within the cache's minute.
 *
 * A secret not yet verified costs an scrypt (tens of milliseconds of the
 * thread pool): a key gets {@link MAX_FAILURES} such checks a minute, counted
 * before scrypt runs; further unknown secrets for it are refused unchecked
 * until the minute is over, so that guessing at one key cannot tie up the
 * server. The secret last verified for a key is remembered (as SHA-256) and
 * passes without scrypt and without the limit — its owner is never locked
 * out — while a revocation still stops it.
 *
 * @example
 * const { token } = await store.keys.create({ orgId, name: 'shop-42', role: 'agent', createdBy: 'admin' });
 * const key = await store.keys.verify(token); // key?.orgId === orgId
 */
export class SqlApiKeyRepo implements ApiKeyRepo {
  readonly #db: Kysely<Database>;
  readonly #cache = new Map<string, Verified>();
  readonly #inflight = new Map<string, Promise<ApiKey | undefined>>();
  /** Recent checks of secrets not known to be right, by key id: how many, since when. */
  readonly #failures = new Map<string, { count: number; since: number }>();
  /** The secret (as SHA-256) last verified for each key, and the stored hash it was verified against. */
  readonly #known = new Map<string, { secretSha: Buffer; hash: string }>();
  readonly #now: () => number;
  // Bumped by every revoke, so a verification that raced a revoke does not cache the key again.
  #generation = 0;

  /** `now` is the clock in milliseconds; tests pass their own. */
  constructor(db: Kysely<Database>, options: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
  }

  async create(input: {
    orgId: string;
    name: string;
    role: Role;
    createdBy: string;
    outlet?: string | undefined;
  }): Promise<{ key: ApiKey; token: string }> {
    if (!(ROLES as readonly string[]).includes(input.role))
      throw invalidField('role', `must be one of ${ROLES.join(', ')}`);
    const name = input.name.trim();
    if (name === '') throw invalidField('name', 'must not be empty');
    const outlet = input.outlet?.trim();
    if (outlet !== undefined) {
      if (input.role !== 'agent') throw invalidField('outlet', 'only an agent key is bound to an outlet');
      if (!OUTLET.test(outlet))
        throw invalidField(
          'outlet',
          'must be an outlet of 1–100 characters: shop:<id>, agency:<id> or online',
        );
    }
    const id = newId('key');
    const secret = randomBytes(32).toString('base64url');
    const hash = await hashSecret(secret);
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
          outlet: outlet ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { key: toApiKey(row), token: `mk_${id}_${secret}` };
    } catch (error) {
      if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION) throw notFound('organisation');
      throw error;
    }
  }

  /** The key of a valid, unrevoked token; `undefined` otherwise (a malformed token costs no query). */
  async verify(token: string): Promise<ApiKey | undefined> {
    const match = typeof token === 'string' ? TOKEN.exec(token) : null;
    if (!match) return undefined;
    const keyId = match[1]!;
    const secret = match[2]!;
    const secretSha = createHash('sha256').update(secret).digest();
    const now = this.#now();
    const cached = this.#cache.get(keyId);
    if (cached && cached.expiresAt > now) {
      // A key has one secret: a different one is wrong, and needs no scrypt to say so.
      return timingSafeEqual(cached.secretSha, secretSha) ? this.#touch(cached, now) : undefined;
    }
    // Concurrent first uses of one token share one check.
    const flight = `${keyId}:${secretSha.toString('hex')}`;
    let pending = this.#inflight.get(flight);
    if (!pending) {
      pending = this.#verifySlow(keyId, secret, secretSha, now).finally(() => this.#inflight.delete(flight));
      this.#inflight.set(flight, pending);
    }
    return pending;
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

  /** Revoke a key of the organisation; true when it exists there (revoking twice is not an error). */
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
    return row !== undefined;
  }

  async #verifySlow(
    keyId: string,
    secret: string,
    secretSha: Buffer,
    now: number,
  ): Promise<ApiKey | undefined> {
    const generation = this.#generation;
    // The secret this process last verified for the key: it needs no scrypt again, and no lockout stops it,
    // so guessing at a key cannot lock its owner out.
    const known = this.#known.get(keyId);
    const isKnown = known !== undefined && timingSafeEqual(known.secretSha, secretSha);
    if (!isKnown) {
      // Count the attempt before scrypt runs, so that parallel guesses are refused as well.
      if (!this.#attempt(keyId, now)) return undefined;
    }
    const row = await this.#db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
    if (!row || row.revoked_at !== null) {
      this.#cache.delete(keyId);
      this.#known.delete(keyId);
      return undefined;
    }
    if (!(isKnown && known.hash === row.hash) && !(await verifySecret(secret, row.hash))) return undefined;
    this.#failures.delete(keyId);
    remember(this.#known, keyId, { secretSha, hash: row.hash });
    const entry: Verified = {
      secretSha,
      expiresAt: now + CACHE_TTL_MS,
      key: toApiKey(row),
      lastUsedMs: row.last_used_at === null ? 0 : new Date(row.last_used_at).getTime(),
    };
    if (generation === this.#generation) this.#cache.set(keyId, entry);
    return this.#touch(entry, now);
  }

  /** Record a check of an unknown secret for the key; false when the key's attempts for this window are spent. */
  #attempt(keyId: string, now: number): boolean {
    const failed = this.#failures.get(keyId);
    if (failed && now - failed.since < FAILURE_WINDOW_MS) {
      if (failed.count >= MAX_FAILURES) return false;
      failed.count++;
      return true;
    }
    remember(this.#failures, keyId, { count: 1, since: now });
    return true;
  }

  async #touch(entry: Verified, now: number): Promise<ApiKey> {
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

/** Set a key's entry as the newest, forgetting the oldest entry when the map is full. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  if (map.size >= MAX_TRACKED_KEYS) {
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
    outlet: row.outlet,
  };
}
