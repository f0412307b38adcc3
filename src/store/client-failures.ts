/**
 * Failed authentications counted per client (an IP address, or an IPv6 /64),
 * in fixed windows: after `max` failures within `windowMs`, the client is
 * limited until its window ends.
 *
 * The table is bounded and cannot be flushed: at most `capacity` clients are
 * tracked, a client's entry is forgotten only when its window is over, and a
 * new client arriving while the table is full of live windows is limited at
 * once (until the oldest window ends) instead of pushing another client's
 * count out. Being limited only ever changes the answer to a failure: a right
 * secret is checked before the count is looked at.
 *
 * @example
 * const failures = new ClientFailures({ max: 20, windowMs: 60_000, capacity: 10_000 });
 * failures.add('203.0.113.7', Date.now());
 * failures.retryAfterMs('203.0.113.7', Date.now()); // 0 until the 20th failure
 */
export class ClientFailures {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #capacity: number;
  /** By client; insertion order is the order windows started in (an entry is re-inserted when a new one starts). */
  readonly #windows = new Map<string, { count: number; since: number }>();

  constructor(options: { max: number; windowMs: number; capacity: number }) {
    this.#max = options.max;
    this.#windowMs = options.windowMs;
    this.#capacity = options.capacity;
  }

  /** Count one failure of `client`. */
  add(client: string, now: number): void {
    const entry = this.#live(client, now);
    if (entry) {
      entry.count++;
      return;
    }
    this.#windows.delete(client);
    if (this.#windows.size >= this.#capacity) this.#forgetEnded(now);
    // Full of live windows: this client is not tracked; `retryAfterMs` limits it while the table stays full.
    if (this.#windows.size >= this.#capacity) return;
    this.#windows.set(client, { count: 1, since: now });
  }

  /** Take back a failure counted before its check (the secret turned out right). */
  remove(client: string, now: number): void {
    const entry = this.#live(client, now);
    if (entry && entry.count > 0) entry.count--;
  }

  /** How long `client` is still limited, in milliseconds; 0 when it is not. */
  retryAfterMs(client: string, now: number): number {
    const entry = this.#live(client, now);
    if (entry) return entry.count >= this.#max ? entry.since + this.#windowMs - now : 0;
    if (this.#windows.size < this.#capacity) return 0;
    this.#forgetEnded(now);
    const oldest = this.#windows.values().next();
    return oldest.done ? 0 : Math.max(1, oldest.value.since + this.#windowMs - now);
  }

  /** Clients tracked now (for tests and metrics). */
  get size(): number {
    return this.#windows.size;
  }

  #live(client: string, now: number): { count: number; since: number } | undefined {
    const entry = this.#windows.get(client);
    return entry && now - entry.since < this.#windowMs ? entry : undefined;
  }

  #forgetEnded(now: number): void {
    for (const [client, entry] of this.#windows) {
      if (now - entry.since < this.#windowMs) break;
      this.#windows.delete(client);
    }
  }
}
