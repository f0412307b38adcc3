/**
 * A bounded cache for answers that are costly to work out again (a host's
 * look-alike check, a URL's risk, a subscriber's settings): a Map kept at
 * most `max` entries long, dropping the least recently used first (a Map
 * keeps insertion order; a hit moves its entry to the back). Written here
 * because it is a dozen lines and the npm LRU packages bring TTLs and
 * sizing we do not need on the hot path.
 */
export class LruCache<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();
  constructor(max: number) {
    this.#max = max;
  }
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as K);
  }
  get size(): number {
    return this.#map.size;
  }
  delete(key: K): void {
    this.#map.delete(key);
  }
  clear(): void {
    this.#map.clear();
  }
}
