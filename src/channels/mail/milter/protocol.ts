/**
 * The milter wire protocol, version 6 (Sendmail libmilter / Postfix `smtpd_milters`), as pure
 * functions: a bounded streaming decoder for the MTA's commands, encoders for the commands (for
 * tests and a test MTA) and for our replies, and the option negotiation. Measures E1–E4: this is
 * how Postfix hands each inbound mail to the filter and how the verdict (accept, add headers,
 * quarantine rather than lose — E4 —, reject `550 5.7.1`, tempfail `451 4.7.1`) goes back.
 *
 * WHY our own codec: no maintained Node milter library exists (issue 11, item 3); the subset we
 * need is small and documented in `README.md` beside this file, with its sources. No sockets here:
 * the server drives these functions.
 */
import { Buffer } from 'node:buffer';

/** The protocol version we speak (mfdef.h `SMFI_PROT_VERSION`). */
export const MILTER_VERSION = 6;
/** Largest body chunk an MTA sends without the MDS_256K/1M flags (mfdef.h `MILTER_CHUNK_SIZE`). */
export const MILTER_CHUNK_SIZE = 65535;
/**
 * Default largest packet (command byte + data) the decoder accepts. A body chunk is at most
 * 65535 + 1 bytes, but Postfix sends each header whole in one packet and its
 * `header_size_limit` defaults to 102400 bytes: 64 KiB of headroom over a body chunk covers it.
 */
export const DEFAULT_MAX_PACKET_LENGTH = MILTER_CHUNK_SIZE + 1 + 65536;

/** Actions a filter may take (mfapi.h `SMFIF_*`), sent in SMFIC_OPTNEG. */
export const ACTION = {
  ADDHDRS: 0x1,
  CHGBODY: 0x2,
  ADDRCPT: 0x4,
  DELRCPT: 0x8,
  CHGHDRS: 0x10,
  QUARANTINE: 0x20,
  CHGFROM: 0x40,
  ADDRCPT_PAR: 0x80,
  SETSYMLIST: 0x100,
} as const;

/** Protocol flags (mfdef.h `SMFIP_*`): steps the MTA skips, steps it expects no reply to, extras. */
export const PROTOCOL = {
  NOCONNECT: 0x1,
  NOHELO: 0x2,
  NOMAIL: 0x4,
  NORCPT: 0x8,
  NOBODY: 0x10,
  NOHDRS: 0x20,
  NOEOH: 0x40,
  NR_HDR: 0x80,
  NOUNKNOWN: 0x100,
  NODATA: 0x200,
  SKIP: 0x400,
  RCPT_REJ: 0x800,
  NR_CONN: 0x1000,
  NR_HELO: 0x2000,
  NR_MAIL: 0x4000,
  NR_RCPT: 0x8000,
  NR_DATA: 0x10000,
  NR_UNKN: 0x20000,
  NR_EOH: 0x40000,
  NR_BODY: 0x80000,
  HDR_LEADSPC: 0x100000,
  MDS_256K: 0x10000000,
  MDS_1M: 0x20000000,
} as const;

/** Address families of SMFIC_CONNECT (mfdef.h `SMFIA_*`). */
export const FAMILIES = ['unknown', 'unix', 'inet', 'inet6'] as const;
export type MilterFamily = (typeof FAMILIES)[number];
const FAMILY_BYTE = { unknown: 'U', unix: 'L', inet: '4', inet6: '6' } as const satisfies Record<
  MilterFamily,
  string
>;

/** The option triple of SMFIC_OPTNEG, both directions. */
export interface MilterOptions {
  readonly version: number;
  readonly actions: number;
  readonly protocol: number;
}

/** A command from the MTA (mfdef.h `SMFIC_*`), decoded. */
export type MilterCommand =
  | ({ readonly type: 'optneg' } & MilterOptions)
  /** SMFIC_MACRO: `stage` is the command byte the macros belong to ('C', 'H', 'M', 'R', 'T', 'L', 'N', 'E'). */
  | {
      readonly type: 'macro';
      readonly stage: string;
      readonly macros: readonly (readonly [name: string, value: string])[];
    }
  /** SMFIC_CONNECT: `port` 0 and `address` '' when the family is unknown (the MTA sends neither). */
  | {
      readonly type: 'connect';
      readonly hostname: string;
      readonly family: MilterFamily;
      readonly port: number;
      readonly address: string;
    }
  | { readonly type: 'helo'; readonly hostname: string }
  /** SMFIC_MAIL: the sender (with angle brackets, as the MTA gives it) then the ESMTP arguments. */
  | { readonly type: 'mail'; readonly sender: string; readonly args: readonly string[] }
  | { readonly type: 'rcpt'; readonly recipient: string; readonly args: readonly string[] }
  | { readonly type: 'data' }
  | { readonly type: 'header'; readonly name: string; readonly value: string }
  | { readonly type: 'eoh' }
  | { readonly type: 'body'; readonly chunk: Uint8Array }
  /** SMFIC_BODYEOB: end of the message; `chunk` is a last body piece (empty from current MTAs). */
  | { readonly type: 'eob'; readonly chunk: Uint8Array }
  | { readonly type: 'abort' }
  | { readonly type: 'quit' }
  /** SMFIC_QUIT_NC: end of this connection's mail, a new one follows on the same socket. */
  | { readonly type: 'quit-nc' }
  | { readonly type: 'unknown'; readonly command: string };

export type MilterCommandType = MilterCommand['type'];

const COMMAND_BYTE = {
  optneg: 'O',
  macro: 'D',
  connect: 'C',
  helo: 'H',
  mail: 'M',
  rcpt: 'R',
  data: 'T',
  header: 'L',
  eoh: 'N',
  body: 'B',
  eob: 'E',
  abort: 'A',
  quit: 'Q',
  'quit-nc': 'K',
  unknown: 'U',
} as const satisfies Record<MilterCommandType, string>;
const COMMAND_BY_BYTE: ReadonlyMap<number, MilterCommandType> = new Map(
  Object.entries(COMMAND_BYTE).map(([type, byte]) => [byte.charCodeAt(0), type as MilterCommandType]),
);

export const MILTER_ERROR_CODES = [
  'packet_too_large',
  'empty_packet',
  'unknown_command',
  'malformed_packet',
  'truncated_stream',
  'invalid_reply',
  'negotiation_failed',
] as const;
export type MilterErrorCode = (typeof MILTER_ERROR_CODES)[number];

/**
 * The one error the codec throws. It never reaches HTTP: the server answers it by closing the
 * milter connection (Postfix then applies `milter_default_action`, tempfail in our docs).
 */
export class MilterProtocolError extends Error {
  readonly code: MilterErrorCode;
  constructor(code: MilterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MilterProtocolError';
    this.code = code;
  }
}

export interface MilterDecoderOptions {
  /** Largest accepted packet length (command byte + data); default `DEFAULT_MAX_PACKET_LENGTH`. */
  readonly maxPacketLength?: number;
  /**
   * How strings (names, addresses, header values) are turned into text: 'utf8' (default; invalid
   * bytes become U+FFFD) or 'latin1' (one char per byte, lossless, for raw 8-bit headers).
   */
  readonly encoding?: 'utf8' | 'latin1';
}

/**
 * A streaming decoder of the MTA's packets: `feed` any split of the byte stream, get the complete
 * commands. Memory is bounded by `maxPacketLength`; after a protocol error it stays failed (the
 * stream cannot be resynchronised) and every later `feed` throws the same error.
 *
 * @example
 *   const decoder = new MilterDecoder();
 *   socket.on('data', (bytes) => { for (const command of decoder.feed(bytes)) handle(command); });
 */
export class MilterDecoder {
  readonly #max: number;
  readonly #encoding: 'utf8' | 'latin1';
  /** Fed bytes not yet decoded, kept as chunks: joined once per packet, not once per feed. */
  #chunks: Buffer[] = [];
  #held = 0;
  /** Bytes needed before anything can be decoded: 4 (a length) or 4 + the announced length. */
  #needed = 4;
  #failed: MilterProtocolError | undefined;

  constructor(options: MilterDecoderOptions = {}) {
    const max = options.maxPacketLength ?? DEFAULT_MAX_PACKET_LENGTH;
    if (!Number.isInteger(max) || max < 1 || max > 0xffffffff)
      throw new RangeError(`maxPacketLength must be an integer in 1..2^32-1, got ${max}`);
    this.#max = max;
    this.#encoding = options.encoding ?? 'utf8';
  }

  /** Bytes held for an incomplete packet (at most 4 + `maxPacketLength` - 1 between feeds). */
  get pending(): number {
    return this.#held;
  }

  /**
   * @throws MilterProtocolError on a bad length, an unknown command or a malformed packet. Commands
   * decoded earlier in the same call are dropped with it: the connection is closed anyway and the
   * MTA keeps the mail (tempfail), so nothing half-decoded is acted on.
   */
  feed(bytes: Uint8Array): MilterCommand[] {
    if (this.#failed) throw this.#failed;
    if (bytes.length === 0) return [];
    this.#chunks.push(Buffer.from(bytes));
    this.#held += bytes.length;
    if (this.#held < this.#needed) return [];
    try {
      return this.#drain();
    } catch (error) {
      this.#failed =
        error instanceof MilterProtocolError
          ? error
          : new MilterProtocolError('malformed_packet', 'cannot decode the packet', { cause: error });
      this.#chunks = [];
      this.#held = 0;
      throw this.#failed;
    }
  }

  /** At the end of the stream: throws when a packet was cut off. */
  end(): void {
    if (this.#failed) throw this.#failed;
    if (this.#held > 0)
      throw new MilterProtocolError(
        'truncated_stream',
        `stream ended inside a packet (${this.#held} bytes held)`,
      );
  }

  #drain(): MilterCommand[] {
    let buffer = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    const commands: MilterCommand[] = [];
    let needed = 4;
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (length === 0) throw new MilterProtocolError('empty_packet', 'packet length 0 (no command byte)');
      if (length > this.#max)
        throw new MilterProtocolError(
          'packet_too_large',
          `packet length ${length} over the limit ${this.#max}`,
        );
      needed = 4 + length;
      if (buffer.length < needed) break;
      commands.push(decodePacket(buffer.subarray(4, needed), this.#encoding));
      buffer = buffer.subarray(needed);
      needed = 4;
    }
    // Copy the remainder so a large fed chunk is not kept alive by a small tail.
    this.#chunks = buffer.length === 0 ? [] : [Buffer.from(buffer)];
    this.#held = buffer.length;
    this.#needed = needed;
    return commands;
  }
}

/** Splits `data` into NUL-terminated strings; every string must be terminated. */
function cStrings(data: Buffer, encoding: 'utf8' | 'latin1', what: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < data.length) {
    const nul = data.indexOf(0, start);
    if (nul < 0) throw malformed(what, 'a string is not NUL-terminated');
    out.push(data.toString(encoding, start, nul));
    start = nul + 1;
  }
  return out;
}

function malformed(what: string, why: string): MilterProtocolError {
  return new MilterProtocolError('malformed_packet', `${what}: ${why}`);
}

function exactStrings(data: Buffer, encoding: 'utf8' | 'latin1', what: string, count: number): string[] {
  const strings = cStrings(data, encoding, what);
  if (strings.length !== count) throw malformed(what, `expected ${count} strings, got ${strings.length}`);
  return strings;
}

function noData(data: Buffer, what: string): void {
  if (data.length !== 0) throw malformed(what, `expected no data, got ${data.length} bytes`);
}

/** Decodes one packet (command byte + data, without the length). */
function decodePacket(packet: Buffer, encoding: 'utf8' | 'latin1'): MilterCommand {
  const byte = packet[0] ?? 0;
  const type = COMMAND_BY_BYTE.get(byte);
  if (type === undefined)
    throw new MilterProtocolError(
      'unknown_command',
      `unknown command byte 0x${byte.toString(16).padStart(2, '0')}`,
    );
  const data = packet.subarray(1);
  switch (type) {
    case 'optneg': {
      // MTA → filter: version, actions, protocol (uint32 each). Bytes after them are ignored, as
      // libmilter does (the filter's reply may carry macro lists; the MTA's never does in v6).
      if (data.length < 12) throw malformed('SMFIC_OPTNEG', `needs 12 bytes, got ${data.length}`);
      return {
        type,
        version: data.readUInt32BE(0),
        actions: data.readUInt32BE(4),
        protocol: data.readUInt32BE(8),
      };
    }
    case 'macro': {
      if (data.length < 1) throw malformed('SMFIC_MACRO', 'no stage byte');
      const strings = cStrings(data.subarray(1), encoding, 'SMFIC_MACRO');
      if (strings.length % 2 !== 0) throw malformed('SMFIC_MACRO', 'a macro name has no value');
      const macros: (readonly [string, string])[] = [];
      for (let i = 0; i < strings.length; i += 2) macros.push([strings[i] ?? '', strings[i + 1] ?? '']);
      return { type, stage: String.fromCharCode(data[0] ?? 0), macros };
    }
    case 'connect':
      return decodeConnect(data, encoding);
    case 'helo': {
      const [hostname = ''] = exactStrings(data, encoding, 'SMFIC_HELO', 1);
      return { type, hostname };
    }
    case 'mail':
    case 'rcpt': {
      const [first, ...args] = cStrings(data, encoding, type === 'mail' ? 'SMFIC_MAIL' : 'SMFIC_RCPT');
      if (first === undefined) throw malformed(type === 'mail' ? 'SMFIC_MAIL' : 'SMFIC_RCPT', 'no address');
      return type === 'mail' ? { type, sender: first, args } : { type, recipient: first, args };
    }
    case 'header': {
      const [name = '', value = ''] = exactStrings(data, encoding, 'SMFIC_HEADER', 2);
      return { type, name, value };
    }
    case 'body':
    case 'eob':
      return { type, chunk: new Uint8Array(data) };
    case 'unknown': {
      const [command = ''] = exactStrings(data, encoding, 'SMFIC_UNKNOWN', 1);
      return { type, command };
    }
    case 'data':
    case 'eoh':
    case 'abort':
    case 'quit':
    case 'quit-nc':
      noData(data, `command '${COMMAND_BYTE[type]}'`);
      return { type };
  }
}

function decodeConnect(data: Buffer, encoding: 'utf8' | 'latin1'): MilterCommand {
  // hostname\0, family (1 byte), then unless family 'U': port (uint16), address\0.
  const nul = data.indexOf(0);
  if (nul < 0) throw malformed('SMFIC_CONNECT', 'hostname is not NUL-terminated');
  const hostname = data.toString(encoding, 0, nul);
  const familyByte = data[nul + 1];
  if (familyByte === undefined) throw malformed('SMFIC_CONNECT', 'no family byte');
  const family = FAMILIES.find((f) => FAMILY_BYTE[f].charCodeAt(0) === familyByte);
  if (family === undefined)
    throw malformed('SMFIC_CONNECT', `unknown family byte 0x${familyByte.toString(16)}`);
  const rest = data.subarray(nul + 2);
  if (family === 'unknown') {
    noData(rest, 'SMFIC_CONNECT (family U)');
    return { type: 'connect', hostname, family, port: 0, address: '' };
  }
  if (rest.length < 2) throw malformed('SMFIC_CONNECT', 'no port');
  const [address = ''] = exactStrings(rest.subarray(2), encoding, 'SMFIC_CONNECT address', 1);
  return { type: 'connect', hostname, family, port: rest.readUInt16BE(0), address };
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Frames one packet: uint32 length (command byte + data), command byte, data. */
export function frame(command: string, ...parts: readonly Uint8Array[]): Buffer {
  if (command.length !== 1 || command.charCodeAt(0) > 0x7f)
    throw new RangeError(`bad command byte ${command}`);
  const data = Buffer.concat(parts);
  const out = Buffer.alloc(5 + data.length);
  out.writeUInt32BE(1 + data.length, 0);
  out.write(command, 4, 'latin1');
  data.copy(out, 5);
  return out;
}

/** A NUL-terminated string; a NUL inside would split it, so it is refused. */
function cString(text: string, what: string, code: MilterErrorCode = 'invalid_reply'): Buffer {
  if (text.includes('\0')) throw new MilterProtocolError(code, `${what} contains a NUL byte`);
  return Buffer.from(`${text}\0`, 'utf8');
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}

/** Encodes an MTA command (what Postfix sends); used by tests and a test MTA. */
/** A command's string: a NUL in it is refused as a malformed packet. */
function commandString(text: string, what: string): Buffer {
  return cString(text, what, 'malformed_packet');
}

export function encodeCommand(command: MilterCommand): Buffer {
  const byte = COMMAND_BYTE[command.type];
  switch (command.type) {
    case 'optneg':
      return frame(byte, uint32(command.version), uint32(command.actions), uint32(command.protocol));
    case 'macro':
      if (command.stage.length !== 1 || command.stage.charCodeAt(0) > 0x7f)
        throw new MilterProtocolError(
          'malformed_packet',
          `macro stage must be one ASCII character, got ${JSON.stringify(command.stage)}`,
        );
      return frame(
        byte,
        Buffer.from(command.stage, 'latin1'),
        ...command.macros.flatMap(([name, value]) => [
          commandString(name, 'macro name'),
          commandString(value, 'macro value'),
        ]),
      );
    case 'connect': {
      const head = [
        commandString(command.hostname, 'hostname'),
        Buffer.from(FAMILY_BYTE[command.family], 'latin1'),
      ];
      if (command.family === 'unknown') return frame(byte, ...head);
      const port = Buffer.alloc(2);
      port.writeUInt16BE(command.port, 0);
      return frame(byte, ...head, port, commandString(command.address, 'address'));
    }
    case 'helo':
      return frame(byte, commandString(command.hostname, 'hostname'));
    case 'mail':
      return frame(byte, ...[command.sender, ...command.args].map((s) => commandString(s, 'MAIL argument')));
    case 'rcpt':
      return frame(
        byte,
        ...[command.recipient, ...command.args].map((s) => commandString(s, 'RCPT argument')),
      );
    case 'header':
      return frame(
        byte,
        commandString(command.name, 'header name'),
        commandString(command.value, 'header value'),
      );
    case 'body':
    case 'eob':
      return frame(byte, command.chunk);
    case 'unknown':
      return frame(byte, commandString(command.command, 'command'));
    case 'data':
    case 'eoh':
    case 'abort':
    case 'quit':
    case 'quit-nc':
      return frame(byte);
  }
}

// ---------------------------------------------------------------------------------------------
// Replies (filter → MTA, mfdef.h `SMFIR_*`)

/** A reply of ours. `replycode` text is plain: the encoder doubles `%` as the MTA expects. */
export type MilterReply =
  | { readonly type: 'continue' | 'accept' | 'reject' | 'tempfail' | 'discard' | 'progress' | 'skip' }
  | ({ readonly type: 'optneg' } & MilterOptions)
  | { readonly type: 'replycode'; readonly code: string; readonly ext: string; readonly text: string }
  | { readonly type: 'quarantine'; readonly reason: string }
  | { readonly type: 'addheader'; readonly name: string; readonly value: string }
  /** `index` 0 inserts before the first header (smfi_insheader). */
  | { readonly type: 'insheader'; readonly index: number; readonly name: string; readonly value: string }
  /** `index` is the 1-based occurrence of `name`; an empty `value` deletes that header (smfi_chgheader). */
  | { readonly type: 'chgheader'; readonly index: number; readonly name: string; readonly value: string };

export type MilterReplyType = MilterReply['type'];

const REPLY_BYTE = {
  continue: 'c',
  accept: 'a',
  reject: 'r',
  tempfail: 't',
  discard: 'd',
  progress: 'p',
  skip: 's',
  optneg: 'O',
  replycode: 'y',
  quarantine: 'q',
  addheader: 'h',
  insheader: 'i',
  chgheader: 'm',
} as const satisfies Record<MilterReplyType, string>;
const REPLY_BY_BYTE: ReadonlyMap<number, MilterReplyType> = new Map(
  Object.entries(REPLY_BYTE).map(([type, byte]) => [byte.charCodeAt(0), type as MilterReplyType]),
);

/** libmilter's smfi.c `MAXREPLYLEN`: the longest reply line the MTA takes. */
export const MAX_REPLY_LENGTH = 980;

function invalid(message: string): MilterProtocolError {
  return new MilterProtocolError('invalid_reply', message);
}

/** RFC 5322 field name: printable US-ASCII except ':'. */
function checkHeaderName(name: string): void {
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name))
    throw invalid(`header name ${JSON.stringify(name)} is not an RFC 5322 field name`);
}

/** A header value: no NUL, line breaks only as folding (CRLF or LF followed by a space or tab). */
function checkHeaderValue(value: string): void {
  if (value.includes('\0')) throw invalid('header value contains a NUL byte');
  if (/\r(?!\n)|\r?\n(?![ \t])/.test(value))
    throw invalid('header value has a line break that is not folding');
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff)
    throw invalid(`header index ${index} is not a uint32`);
}

/**
 * The SMFIR_REPLYCODE text: "550 5.7.1 text". Validated as smfi_setreply does (a 4xx/5xx code, an
 * RFC 3463 enhanced code of the same class) and stricter on the text: printable ASCII only (no
 * CR/LF: one line), `%` doubled because the MTA formats the text printf-style (smfi_setreply(3)).
 */
export function replyCodeText(code: string, ext: string, text: string): string {
  if (!/^[45][0-9][0-9]$/.test(code)) throw invalid(`reply code ${JSON.stringify(code)} is not 4xx or 5xx`);
  const match = /^([245])\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(ext);
  if (!match || match[1] !== code[0])
    throw invalid(`enhanced code ${JSON.stringify(ext)} is not ${code[0]}.x.y (RFC 3463)`);
  if (/[\r\n]/.test(text)) throw invalid('reply text contains CR or LF');
  if (!/^[\x20-\x7e]*$/.test(text)) throw invalid('reply text must be printable ASCII');
  const line = `${code} ${ext} ${text.replaceAll('%', '%%')}`.trimEnd();
  if (line.length > MAX_REPLY_LENGTH) throw invalid(`reply longer than ${MAX_REPLY_LENGTH} characters`);
  return line;
}

/** Encodes one reply packet, after validating it. @throws MilterProtocolError ('invalid_reply'). */
export function encodeReply(reply: MilterReply): Buffer {
  const byte = REPLY_BYTE[reply.type];
  switch (reply.type) {
    case 'continue':
    case 'accept':
    case 'reject':
    case 'tempfail':
    case 'discard':
    case 'progress':
    case 'skip':
      return frame(byte);
    case 'optneg':
      return frame(byte, uint32(reply.version), uint32(reply.actions), uint32(reply.protocol));
    case 'replycode':
      return frame(byte, Buffer.from(`${replyCodeText(reply.code, reply.ext, reply.text)}\0`, 'latin1'));
    case 'quarantine':
      if (reply.reason === '' || /[\0\r\n]/.test(reply.reason))
        throw invalid('quarantine reason must be one non-empty line without NUL');
      return frame(byte, cString(reply.reason, 'quarantine reason'));
    case 'addheader':
      checkHeaderName(reply.name);
      checkHeaderValue(reply.value);
      return frame(byte, cString(reply.name, 'header name'), cString(reply.value, 'header value'));
    case 'insheader':
    case 'chgheader':
      checkIndex(reply.index);
      checkHeaderName(reply.name);
      checkHeaderValue(reply.value);
      return frame(
        byte,
        uint32(reply.index),
        cString(reply.name, 'header name'),
        cString(reply.value, 'header value'),
      );
  }
}

/** Shorthands for the replies the server sends most. */
export const reply = {
  continue: (): Buffer => encodeReply({ type: 'continue' }),
  accept: (): Buffer => encodeReply({ type: 'accept' }),
  reject: (): Buffer => encodeReply({ type: 'reject' }),
  tempfail: (): Buffer => encodeReply({ type: 'tempfail' }),
  discard: (): Buffer => encodeReply({ type: 'discard' }),
  progress: (): Buffer => encodeReply({ type: 'progress' }),
  /** @example reply.replyCode('550', '5.7.1', 'DMARC policy of example.com is reject') */
  replyCode: (code: string, ext: string, text: string): Buffer =>
    encodeReply({ type: 'replycode', code, ext, text }),
  quarantine: (reason: string): Buffer => encodeReply({ type: 'quarantine', reason }),
  addHeader: (name: string, value: string): Buffer => encodeReply({ type: 'addheader', name, value }),
  insertHeader: (index: number, name: string, value: string): Buffer =>
    encodeReply({ type: 'insheader', index, name, value }),
  changeHeader: (index: number, name: string, value: string): Buffer =>
    encodeReply({ type: 'chgheader', index, name, value }),
  optneg: (options: MilterOptions): Buffer => encodeReply({ type: 'optneg', ...options }),
} as const;

/**
 * Decodes whole reply packets (the MTA's side; for tests and a test MTA). `replycode` text is
 * returned as sent, with `%%` left doubled. @throws MilterProtocolError.
 */
export function decodeReplies(bytes: Uint8Array): MilterReply[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: MilterReply[] = [];
  let at = 0;
  while (at < buffer.length) {
    if (buffer.length - at < 4) throw new MilterProtocolError('truncated_stream', 'reply length cut off');
    const length = buffer.readUInt32BE(at);
    if (length === 0) throw new MilterProtocolError('empty_packet', 'reply length 0');
    if (buffer.length - at - 4 < length) throw new MilterProtocolError('truncated_stream', 'reply cut off');
    out.push(decodeReplyPacket(buffer.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return out;
}

function decodeReplyPacket(packet: Buffer): MilterReply {
  const byte = packet[0] ?? 0;
  const type = REPLY_BY_BYTE.get(byte);
  if (type === undefined)
    throw new MilterProtocolError('unknown_command', `unknown reply byte 0x${byte.toString(16)}`);
  const data = packet.subarray(1);
  switch (type) {
    case 'continue':
    case 'accept':
    case 'reject':
    case 'tempfail':
    case 'discard':
    case 'progress':
    case 'skip':
      noData(data, `reply '${REPLY_BYTE[type]}'`);
      return { type };
    case 'optneg':
      if (data.length < 12) throw malformed('SMFIR optneg', `needs 12 bytes, got ${data.length}`);
      return {
        type,
        version: data.readUInt32BE(0),
        actions: data.readUInt32BE(4),
        protocol: data.readUInt32BE(8),
      };
    case 'replycode': {
      const [line = ''] = exactStrings(data, 'utf8', 'SMFIR_REPLYCODE', 1);
      const match = /^(\d{3}) (\d\.\d{1,3}\.\d{1,3})(?: (.*))?$/s.exec(line);
      if (!match) throw malformed('SMFIR_REPLYCODE', `not "code ext text": ${JSON.stringify(line)}`);
      return { type, code: match[1] ?? '', ext: match[2] ?? '', text: match[3] ?? '' };
    }
    case 'quarantine': {
      const [reason = ''] = exactStrings(data, 'utf8', 'SMFIR_QUARANTINE', 1);
      return { type, reason };
    }
    case 'addheader': {
      const [name = '', value = ''] = exactStrings(data, 'utf8', 'SMFIR_ADDHEADER', 2);
      return { type, name, value };
    }
    case 'insheader':
    case 'chgheader': {
      if (data.length < 4) throw malformed(`reply '${REPLY_BYTE[type]}'`, 'no index');
      const [name = '', value = ''] = exactStrings(
        data.subarray(4),
        'utf8',
        `reply '${REPLY_BYTE[type]}'`,
        2,
      );
      return { type, index: data.readUInt32BE(0), name, value };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Option negotiation

/** What a filter asks for in SMFIC_OPTNEG. */
export interface MilterWants {
  /** Actions without which the filter cannot do its job: negotiation fails when the MTA lacks one. */
  readonly requiredActions: number;
  /** Actions used when the MTA offers them. */
  readonly optionalActions: number;
  /** Protocol flags asked for when the MTA offers them (steps skipped, extras). */
  readonly protocol: number;
}

/**
 * Mamoru's wants: add headers (Authentication-Results, the verdict) and quarantine (E4: never
 * lose a mail) are required; change headers (remove forged verdict headers) is used if offered.
 * Skipped steps: unknown SMTP commands and DATA, which we do not use. HDR_LEADSPC keeps header
 * values byte-exact (DKIM `simple` canonicalisation). Headers and body are never skipped.
 */
export const MAMORU_WANTS: MilterWants = Object.freeze({
  requiredActions: ACTION.ADDHDRS | ACTION.QUARANTINE,
  optionalActions: ACTION.CHGHDRS,
  protocol: PROTOCOL.NOUNKNOWN | PROTOCOL.NODATA | PROTOCOL.HDR_LEADSPC,
});

/** Steps we must receive: a filter that skips them cannot judge the mail. */
const NEEDED_STEPS = PROTOCOL.NOHDRS | PROTOCOL.NOBODY | PROTOCOL.NOEOH;

/** Oldest MTA protocol version we talk to (libmilter `SMFI_PROT_VERSION_MIN`). */
export const MIN_MTA_VERSION = 2;

function flagNames(table: Readonly<Record<string, number>>, mask: number): string {
  return Object.entries(table)
    .filter(([, bit]) => (mask & bit) !== 0)
    .map(([name]) => name)
    .join(', ');
}

/**
 * Our SMFIC_OPTNEG reply to the MTA's: version min(6, the MTA's), the required actions plus the
 * optional ones the MTA offers, the wanted protocol flags the MTA offers.
 *
 * @throws MilterProtocolError ('negotiation_failed') naming what the MTA lacks.
 * @example negotiate({ version: 6, actions: 0x1ff, protocol: 0x1fffff }) // a full v6 offer
 */
export function negotiate(mta: MilterOptions, wants: MilterWants = MAMORU_WANTS): MilterOptions {
  if ((wants.protocol & NEEDED_STEPS) !== 0)
    throw new MilterProtocolError(
      'negotiation_failed',
      `the filter needs headers and body; do not ask for ${flagNames(PROTOCOL, wants.protocol & NEEDED_STEPS)}`,
    );
  if (mta.version < MIN_MTA_VERSION)
    throw new MilterProtocolError(
      'negotiation_failed',
      `MTA speaks milter protocol version ${mta.version}; at least ${MIN_MTA_VERSION} is needed`,
    );
  const missing = wants.requiredActions & ~mta.actions;
  if (missing !== 0)
    throw new MilterProtocolError(
      'negotiation_failed',
      `MTA does not allow the actions the filter needs: ${flagNames(ACTION, missing)} (offered 0x${mta.actions.toString(16)})`,
    );
  return {
    version: Math.min(MILTER_VERSION, mta.version),
    actions: (wants.requiredActions | (wants.optionalActions & mta.actions)) >>> 0,
    protocol: (wants.protocol & mta.protocol) >>> 0,
  };
}
