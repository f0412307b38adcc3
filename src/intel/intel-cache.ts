import type { IndicatorMatch, IndicatorRef } from '../core/index.ts';
import { CLUSTER_PAYLOAD_LIMIT, type ClusterEvents } from '../store/cluster-events.ts';

/**
 * How long a lookup answer is reused. Writes made through this process's
 * `IndicatorService` are seen at once; with `cluster`, writes made by another
 * process sharing the database (a second server, the CLI's `intel import`)
 * as soon as its message arrives. This is the staleness bound when there is
 * no cluster or a message is lost.
 */
export const INTEL_CACHE_TTL_MS = 5_000;

/** Most (organisation, type, value) answers kept; the least recently used go first. */
export const INTEL_CACHE_MAX_ENTRIES = 50_000;

/** A match as the database returns it, with the indicator's expiry (epoch ms; null: never). */
export interface LoadedMatch {
  readonly match: IndicatorMatch;
  readonly expiresAt: number | null;
}

export interface IntelCacheOptions {
  /** Default {@link INTEL_CACHE_TTL_MS}; 0 turns the cache off (every lookup asks the database). */
  readonly ttlMs?: number;
  /** Default {@link INTEL_CACHE_MAX_ENTRIES}. */
  readonly maxEntries?: number;
  /**
   * The processes sharing the database (issue 8 item 8): every invalidation here is announced to
   * them, and theirs forget values here; a batch too large for one message, or messages that
   * may have been lost, forget everything.
   */
  readonly cluster?: ClusterEvents | undefined;
}

interface Entry {
  readonly matches: readonly IndicatorMatch[];
  /** Epoch ms after which the entry is not used: the TTL, or sooner when a matched indicator expires. */
  readonly until: number;
}

const NONE: readonly IndicatorMatch[] = Object.freeze([]);

/**
 * An in-process cache of indicator lookups (the engine's pre stage asks for
 * every event, and fraud campaigns repeat the same URLs and numbers), with
 * negative answers cached like positive ones.
 *
 * An answer belongs to the organisation that asked: what it sees depends on
 * its own, its partners' and public indicators, so entries are keyed by
 * organisation, type and value, and one organisation's entry never answers
 * another. A write to (type, value) forgets that pair's entries for every
 * organisation at once, since a shared indicator changes what others see.
 *
 * Concurrent lookups of the same ref share one database query, and a query
 * that was running when a write forgot its ref does not store its (possibly
 * older) answer. Entries live at most `ttlMs` and never past the expiry of
 * an indicator they match. Memory is bounded by `maxEntries`. With a
 * `cluster`, invalidations reach every process on the database.
 *
 * @example
 * const cache = new IntelCache();
 * const matches = await cache.lookup(orgId, refs, Date.now(), (missing) => queryDatabase(missing));
 * cache.invalidate([{ type: 'url', value: 'https://example.test/' }]); // after writing it
 */
export class IntelCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  /** `type\0value` → organisation → entry; Map order is the LRU order of the (type, value) groups. */
  readonly #groups = new Map<string, Map<string, Entry>>();
  /** `type\0value\0org` → the answer of a query still running. */
  readonly #inflight = new Map<string, Promise<readonly IndicatorMatch[]>>();
  #size = 0;
  /** Bumped by every invalidation: a query that started before it must not store its answer. */
  #generation = 0;
  readonly #cluster: ClusterEvents | undefined;

  constructor(options: IntelCacheOptions = {}) {
    this.#ttlMs = Math.max(0, options.ttlMs ?? INTEL_CACHE_TTL_MS);
    this.#maxEntries = Math.max(1, options.maxEntries ?? INTEL_CACHE_MAX_ENTRIES);
    this.#cluster = options.cluster;
    this.#cluster?.subscribe('intel', (notice) => {
      // This process forgot its own writes when it made them.
      if (notice.self) return;
      if (notice.keys === undefined) this.#forgetAll();
      else this.#forget(notice.keys.map(clusterGroupKey));
    });
  }

  /** Cached (organisation, type, value) answers. */
  get size(): number {
    return this.#size;
  }

  /**
   * The matches of `refs` for `orgId`: from the cache, from a query already
   * running for the same ref, or from one call of `load` for all the others.
   * `load` must return the matches of exactly the refs it is given (unique
   * by type and value), unexpired at `now`. Matches are frozen: the cache
   * shares them between callers.
   */
  async lookup(
    orgId: string,
    refs: readonly IndicatorRef[],
    now: number,
    load: (missing: readonly IndicatorRef[]) => Promise<readonly LoadedMatch[]>,
  ): Promise<IndicatorMatch[]> {
    const found: IndicatorMatch[] = [];
    const waiting: Promise<readonly IndicatorMatch[]>[] = [];
    const missing: IndicatorRef[] = [];
    for (const ref of refs) {
      const cached = this.#get(orgId, ref, now);
      if (cached) {
        for (const m of cached) found.push(m);
        continue;
      }
      const running = this.#inflight.get(flightKey(orgId, ref));
      if (running) waiting.push(running);
      else missing.push(ref);
    }
    if (missing.length > 0) waiting.push(...this.#load(orgId, missing, now, load));
    if (waiting.length === 0) return found;
    for (const matches of await Promise.all(waiting)) for (const m of matches) found.push(m);
    return found;
  }

  /**
   * Forget every organisation's answer for these (type, value) pairs: call after writing them.
   * Other processes on the database forget them too (with `cluster`).
   */
  invalidate(refs: Iterable<{ readonly type: string; readonly value: string }>): void {
    const keys: string[] = [];
    // What the other processes are told: the values, or (undefined) everything once they cannot fit one message.
    let named: string[] | undefined = this.#cluster ? [] : undefined;
    let length = 0;
    for (const ref of refs) {
      keys.push(groupKey(ref));
      if (named === undefined) continue;
      const key = `${ref.type}:${ref.value}`;
      length += key.length + 3;
      if (length > CLUSTER_PAYLOAD_LIMIT) named = undefined;
      else named.push(key);
    }
    if (keys.length === 0) return;
    this.#forget(keys);
    void this.#cluster?.announce({ topic: 'intel', keys: named });
  }

  /** Forget everything (a partnership changed what organisations see of each other), here and in every process. */
  clear(): void {
    this.#forgetAll();
    if (this.#cluster) void this.#cluster.announce({ topic: 'intel' });
  }

  #forget(keys: readonly string[]): void {
    this.#generation++;
    this.#inflight.clear();
    for (const key of keys) {
      const group = this.#groups.get(key);
      if (group) {
        this.#size -= group.size;
        this.#groups.delete(key);
      }
    }
  }

  #forgetAll(): void {
    this.#generation++;
    this.#inflight.clear();
    this.#groups.clear();
    this.#size = 0;
  }

  /** One query for the missing refs; each ref gets its own share of the answer, for joiners too. */
  #load(
    orgId: string,
    missing: readonly IndicatorRef[],
    now: number,
    load: (missing: readonly IndicatorRef[]) => Promise<readonly LoadedMatch[]>,
  ): Promise<readonly IndicatorMatch[]>[] {
    const generation = this.#generation;
    const query = load(missing).then((loaded) => {
      const byRef = new Map<string, { matches: IndicatorMatch[]; until: number }>();
      for (const ref of missing) byRef.set(groupKey(ref), { matches: [], until: now + this.#ttlMs });
      for (const { match, expiresAt } of loaded) {
        const slot = byRef.get(groupKey(match));
        if (!slot) continue;
        slot.matches.push(Object.freeze({ ...match }));
        if (expiresAt !== null && expiresAt < slot.until) slot.until = expiresAt;
      }
      return byRef;
    });
    const shares = missing.map((ref) => {
      const key = flightKey(orgId, ref);
      const share = query.then(
        (byRef) => {
          const slot = byRef.get(groupKey(ref))!;
          const matches = slot.matches.length === 0 ? NONE : Object.freeze(slot.matches);
          if (this.#inflight.get(key) === share) this.#inflight.delete(key);
          if (generation === this.#generation && this.#ttlMs > 0)
            this.#set(orgId, ref, { matches, until: slot.until });
          return matches;
        },
        (error: unknown) => {
          if (this.#inflight.get(key) === share) this.#inflight.delete(key);
          throw error;
        },
      );
      if (this.#ttlMs > 0) this.#inflight.set(key, share);
      return share;
    });
    return shares;
  }

  #get(orgId: string, ref: IndicatorRef, now: number): readonly IndicatorMatch[] | undefined {
    const key = groupKey(ref);
    const group = this.#groups.get(key);
    const entry = group?.get(orgId);
    if (!group || !entry) return undefined;
    if (now >= entry.until) {
      group.delete(orgId);
      this.#size--;
      if (group.size === 0) this.#groups.delete(key);
      return undefined;
    }
    // Most recently used goes last.
    this.#groups.delete(key);
    this.#groups.set(key, group);
    return entry.matches;
  }

  #set(orgId: string, ref: IndicatorRef, entry: Entry): void {
    const key = groupKey(ref);
    let group = this.#groups.get(key);
    if (group) this.#groups.delete(key);
    else group = new Map();
    this.#groups.set(key, group);
    if (!group.has(orgId)) this.#size++;
    group.set(orgId, entry);
    for (const [oldest, g] of this.#groups) {
      if (this.#size <= this.#maxEntries) break;
      this.#size -= g.size;
      this.#groups.delete(oldest);
    }
  }
}

function groupKey(ref: { readonly type: string; readonly value: string }): string {
  return `${ref.type}\u0000${ref.value}`;
}

/** A cluster message's `type:value` (types have no colon; values may) as a group key. */
function clusterGroupKey(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : `${key.slice(0, colon)}\u0000${key.slice(colon + 1)}`;
}

function flightKey(orgId: string, ref: IndicatorRef): string {
  return `${ref.type}\u0000${ref.value}\u0000${orgId}`;
}
