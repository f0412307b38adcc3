/**
 * The milter server (measures E1–E4, issue 11 item 3): Postfix (`smtpd_milters =
 * inet:127.0.0.1:11332`) hands each inbound mail to it; per connection a state machine over the
 * commands `protocol.ts` decodes collects the envelope, the headers and a bounded body, and at
 * end-of-body asks `onMessage` for the verdict: accept (with added headers such as
 * Authentication-Results), quarantine (E4: held, never silently lost), reject `550 5.7.1`,
 * tempfail, discard.
 *
 * WHY our own server: no maintained Node milter library exists; the codec is ours too
 * (`README.md` beside this file). The server runs on `node:net`, one state machine per socket.
 *
 * Failure policy — never accept-and-lose: any internal error while deciding (`onMessage` throws,
 * times out after `timeoutMs`, returns a verdict the codec refuses to encode) answers the message
 * `451 4.7.1` (tempfail: the sender retries). A protocol error we cannot answer (a malformed or
 * oversize packet, a command before option negotiation, a failed negotiation) closes the socket:
 * the MTA then applies `milter_default_action`, which must be set to `tempfail` in Postfix
 * (`milter_default_action = tempfail`) so the mail stays queued rather than passing unfiltered.
 *
 * Memory is bounded per connection: the decoder holds at most one packet, the body is kept up to
 * `maxMessageBytes` (then only counted, and the verdict is asked with `tooLarge`), headers up to
 * `MAX_HEADER_BYTES` in all, and the socket is paused while a verdict is being decided.
 */
import { Buffer } from 'node:buffer';
import net from 'node:net';
import {
  type MilterCommand,
  MilterDecoder,
  type MilterFamily,
  MilterProtocolError,
  negotiate,
  reply,
} from './protocol.ts';

/** Where the SMTP client connected from (SMFIC_CONNECT). */
export interface MilterClient {
  /** The client's name as the MTA resolved it (`[192.0.2.1]` when it has none). */
  readonly hostname: string;
  readonly family: MilterFamily;
  readonly port: number;
  /** The address as sent; an `IPv6:` prefix is removed. */
  readonly address: string;
}

/** The SMTP envelope of one message, as the MTA reported it. */
export interface MilterEnvelope {
  /** All macros sent so far for this connection and message (`{name}` or one letter → value). */
  readonly macros: Readonly<Record<string, string>>;
  readonly client: MilterClient | undefined;
  readonly helo: string | undefined;
  /** MAIL FROM with its angle brackets (`<>` for bounces); undefined when the MTA sent none. */
  readonly sender: string | undefined;
  readonly senderArgs: readonly string[];
  readonly recipients: readonly { readonly address: string; readonly args: readonly string[] }[];
}

/** A header as received: name and raw value (with its leading space, HDR_LEADSPC), in order. */
export interface MilterHeader {
  readonly name: string;
  readonly value: string;
}

/** The message content, bounded by `maxMessageBytes`. */
export interface MilterMessage {
  readonly headers: readonly MilterHeader[];
  /** The body (CRLF line ends, as the MTA sends it), at most `maxMessageBytes` bytes. */
  readonly body: Uint8Array;
  /** Body bytes the MTA sent, including those past the limit. */
  readonly bodyBytes: number;
  /** True when the body went over `maxMessageBytes` or the headers over `MAX_HEADER_BYTES`, and were cut. */
  readonly tooLarge: boolean;
}

/** A header we add; give the value without a leading space (the server adds it, HDR_LEADSPC). */
export interface AddedHeader {
  readonly name: string;
  readonly value: string;
}

/**
 * A header of the message as received changed before delivery: the `index`-th (1-based) header
 * of that name; an empty `value` deletes it (forged `Authentication-Results` of our authserv-id,
 * RFC 8601 section 5). Needs `CHGHDRS`, which Postfix grants.
 */
export interface ChangedHeader {
  readonly name: string;
  readonly index: number;
  readonly value: string;
}

/** The verdict on one message. */
export type MilterDecision =
  | {
      readonly kind: 'accept';
      readonly addHeaders?: readonly AddedHeader[];
      readonly changeHeaders?: readonly ChangedHeader[];
    }
  /** Held by the MTA (Postfix hold queue) with `reason`, for release by the user or an operator (E4). */
  | { readonly kind: 'quarantine'; readonly reason: string; readonly addHeaders?: readonly AddedHeader[] }
  | { readonly kind: 'reject'; readonly code: '550'; readonly ext: '5.7.1'; readonly text: string }
  | { readonly kind: 'tempfail'; readonly text: string }
  | { readonly kind: 'discard' };

/** What the server tells: a pino logger fits. */
export interface MilterLogger {
  warn(data: object, message: string): void;
  error(data: object, message: string): void;
}

export interface MilterServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests); read it back with `address()`. */
  readonly port: number;
  /** Decides one message; called once per end-of-body. */
  readonly onMessage: (envelope: MilterEnvelope, message: MilterMessage) => Promise<MilterDecision>;
  /** Body bytes kept per message; more is counted, not kept (headers: `MAX_HEADER_BYTES`). */
  readonly maxMessageBytes: number;
  /** How long `onMessage` may take before the message is answered 451 4.7.1. */
  readonly timeoutMs: number;
  /**
   * A connection silent this long while no verdict is pending is closed (default 300 s, Postfix's
   * own `milter_content_timeout`): a stalled MTA does not hold a socket for ever.
   */
  readonly idleTimeoutMs?: number;
  /**
   * Connections served at once (default 256); more are closed at once, and the MTA applies
   * `milter_default_action` (tempfail: the mail stays queued).
   */
  readonly maxConnections?: number;
  readonly logger?: MilterLogger;
  /**
   * How command strings (headers, envelope) are decoded: `utf8` (default) or `latin1`, one
   * character per byte, so that raw 8-bit headers (a Shift_JIS Subject) can be turned back into
   * their exact bytes with `Buffer.from(value, 'latin1')`.
   */
  readonly encoding?: 'utf8' | 'latin1';
}

export interface MilterServer {
  /** The bound address (the port chosen for port 0). */
  address(): net.AddressInfo;
  /** Open milter connections. */
  readonly connections: number;
  /**
   * Stops accepting, ends idle connections at once and busy ones after their verdict is sent;
   * resolves when every connection is gone.
   */
  close(): Promise<void>;
}

/** The text of the tempfail sent for our own failures. */
export const INTERNAL_TEMPFAIL_TEXT = 'Mail filter temporarily unavailable, try again later';

/**
 * Header bytes (names + values) kept per message; more headers are dropped and the message is
 * `tooLarge`. Postfix sends each header whole (up to `header_size_limit`, 100 KiB) but not their
 * number: this bounds it, independently of the body limit.
 */
export const MAX_HEADER_BYTES = 1 << 20;

/** How long `close()` waits for an ended connection's peer to close before cutting it. */
const CLOSE_GRACE_MS = 2000;

const SILENT_LOGGER: MilterLogger = { warn: () => {}, error: () => {} };

/** Replies for a verdict, all encoded before any is written (an invalid one throws first). */
export function decisionReplies(decision: MilterDecision): Buffer[] {
  const headers = (list: readonly AddedHeader[] | undefined): Buffer[] =>
    (list ?? []).map((h) => reply.addHeader(h.name, ` ${h.value}`));
  switch (decision.kind) {
    case 'accept':
      return [
        ...(decision.changeHeaders ?? []).map((h) =>
          reply.changeHeader(h.index, h.name, h.value === '' ? '' : ` ${h.value}`),
        ),
        ...headers(decision.addHeaders),
        reply.accept(),
      ];
    case 'quarantine':
      return [...headers(decision.addHeaders), reply.quarantine(decision.reason), reply.accept()];
    case 'reject':
      return [reply.replyCode(decision.code, decision.ext, decision.text)];
    case 'tempfail':
      return [reply.replyCode('451', '4.7.1', decision.text)];
    case 'discard':
      return [reply.discard()];
    default:
      throw new TypeError(`unknown milter decision ${JSON.stringify(decision)}`);
  }
}

const TEMPFAIL_REPLY = reply.replyCode('451', '4.7.1', INTERNAL_TEMPFAIL_TEXT);

class TimeoutError extends Error {}

/** Per-message state, reset after each verdict and on ABORT. */
class MessageState {
  sender: string | undefined = undefined;
  senderArgs: readonly string[] = [];
  recipients: { address: string; args: readonly string[] }[] = [];
  headers: MilterHeader[] = [];
  headerBytes = 0;
  body: Buffer[] = [];
  kept = 0;
  bodyBytes = 0;
  tooLarge = false;
}

/** Macro stages that belong to the connection (CONNECT, HELO) and survive a message reset. */
const CONNECTION_STAGES = new Set(['C', 'H']);

/**
 * Starts a milter server listening on `host:port`.
 *
 * @example
 *   const server = await createMilterServer({ host: '127.0.0.1', port: 11332, maxMessageBytes: 10 << 20,
 *     timeoutMs: 20_000, onMessage: async () => ({ kind: 'accept' }) });
 */
export async function createMilterServer(options: MilterServerOptions): Promise<MilterServer> {
  const { maxMessageBytes, timeoutMs, onMessage } = options;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 0)
    throw new RangeError(`maxMessageBytes must be a non-negative integer, got ${maxMessageBytes}`);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  const logger = options.logger ?? SILENT_LOGGER;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  const maxConnections = options.maxConnections ?? 256;
  if (!Number.isFinite(idleTimeoutMs) || idleTimeoutMs <= 0)
    throw new RangeError(`idleTimeoutMs must be positive, got ${idleTimeoutMs}`);
  if (!Number.isInteger(maxConnections) || maxConnections < 1)
    throw new RangeError(`maxConnections must be a positive integer, got ${maxConnections}`);
  const sockets = new Map<net.Socket, { busy: boolean }>();
  let closing = false;

  const server = net.createServer((socket) => {
    if (closing || sockets.size >= maxConnections) {
      if (!closing) logger.warn({ maxConnections }, 'milter connection refused: too many connections');
      socket.destroy();
      return;
    }
    const connection = { busy: false };
    sockets.set(socket, connection);
    // Silent while no verdict is pending: the MTA has stalled or gone; close (a pending verdict has
    // its own timeout, `timeoutMs`).
    socket.setTimeout(idleTimeoutMs, () => {
      if (!connection.busy) socket.destroy();
    });
    serve(socket, connection);
  });

  function serve(socket: net.Socket, connection: { busy: boolean }): void {
    const decoder = new MilterDecoder(options.encoding ? { encoding: options.encoding } : {});
    const queue: MilterCommand[] = [];
    let negotiated = false;
    let pumping = false;
    let closed = false;
    const macros = new Map<string, readonly (readonly [string, string])[]>();
    let client: MilterClient | undefined;
    let helo: string | undefined;
    let message = new MessageState();

    const fail = (error: unknown, why: string): void => {
      logger.warn(
        {
          err: error,
          remote: socket.remoteAddress,
          code: error instanceof MilterProtocolError ? error.code : undefined,
        },
        `milter: ${why}; closing the connection (the MTA applies milter_default_action)`,
      );
      closed = true;
      queue.length = 0;
      socket.destroy();
    };

    const write = (...packets: Buffer[]): void => {
      if (!closed) socket.write(packets.length === 1 ? (packets[0] as Buffer) : Buffer.concat(packets));
    };

    /** Forgets the message; `keepStage` keeps the macros sent just before the command starting the next one. */
    const resetMessage = (keepStage?: string): void => {
      message = new MessageState();
      for (const stage of macros.keys())
        if (!CONNECTION_STAGES.has(stage) && stage !== keepStage) macros.delete(stage);
    };

    const resetConnection = (): void => {
      message = new MessageState();
      macros.clear();
      client = undefined;
      helo = undefined;
    };

    const envelope = (): MilterEnvelope => {
      const merged: Record<string, string> = {};
      for (const pairs of macros.values()) for (const [name, value] of pairs) merged[name] = value;
      return {
        macros: merged,
        client,
        helo,
        sender: message.sender,
        senderArgs: message.senderArgs,
        recipients: message.recipients,
      };
    };

    const addBody = (chunk: Uint8Array): void => {
      message.bodyBytes += chunk.length;
      const room = maxMessageBytes - message.kept;
      if (chunk.length > room) message.tooLarge = true;
      const keep = Math.min(room, chunk.length);
      if (keep > 0) {
        message.body.push(Buffer.from(chunk.buffer, chunk.byteOffset, keep));
        message.kept += keep;
      }
    };

    const decide = async (): Promise<Buffer[]> => {
      const state = message;
      const content: MilterMessage = {
        headers: state.headers,
        body: Buffer.concat(state.body, state.kept),
        bodyBytes: state.bodyBytes,
        tooLarge: state.tooLarge,
      };
      const env = envelope();
      let timer: NodeJS.Timeout | undefined;
      try {
        const decision = await Promise.race([
          Promise.resolve().then(() => onMessage(env, content)),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new TimeoutError()), timeoutMs);
          }),
        ]);
        return decisionReplies(decision);
      } catch (error) {
        if (error instanceof TimeoutError)
          logger.error({ timeoutMs, sender: env.sender }, 'milter: verdict timed out; answering 451 4.7.1');
        else logger.error({ err: error, sender: env.sender }, 'milter: verdict failed; answering 451 4.7.1');
        return [TEMPFAIL_REPLY];
      } finally {
        clearTimeout(timer);
      }
    };

    /** Handles one command; only end-of-body awaits (the verdict). */
    const handle = async (command: MilterCommand): Promise<void> => {
      if (!negotiated && command.type !== 'optneg') {
        // Nothing may come before OPTNEG: we do not know what the MTA expects as replies.
        fail(
          new MilterProtocolError('malformed_packet', `${command.type} before option negotiation`),
          'bad order',
        );
        return;
      }
      switch (command.type) {
        case 'optneg':
          write(reply.optneg(negotiate(command)));
          negotiated = true;
          return;
        case 'macro':
          macros.set(command.stage, command.macros);
          return;
        case 'connect':
          client = {
            hostname: command.hostname,
            family: command.family,
            port: command.port,
            address: command.address.replace(/^IPv6:/i, ''),
          };
          break;
        case 'helo':
          helo = command.hostname;
          break;
        case 'mail':
          // A new MAIL starts a new message even if the MTA sent no ABORT.
          resetMessage('M');
          message.sender = command.sender;
          message.senderArgs = command.args;
          break;
        case 'rcpt':
          message.recipients.push({ address: command.recipient, args: command.args });
          break;
        case 'header': {
          const size = Buffer.byteLength(command.name) + Buffer.byteLength(command.value);
          if (message.headerBytes + size > MAX_HEADER_BYTES) message.tooLarge = true;
          else {
            message.headers.push({ name: command.name, value: command.value });
            message.headerBytes += size;
          }
          break;
        }
        case 'body':
          addBody(command.chunk);
          break;
        case 'eob': {
          addBody(command.chunk);
          connection.busy = true;
          socket.pause();
          const replies = await decide();
          connection.busy = false;
          write(...replies);
          resetMessage();
          if (closing) {
            closed = true;
            socket.end();
          } else if (!closed) socket.resume();
          return;
        }
        case 'abort':
          resetMessage();
          return;
        case 'quit':
          closed = true;
          queue.length = 0;
          socket.end();
          return;
        case 'quit-nc':
          resetConnection();
          return;
        case 'data':
        case 'eoh':
        case 'unknown':
          break;
      }
      write(reply.continue());
    };

    const pump = async (): Promise<void> => {
      if (pumping) return;
      pumping = true;
      try {
        while (!closed) {
          const command = queue.shift();
          if (command === undefined) break;
          try {
            await handle(command);
          } catch (error) {
            fail(error, 'cannot answer the command');
          }
        }
      } finally {
        pumping = false;
      }
    };

    socket.on('data', (bytes: Buffer) => {
      if (closed) return;
      try {
        queue.push(...decoder.feed(bytes));
      } catch (error) {
        fail(error, 'protocol error');
        return;
      }
      void pump();
    });
    socket.on('end', () => {
      try {
        decoder.end();
      } catch (error) {
        logger.warn({ err: error, remote: socket.remoteAddress }, 'milter: stream ended inside a packet');
      }
    });
    socket.on('error', (error) => {
      if (!closed) logger.warn({ err: error, remote: socket.remoteAddress }, 'milter: socket error');
      closed = true;
    });
    socket.on('close', () => {
      closed = true;
      queue.length = 0;
      sockets.delete(socket);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'milter: server error'));

  return {
    address: () => server.address() as net.AddressInfo,
    get connections() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        for (const [socket, connection] of sockets) {
          if (connection.busy) continue;
          socket.end();
          // An MTA that does not close its side is cut off after a grace period.
          setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
        }
      }),
  };
}
