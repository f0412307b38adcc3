import type { PGlite } from '@electric-sql/pglite';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { CLUSTER_CHANNEL, type ClusterTransport } from './cluster-events.ts';
import type { Database } from './schema.ts';

/** `application_name` of the listening connection, as `pg_stat_activity` shows it. */
export const CLUSTER_LISTENER_NAME = 'mamoru-cluster-listener';

export interface PgListenerOptions {
  /** First wait before reconnecting (default 100 ms); it doubles per failed try up to `maxBackoffMs`. */
  readonly minBackoffMs?: number;
  /** Longest wait between reconnection tries (default 10 s). */
  readonly maxBackoffMs?: number;
  /** How often the idle connection is checked with a query (default 30 s). */
  readonly heartbeatMs?: number;
  /** Told when the connection failed or could not be made (it is retried). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * The PostgreSQL side of `ClusterEvents`: one dedicated connection (not from the pool: a pooled
 * connection is handed to queries and its `LISTEN` would be lost with it) that runs `LISTEN`.
 * When it drops — a server restart, a failover, an idle connection cut by a firewall (found by a
 * heartbeat query) — it reports `lost` and reconnects with exponential backoff and jitter,
 * listens again, and reports `lost` once more: what was sent meanwhile never arrives.
 */
export function pgListener(connectionString: string, options: PgListenerOptions = {}): ClusterTransport {
  const minBackoff = Math.max(1, options.minBackoffMs ?? 100);
  const maxBackoff = Math.max(minBackoff, options.maxBackoffMs ?? 10_000);
  const heartbeatMs = Math.max(100, options.heartbeatMs ?? 30_000);
  const onError = options.onError ?? (() => {});
  let client: pg.Client | undefined;
  let stopped = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let deliver: (payload: string) => void = () => {};
  let lost: () => void = () => {};

  const schedule = () => {
    if (stopped || retry) return;
    const ceiling = Math.min(maxBackoff, minBackoff * 2 ** Math.min(failures, 20));
    failures++;
    // Full jitter between half and all of the ceiling: servers that lost the database together do not return in step.
    const wait = ceiling / 2 + Math.random() * (ceiling / 2);
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, wait);
    retry.unref();
  };

  const dropped = (which: pg.Client, error?: unknown) => {
    if (which !== client) return;
    client = undefined;
    if (error !== undefined) onError(error);
    which.removeAllListeners('notification');
    which.end().catch(() => {});
    if (stopped) return;
    lost();
    schedule();
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({
      connectionString,
      application_name: CLUSTER_LISTENER_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      query_timeout: 10_000,
    });
    // Before connect: an error event with no listener would end the process.
    next.on('error', (error) => dropped(next, error));
    next.on('end', () => dropped(next));
    next.on('notification', (n) => {
      if (n.channel === CLUSTER_CHANNEL && n.payload !== undefined) deliver(n.payload);
    });
    try {
      await next.connect();
      await next.query(`listen ${CLUSTER_CHANNEL}`);
    } catch (error) {
      next.removeAllListeners('end');
      next.end().catch(() => {});
      onError(error);
      schedule();
      return;
    }
    if (stopped) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    failures = 0;
    lost();
  };

  return {
    async start(onPayload, onLost) {
      deliver = onPayload;
      lost = onLost;
      heartbeat = setInterval(() => {
        const current = client;
        current?.query('select 1').catch((error: unknown) => dropped(current, error));
      }, heartbeatMs);
      heartbeat.unref();
      await connect();
    },
    get listening() {
      return client !== undefined;
    },
    async stop() {
      stopped = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('end');
        await current.end().catch(() => {});
      }
    },
  };
}

/**
 * The PGlite side of `ClusterEvents`: PGlite is one database in one process, so every message
 * is this process's own; they go through PostgreSQL's `NOTIFY` all the same, the code path a
 * cluster uses. `LISTEN` runs through Kysely (PGlite's one session is queued there, so it never
 * lands inside another caller's transaction).
 */
export function pgliteListener(lite: PGlite, db: Kysely<Database>): ClusterTransport {
  let listening = false;
  let off: (() => void) | undefined;
  return {
    async start(deliver) {
      off = lite.onNotification((channel, payload) => {
        if (listening && channel === CLUSTER_CHANNEL) deliver(payload);
      });
      await sql`listen ${sql.raw(CLUSTER_CHANNEL)}`.execute(db);
      listening = true;
    },
    get listening() {
      return listening;
    },
    async stop() {
      listening = false;
      off?.();
    },
  };
}
