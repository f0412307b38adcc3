import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/** The one `LISTEN`/`NOTIFY` channel a Mamoru cluster talks on. */
export const CLUSTER_CHANNEL = 'mamoru_cluster';

/**
 * Largest payload sent as it is. PostgreSQL refuses a `NOTIFY` payload of 8000 bytes or more; a
 * message that would be larger is sent without its keys, which means "everything of its topic".
 */
export const CLUSTER_PAYLOAD_LIMIT = 7_900;

/**
 * What a cluster message is about: `intel` (indicator lookups cached per process; keys are
 * `type:value`), `key` (API key rows cached per process; keys are key ids).
 */
export const CLUSTER_TOPICS = ['intel', 'key', 'policy'] as const;
export type ClusterTopic = (typeof CLUSTER_TOPICS)[number];

/** A change another process must hear of: what is cached about these keys is out of date. */
export interface ClusterMessage {
  readonly topic: ClusterTopic;
  /** The organisation the change was made for, when there is one (for logs; caches key by value). */
  readonly org?: string | undefined;
  /** What changed; absent: everything of the topic (a batch too large to name). */
  readonly keys?: readonly string[] | undefined;
}

/** A message as a subscriber receives it. */
export interface ClusterNotice {
  readonly topic: ClusterTopic;
  readonly org: string | undefined;
  /** What changed; `undefined`: forget everything of the topic. */
  readonly keys: readonly string[] | undefined;
  /**
   * Sent by this process (it already forgot what it wrote). A notice that messages may have
   * been lost (the listening connection dropped) is never `self`.
   */
  readonly self: boolean;
}

export type ClusterHandler = (notice: ClusterNotice) => void;

/**
 * How notifications reach this process: a dedicated PostgreSQL connection, or PGlite's own
 * notifications (`cluster-listeners.ts`).
 */
export interface ClusterTransport {
  /**
   * Start listening on {@link CLUSTER_CHANNEL}: `deliver` gets each payload, `lost` is called
   * whenever messages may have been missed (the connection dropped, and again once it listens
   * anew). Resolves once listening, or once the first attempt failed and retries are under way.
   */
  start(deliver: (payload: string) => void, lost: () => void): Promise<void>;
  /** Whether notifications are being received now. */
  readonly listening: boolean;
  stop(): Promise<void>;
}

export interface ClusterEventsOptions {
  /** This process's name in the cluster; default `<host>:<pid>:<random>`. */
  readonly instance?: string | undefined;
  /** Told when a message could not be sent or a subscriber threw; default: nothing. */
  readonly onError?: ((error: unknown, what: string) => void) | undefined;
}

/**
 * Cache invalidation across the Mamoru processes that share one database (issue 8 item 8):
 * every process listens on one channel; a process that changes something others may have
 * cached publishes what changed, and every process forgets it. On PostgreSQL the messages go
 * through `NOTIFY` on the shared database and a dedicated listening connection that reconnects
 * with backoff; on PGlite (one process) through PGlite's own notifications, the same code path.
 *
 * Delivery is best effort: a message sent while a process's listener is down is lost, so the
 * transport reports `lost` and every subscriber forgets everything of its topic. Subscribers
 * keep a short TTL as well; a notification makes a change visible in well under a second.
 *
 * @example
 * const cluster = await ClusterEvents.open(db, pgListener(databaseUrl));
 * cluster.subscribe('key', (n) => (n.keys ? n.keys.forEach((id) => cache.delete(id)) : cache.clear()));
 * await cluster.publish({ topic: 'key', org, keys: [keyId] }); // after the revocation committed
 */
export class ClusterEvents {
  readonly instance: string;
  readonly #db: Kysely<Database>;
  readonly #transport: ClusterTransport;
  readonly #onError: (error: unknown, what: string) => void;
  readonly #handlers = new Map<ClusterTopic, Set<ClusterHandler>>();
  #closed = false;

  private constructor(db: Kysely<Database>, transport: ClusterTransport, options: ClusterEventsOptions) {
    this.#db = db;
    this.#transport = transport;
    this.instance = options.instance ?? instanceName();
    this.#onError = options.onError ?? (() => {});
  }

  /** Start listening through `transport`; publish through `db` (the shared database). */
  static async open(
    db: Kysely<Database>,
    transport: ClusterTransport,
    options: ClusterEventsOptions = {},
  ): Promise<ClusterEvents> {
    const events = new ClusterEvents(db, transport, options);
    await transport.start(
      (payload) => events.#receive(payload),
      () => events.#lost(),
    );
    return events;
  }

  /** Whether this process hears the others now (false while its listener reconnects). */
  get listening(): boolean {
    return !this.#closed && this.#transport.listening;
  }

  /**
   * Tell every process (this one included) that `message` changed. Call it after the change
   * committed: a process that hears of it before could cache the old value again. Resolves once
   * the database took the notification; rejects when it could not (the change stands; other
   * processes see it when their cache entries expire).
   */
  async publish(message: ClusterMessage): Promise<void> {
    await sql`select pg_notify(${CLUSTER_CHANNEL}, ${encodeClusterMessage(message, this.instance)})`.execute(
      this.#db,
    );
  }

  /**
   * {@link publish} that never rejects: a failure goes to `onError` (the change stands; the
   * others see it when their cache entries expire). Callers that need not wait drop the promise.
   */
  announce(message: ClusterMessage): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.publish(message).catch((error: unknown) =>
      this.#onError(error, `cluster publish ${message.topic}`),
    );
  }

  /** Receive the notices of one topic; returns a function that ends the subscription. */
  subscribe(topic: ClusterTopic, handler: ClusterHandler): () => void {
    let handlers = this.#handlers.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.#handlers.set(topic, handlers);
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    await this.#transport.stop();
  }

  #receive(payload: string): void {
    const message = decodeClusterMessage(payload);
    if (!message) return;
    const { topic, org, keys, from } = message;
    this.#dispatch({ topic, org, keys, self: from === this.instance });
  }

  /** Messages may have been missed: every subscriber forgets everything of its topic. */
  #lost(): void {
    for (const topic of this.#handlers.keys())
      this.#dispatch({ topic, org: undefined, keys: undefined, self: false });
  }

  #dispatch(notice: ClusterNotice): void {
    for (const handler of this.#handlers.get(notice.topic) ?? []) {
      try {
        handler(notice);
      } catch (error) {
        this.#onError(error, `cluster handler ${notice.topic}`);
      }
    }
  }
}

/**
 * The payload of a message: `{"topic","org","keys","from"}` as JSON, without `keys` when it
 * would pass {@link CLUSTER_PAYLOAD_LIMIT} bytes (then it means everything of the topic).
 */
export function encodeClusterMessage(message: ClusterMessage, from: string): string {
  const base = { topic: message.topic, ...(message.org === undefined ? {} : { org: message.org }), from };
  if (message.keys !== undefined) {
    const full = JSON.stringify({ ...base, keys: message.keys });
    if (Buffer.byteLength(full) <= CLUSTER_PAYLOAD_LIMIT) return full;
  }
  const all = JSON.stringify(base);
  // Only an absurd org or instance name could pass the limit alone.
  return Buffer.byteLength(all) <= CLUSTER_PAYLOAD_LIMIT
    ? all
    : JSON.stringify({ topic: message.topic, from });
}

/**
 * A payload read back; `undefined` for anything that is not one (the channel is a database
 * name anyone with access may notify on: a stray message is ignored, never trusted further).
 */
export function decodeClusterMessage(
  payload: string,
): { topic: ClusterTopic; org: string | undefined; keys: string[] | undefined; from: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { topic, org, keys, from } = parsed as Record<string, unknown>;
  if (!(CLUSTER_TOPICS as readonly unknown[]).includes(topic) || typeof from !== 'string') return undefined;
  if (org !== undefined && typeof org !== 'string') return undefined;
  if (keys !== undefined && !(Array.isArray(keys) && keys.every((k) => typeof k === 'string')))
    return undefined;
  return { topic: topic as ClusterTopic, org, keys: keys as string[] | undefined, from };
}

/** A name for this process among those sharing a database: `<host>:<pid>:<random>`. */
export function instanceName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}
