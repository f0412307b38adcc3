import type { PGlite, SerializerOptions } from '@electric-sql/pglite';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * A Kysely dialect for PGlite. Written here rather than taken from npm because
 * the published ones pin PGlite versions older than ours or pull in a CLI
 * framework; it is the PostgreSQL adapter, compiler and introspector with a
 * driver that hands out PGlite's one connection to one user at a time (PGlite
 * is single-session, so a transaction must own it until it ends).
 */
export class PGliteDialect implements Dialect {
  readonly #db: PGlite;

  constructor(db: PGlite) {
    this.#db = db;
  }

  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#db);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  readonly #db: PGlite;
  readonly #connection: PGliteConnection;
  #queue: Promise<void> = Promise.resolve();

  constructor(db: PGlite) {
    this.#db = db;
    this.#connection = new PGliteConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const previous = this.#queue;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#connection.release = release;
    return this.#connection;
  }

  // Transaction control in the simple query protocol: one message instead of parse, describe, bind and
  // execute, which on PGlite is about half the cost of a statement (and a decision batch has two).
  async beginTransaction(): Promise<void> {
    await this.#db.exec('begin');
  }
  async commitTransaction(): Promise<void> {
    await this.#db.exec('commit');
  }
  async rollbackTransaction(): Promise<void> {
    await this.#db.exec('rollback');
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PGliteConnection).release?.();
  }
  /** `Kysely.destroy()` closes PGlite as it ends a pg pool: the dialect owns the database it was given. */
  async destroy(): Promise<void> {
    await this.#queue;
    if (!this.#db.closed) await this.#db.close();
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #db: PGlite;
  release: (() => void) | undefined;

  constructor(db: PGlite) {
    this.#db = db;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#db.query<R>(compiled.sql, compiled.parameters as unknown[], {
      serializers: LONG_TEXT_AS_BINARY,
    });
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  // biome-ignore lint/correctness/useYield: PGlite has no cursors; streaming is not offered
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite does not support streaming queries');
  }
}

// Type OIDs (pg_type) whose binary wire format is their UTF-8 text (jsonb: a version byte first).
const TEXT = 25;
const VARCHAR = 1043;
const JSON_OID = 114;
const JSONB = 3802;
/** From this length a string parameter goes as binary (see LONG_TEXT_AS_BINARY). */
const LONG_TEXT = 256;

/**
 * Serializers for text and JSON parameters that send long values in binary
 * format: PGlite measures each text-format parameter's UTF-8 length with a
 * JavaScript loop, which for a decision-log batch (one jsonb parameter of
 * tens of kilobytes) cost more than the insert itself; `Buffer` encodes it
 * natively. Short values, and what the defaults would send, are unchanged.
 *
 * PGlite types serializers as returning strings, but its Bind message sends
 * a byte array in binary format (as node-postgres does); `dialect.test.ts`
 * and the store suite's long jsonb and text values cover this path.
 */
const LONG_TEXT_AS_BINARY = {
  [TEXT]: textParameter,
  [VARCHAR]: textParameter,
  [JSON_OID]: (value: unknown) => jsonParameter(value, false),
  [JSONB]: (value: unknown) => jsonParameter(value, true),
} as unknown as SerializerOptions;

function textParameter(value: unknown): string | Uint8Array {
  const text = value instanceof Date ? value.toISOString() : String(value);
  return text.length < LONG_TEXT ? text : Buffer.from(text, 'utf8');
}

function jsonParameter(value: unknown, jsonb: boolean): string | Uint8Array {
  // As PGlite's own serializer: a string is JSON text already; a bigint goes as its digits.
  const text =
    typeof value === 'string'
      ? value
      : JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  if (text.length < LONG_TEXT) return text;
  if (!jsonb) return Buffer.from(text, 'utf8');
  const bytes = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'));
  bytes[0] = 1; // jsonb binary format version
  bytes.write(text, 1, 'utf8');
  return bytes;
}
