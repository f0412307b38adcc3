import type { z } from 'zod';
import { assertNever } from './assert-never.ts';
import type { LocalizedText } from './text.ts';

/**
 * A channel's operations beside screening (issue 8, item 2): import lines,
 * record an activation, list or release quarantined mail, request a freeze.
 * An operation is transport-free — a name, a path, the permission it takes,
 * its zod input and output schemas and a `run` — and the platform maps every
 * registered channel's operations to HTTP routes (`POST /v1/<channel>/<path>`,
 * documented in OpenAPI) and to CLI commands (`mamoru <channel> <name>`),
 * generically: no route or command file per channel.
 *
 * `run` reaches the channel's own store through the channel factory's
 * closure; the context carries only the caller and what the platform gives
 * (an abort signal, the import report of a records input).
 */

/** Methods an operation is served with: GET reads (a query input), POST acts. */
export const OPERATION_METHODS = ['GET', 'POST'] as const;
export type OperationMethod = (typeof OPERATION_METHODS)[number];

/** Formats of a records input: CSV with a header row, or JSON lines. */
export const RECORD_FORMATS = ['csv', 'jsonl'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** Who runs an operation: an API key, or the CLI's operator, inside one organisation. */
export interface OperationActor {
  readonly id: string;
  readonly orgId: string;
  readonly role: string;
  /** The one origin a bound key acts for (a shop, an agency: `shop:<id>`), when it is bound to one. */
  readonly origin?: string | undefined;
}

/** What every operation's `run` gets besides its input. */
export interface OperationContext {
  readonly actor: OperationActor;
  /**
   * The path's parameters (`quarantine/:id/release` → `{ id }`), each a
   * string of 1 to 200 characters; empty when the path has none.
   */
  readonly params: Readonly<Record<string, string>>;
  /** Aborted when the caller goes away (the HTTP client hung up). */
  readonly signal: AbortSignal;
}

/** A records input: a byte stream (a request body, a file) and its format, read record by record. */
export interface RecordStream {
  readonly format: RecordFormat;
  readonly bytes: AsyncIterable<Uint8Array | string>;
}

/** Counts of a records run so far: processed = imported + updated + rejected. */
export interface RecordProgress {
  readonly processed: number;
  readonly imported: number;
  readonly updated: number;
  readonly rejected: number;
}

/** One refused record: its line in the input (1-based, a CSV header included), the field and why. */
export interface RecordRejection {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

/** What a records run did: its counts and its first rejections (every one went to `ctx.rejections`). */
export interface RecordsResult extends RecordProgress {
  readonly rejections: readonly RecordRejection[];
}

/** The context of a records run: the import report takes every rejection and the progress. */
export interface RecordsContext extends OperationContext {
  /** Every rejected record, in input order, a batch at a time; the run waits for each write. */
  readonly rejections: { write(rejections: readonly RecordRejection[]): Promise<void> };
  readonly onProgress: (progress: RecordProgress) => void;
}

/** One named example of an input, for the API docs (and checked against the route by the docs tests). */
export interface OperationExample {
  readonly summary: string;
  readonly value: unknown;
}

interface OperationBase {
  /** Kebab-case, unique in its channel: the CLI command (`mamoru <channel> <name>`). */
  readonly name: string;
  /** Other names the CLI command answers to (an older command name), kebab-case. */
  readonly aliases?: readonly string[];
  /**
   * The URL under `/v1/<channel>/`: kebab-case segments, and `:name`
   * segments for path parameters (`lines/import`, `quarantine/:id/release`).
   */
  readonly path: string;
  readonly summary: LocalizedText;
  readonly description?: LocalizedText;
  /** The permission the caller's role must hold (`resource:verb`, one of the platform's permissions). */
  readonly permission: string;
}

/** An operation on one JSON object (a POST body, or a JSON file or stdin on the CLI). */
export interface JsonOperation<I = unknown, O = unknown> extends OperationBase {
  readonly method?: 'POST';
  readonly input: {
    readonly kind: 'json';
    /** Validates the input; each field at fault is named (under `body.` over HTTP). */
    readonly schema: z.ZodType<I>;
    readonly examples?: Readonly<Record<string, OperationExample>>;
  };
  readonly output: z.ZodType<O>;
  /** The success status: 200 unless this says 201 (something was created). */
  readonly status?: (output: O) => 200 | 201;
  /** A `validation_failed` error names fields of the input as the schema does (`holder.name`). */
  run(input: I, ctx: OperationContext): Promise<O>;
}

/** An operation on a query (GET: a list, a lookup; or a POST whose few options fit a query string). */
export interface QueryOperation<Q = unknown, O = unknown> extends OperationBase {
  readonly method: OperationMethod;
  readonly input: {
    readonly kind: 'query';
    /**
     * A `z.object` of the query string's fields (values arrive as text: use
     * `z.coerce` for numbers); each becomes a `--<field>` option on the CLI.
     */
    readonly schema: z.ZodType<Q>;
  };
  readonly output: z.ZodType<O>;
  readonly status?: (output: O) => 200 | 201;
  run(input: Q, ctx: OperationContext): Promise<O>;
}

/**
 * A bulk operation on a records file — CSV with a header row or JSON lines,
 * up to 256 MiB, streamed and read record by record — with an import report:
 * the answer holds the counts and the first 1,000 rejections, and every
 * rejection is kept (`GET /v1/imports/{id}/rejections`).
 */
export interface RecordsOperation extends OperationBase {
  readonly method?: 'POST';
  readonly input: {
    readonly kind: 'records';
    /**
     * The import report's kind (`GET /v1/imports/{id}` answers it): unique
     * across channels; reading the report takes this operation's permission.
     */
    readonly importKind: string;
    /** Each format as the docs describe it, with an example every record of which is accepted. */
    readonly formats: Readonly<
      Record<RecordFormat, { readonly description: string; readonly example: string }>
    >;
  };
  /** Rejects bad records with their line, field and reason; a bad CSV header refuses the file. */
  run(records: RecordStream, ctx: RecordsContext): Promise<RecordsResult>;
}

/** Any operation a channel declares; its input and output types are erased here. */
export type ChannelOperation =
  // biome-ignore lint/suspicious/noExplicitAny: a channel lists operations of different input types
  | JsonOperation<any, any>
  // biome-ignore lint/suspicious/noExplicitAny: as above
  | QueryOperation<any, any>
  | RecordsOperation;

/**
 * Declare an operation with its input and output types inferred from its schemas.
 *
 * @example
 * const recordLine = defineOperation({
 *   name: 'record-line', path: 'lines', permission: 'lines:write',
 *   summary: { ja: '回線を記録', en: 'Record a line' },
 *   input: { kind: 'json', schema: lineEventSchema }, output: recordedLineSchema,
 *   status: (out) => (out.created ? 201 : 200),
 *   run: (line, ctx) => lines.record(ctx.actor.orgId, line),
 * });
 */
export function defineOperation<I, O>(operation: JsonOperation<I, O>): JsonOperation<I, O>;
export function defineOperation<Q, O>(operation: QueryOperation<Q, O>): QueryOperation<Q, O>;
export function defineOperation(operation: RecordsOperation): RecordsOperation;
export function defineOperation(operation: ChannelOperation): ChannelOperation {
  return operation;
}

/** Whether an operation reads a records file (else it takes one JSON value or a query). */
export function isRecordsOperation(operation: ChannelOperation): operation is RecordsOperation {
  return operation.input.kind === 'records';
}

/**
 * Act on an operation by its kind of input, one handler each: the
 * transports (routes, commands) treat every kind, and a kind added later
 * fails to compile where it is not handled.
 *
 * @example matchOperation(op, { json: jsonRoute, query: queryRoute, records: recordsRoute })
 */
export function matchOperation<T>(
  operation: ChannelOperation,
  handlers: {
    readonly json: (operation: JsonOperation) => T;
    readonly query: (operation: QueryOperation) => T;
    readonly records: (operation: RecordsOperation) => T;
  },
): T {
  const kind = operation.input.kind;
  switch (kind) {
    case 'json':
      return handlers.json(operation as JsonOperation);
    case 'query':
      return handlers.query(operation as QueryOperation);
    case 'records':
      return handlers.records(operation as RecordsOperation);
    default:
      return assertNever(kind);
  }
}

/** The method an operation is served with (POST unless it says GET). */
export function operationMethod(operation: ChannelOperation): OperationMethod {
  return operation.method ?? 'POST';
}

/** The names of a path's parameters, in order: `quarantine/:id/release` → `['id']`. */
export function pathParams(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => s.slice(1));
}

/** Names the platform gives every channel besides its operations (the CLI's `mamoru <channel> screen`). */
export const RESERVED_OPERATION_NAMES = ['screen'] as const;

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PARAM = /^:[a-z][a-zA-Z0-9]*$/;

/**
 * What is wrong with a channel's operations (a programming error, refused
 * when the server or the CLI is built): a name or path that is not
 * kebab-case, a name or a method and path used twice, a GET with a body, a
 * repeated path parameter, a name the platform keeps ({@link RESERVED_OPERATION_NAMES}).
 */
export function operationIssues(channel: string, operations: readonly ChannelOperation[]): string[] {
  const issues: string[] = [];
  const names = new Set<string>(RESERVED_OPERATION_NAMES);
  const routes = new Set<string>();
  for (const op of operations) {
    const where = `${channel}.${op.name}`;
    for (const name of [op.name, ...(op.aliases ?? [])]) {
      if (!KEBAB.test(name)) issues.push(`${where}: name ${JSON.stringify(name)} is not kebab-case`);
      if (names.has(name)) issues.push(`${where}: name ${name} is taken`);
      names.add(name);
    }
    const segments = op.path.split('/');
    if (!segments.every((s) => KEBAB.test(s) || PARAM.test(s)))
      issues.push(`${where}: path ${JSON.stringify(op.path)} is not kebab-case segments and :params`);
    const params = pathParams(op.path);
    if (new Set(params).size !== params.length) issues.push(`${where}: a path parameter repeats`);
    const method = operationMethod(op);
    if (method === 'GET' && op.input.kind !== 'query') issues.push(`${where}: a GET takes a query input`);
    // `/lines/:id` and `/lines/:key` are one route to a router.
    const route = `${method} ${segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/')}`;
    if (routes.has(route)) issues.push(`${where}: ${method} ${op.path} is another operation's route`);
    routes.add(route);
  }
  return issues;
}
