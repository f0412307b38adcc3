/**
 * Tests of the milter server (measures E1–E4: the path from Postfix to the verdict), against a
 * fake MTA on 127.0.0.1 built from the codec's `encodeCommand` and `decodeReplies`.
 */
import { Buffer } from 'node:buffer';
import net from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeReplies, encodeCommand, type MilterCommand, type MilterReply } from './protocol.ts';
import {
  createMilterServer,
  INTERNAL_TEMPFAIL_TEXT,
  MAX_HEADER_BYTES,
  type MilterDecision,
  type MilterEnvelope,
  type MilterMessage,
  type MilterServer,
  type MilterServerOptions,
} from './server.ts';

/** A test MTA: writes commands (optionally split), reads whole reply packets. */
class FakeMta {
  readonly socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #replies: MilterReply[] = [];
  #waiters: (() => void)[] = [];
  closed = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (bytes: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, bytes]);
      while (this.#buffer.length >= 4) {
        const length = this.#buffer.readUInt32BE(0);
        if (this.#buffer.length < 4 + length) break;
        this.#replies.push(...decodeReplies(this.#buffer.subarray(0, 4 + length)));
        this.#buffer = this.#buffer.subarray(4 + length);
      }
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  static connect(server: MilterServer): Promise<FakeMta> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(server.address().port, '127.0.0.1', () => resolve(new FakeMta(socket)));
      socket.once('error', reject);
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  send(commands: readonly MilterCommand[], splits: readonly number[] = []): void {
    this.sendRaw(Buffer.concat(commands.map((c) => encodeCommand(c))), splits);
  }

  /** Writes `bytes` cut at the given offsets (each write separately). */
  sendRaw(bytes: Buffer, splits: readonly number[] = []): void {
    const cuts = [...new Set(splits.filter((s) => s > 0 && s < bytes.length))].sort((a, b) => a - b);
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      this.socket.write(bytes.subarray(at, cut));
      at = cut;
    }
  }

  /** Waits for `count` more replies (or the socket closing) and returns them. */
  async replies(count: number): Promise<MilterReply[]> {
    while (this.#replies.length < count && !this.closed)
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.#replies.splice(0, count);
  }

  /** Waits until the server closes the connection. */
  async closedByServer(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  get pending(): number {
    return this.#replies.length;
  }

  end(): void {
    this.socket.end();
  }
}

const OPTNEG: MilterCommand = { type: 'optneg', version: 6, actions: 0x1ff, protocol: 0x1fffff };

/** One message's commands after negotiation, as Postfix sends them (HDR_LEADSPC values). */
function messageCommands(body: readonly string[] = ['Hello,\r\n', 'world.\r\n']): MilterCommand[] {
  return [
    { type: 'macro', stage: 'M', macros: [['{mail_addr}', 'a@sender.example']] },
    { type: 'mail', sender: '<a@sender.example>', args: ['SIZE=1234', 'BODY=8BITMIME'] },
    { type: 'rcpt', recipient: '<b@mx.example.org>', args: [] },
    { type: 'rcpt', recipient: '<c@mx.example.org>', args: ['NOTIFY=NEVER'] },
    { type: 'header', name: 'From', value: ' A <a@sender.example>' },
    { type: 'header', name: 'Subject', value: ' =?UTF-8?B?5a6I44KL?=' },
    { type: 'header', name: 'Received', value: ' from x\r\n\tby y' },
    { type: 'eoh' },
    ...body.map((text): MilterCommand => ({ type: 'body', chunk: Buffer.from(text) })),
    { type: 'eob', chunk: new Uint8Array(0) },
  ];
}

const SESSION_START: readonly MilterCommand[] = [
  OPTNEG,
  { type: 'macro', stage: 'C', macros: [['j', 'mx.example.org']] },
  {
    type: 'connect',
    hostname: 'mail.sender.example',
    family: 'inet6',
    port: 54321,
    address: 'IPv6:2001:db8::1',
  },
  { type: 'helo', hostname: 'mail.sender.example' },
];

/** Non-EOB commands of a message that get `continue`: everything but macros and eob. */
function continues(commands: readonly MilterCommand[]): number {
  return commands.filter((c) => !['optneg', 'macro', 'eob', 'abort', 'quit', 'quit-nc'].includes(c.type))
    .length;
}

const servers: MilterServer[] = [];
const mtas: FakeMta[] = [];
afterEach(async () => {
  for (const mta of mtas.splice(0)) mta.socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Seen {
  envelope: MilterEnvelope;
  message: MilterMessage;
}

async function start(
  decide: (envelope: MilterEnvelope, message: MilterMessage) => Promise<MilterDecision>,
  options: Partial<MilterServerOptions> = {},
): Promise<{ server: MilterServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await createMilterServer({
    host: '127.0.0.1',
    port: 0,
    maxMessageBytes: 1 << 20,
    timeoutMs: 5000,
    onMessage: (envelope, message) => {
      seen.push({ envelope, message });
      return decide(envelope, message);
    },
    ...options,
  });
  servers.push(server);
  return { server, seen };
}

async function connect(server: MilterServer): Promise<FakeMta> {
  const mta = await FakeMta.connect(server);
  mtas.push(mta);
  return mta;
}

/** Runs a whole session (negotiation + one message) and returns the replies to end-of-body. */
async function oneMessage(decision: MilterDecision): Promise<{ eob: MilterReply[]; seen: Seen[] }> {
  const { server, seen } = await start(async () => decision);
  const mta = await connect(server);
  const message = messageCommands();
  mta.send([...SESSION_START, ...message]);
  const before = await mta.replies(1 + continues(SESSION_START) + continues(message));
  expect(before[0]?.type).toBe('optneg');
  expect(before.slice(1).every((r) => r.type === 'continue')).toBe(true);
  // The verdict is the last packet; wait until it arrives.
  const eob: MilterReply[] = [];
  for (;;) {
    const [next] = await mta.replies(1);
    if (next === undefined) break;
    eob.push(next);
    if (['accept', 'replycode', 'discard', 'reject', 'tempfail'].includes(next.type)) break;
  }
  return { eob, seen };
}

describe('milter server: a full session', () => {
  it('negotiates, collects the envelope, headers and chunked body, and calls onMessage once', async () => {
    const { eob, seen } = await oneMessage({ kind: 'accept' });
    expect(eob).toEqual([{ type: 'accept' }]);
    expect(seen).toHaveLength(1);
    const { envelope, message } = seen[0] as Seen;
    expect(envelope).toEqual({
      macros: { j: 'mx.example.org', '{mail_addr}': 'a@sender.example' },
      client: { hostname: 'mail.sender.example', family: 'inet6', port: 54321, address: '2001:db8::1' },
      helo: 'mail.sender.example',
      sender: '<a@sender.example>',
      senderArgs: ['SIZE=1234', 'BODY=8BITMIME'],
      recipients: [
        { address: '<b@mx.example.org>', args: [] },
        { address: '<c@mx.example.org>', args: ['NOTIFY=NEVER'] },
      ],
    });
    expect(message.headers).toEqual([
      { name: 'From', value: ' A <a@sender.example>' },
      { name: 'Subject', value: ' =?UTF-8?B?5a6I44KL?=' },
      { name: 'Received', value: ' from x\r\n\tby y' },
    ]);
    expect(Buffer.from(message.body).toString()).toBe('Hello,\r\nworld.\r\n');
    expect(message.bodyBytes).toBe(16);
    expect(message.tooLarge).toBe(false);
  });

  it('answers the negotiation with our options (ADDHDRS, QUARANTINE, CHGHDRS; HDR_LEADSPC)', async () => {
    const { server } = await start(async () => ({ kind: 'accept' }));
    const mta = await connect(server);
    mta.send([OPTNEG]);
    expect(await mta.replies(1)).toEqual([{ type: 'optneg', version: 6, actions: 0x31, protocol: 0x100300 }]);
  });

  it('accept with added headers: h packets (leading space added) then a', async () => {
    const { eob } = await oneMessage({
      kind: 'accept',
      addHeaders: [
        { name: 'Authentication-Results', value: 'mx.example.org; spf=pass' },
        { name: 'X-Mamoru-Verdict', value: 'ok' },
      ],
    });
    expect(eob).toEqual([
      { type: 'addheader', name: 'Authentication-Results', value: ' mx.example.org; spf=pass' },
      { type: 'addheader', name: 'X-Mamoru-Verdict', value: ' ok' },
      { type: 'accept' },
    ]);
  });

  it('quarantine: headers, q reason, then accept (the MTA holds the mail)', async () => {
    const { eob } = await oneMessage({
      kind: 'quarantine',
      reason: 'DMARC p=quarantine failed',
      addHeaders: [{ name: 'X-Mamoru-Verdict', value: 'quarantine' }],
    });
    expect(eob).toEqual([
      { type: 'addheader', name: 'X-Mamoru-Verdict', value: ' quarantine' },
      { type: 'quarantine', reason: 'DMARC p=quarantine failed' },
      { type: 'accept' },
    ]);
  });

  it('reject: one replycode 550 5.7.1 with the text (% doubled on the wire)', async () => {
    const { eob } = await oneMessage({
      kind: 'reject',
      code: '550',
      ext: '5.7.1',
      text: 'DMARC policy of example.com is reject (100%)',
    });
    expect(eob).toEqual([
      { type: 'replycode', code: '550', ext: '5.7.1', text: 'DMARC policy of example.com is reject (100%%)' },
    ]);
  });

  it('tempfail: replycode 451 4.7.1 with the text', async () => {
    const { eob } = await oneMessage({ kind: 'tempfail', text: 'DNS lookup failed' });
    expect(eob).toEqual([{ type: 'replycode', code: '451', ext: '4.7.1', text: 'DNS lookup failed' }]);
  });

  it('discard: d', async () => {
    const { eob } = await oneMessage({ kind: 'discard' });
    expect(eob).toEqual([{ type: 'discard' }]);
  });

  it('a verdict the codec refuses (bad header name) becomes 451 4.7.1, nothing partial is sent', async () => {
    const { eob } = await oneMessage({
      kind: 'accept',
      addHeaders: [
        { name: 'X-Ok', value: 'fine' },
        { name: 'Bad Name', value: 'x' },
      ],
    });
    expect(eob).toEqual([{ type: 'replycode', code: '451', ext: '4.7.1', text: INTERNAL_TEMPFAIL_TEXT }]);
  });
});

describe('milter server: several messages and failures', () => {
  it('carries two messages on one connection, with an ABORT between, each with its own state', async () => {
    const { server, seen } = await start(async (envelope) =>
      envelope.recipients.length === 2 ? { kind: 'accept' } : { kind: 'discard' },
    );
    const mta = await connect(server);
    const first = messageCommands(['one\r\n']);
    mta.send([...SESSION_START, ...first]);
    await mta.replies(1 + continues(SESSION_START) + continues(first));
    expect(await mta.replies(1)).toEqual([{ type: 'accept' }]);
    // A started message aborted (RSET): its recipients and body are forgotten.
    mta.send([
      { type: 'mail', sender: '<x@aborted.example>', args: [] },
      { type: 'rcpt', recipient: '<z@mx.example.org>', args: [] },
      { type: 'body', chunk: Buffer.from('aborted body') },
      { type: 'abort' },
    ]);
    await mta.replies(3);
    const second: MilterCommand[] = [
      { type: 'mail', sender: '<>', args: [] },
      { type: 'rcpt', recipient: '<d@mx.example.org>', args: [] },
      { type: 'header', name: 'Subject', value: ' bounce' },
      { type: 'eoh' },
      { type: 'body', chunk: Buffer.from('two\r\n') },
      { type: 'eob', chunk: new Uint8Array(0) },
    ];
    mta.send(second);
    expect(await mta.replies(continues(second) + 1)).toEqual([
      ...Array.from({ length: continues(second) }, () => ({ type: 'continue' })),
      { type: 'discard' },
    ]);
    expect(seen).toHaveLength(2);
    const two = seen[1] as Seen;
    expect(two.envelope.sender).toBe('<>');
    expect(two.envelope.recipients).toEqual([{ address: '<d@mx.example.org>', args: [] }]);
    expect(two.envelope.helo).toBe('mail.sender.example');
    expect(two.envelope.client?.address).toBe('2001:db8::1');
    // Message macros of the first message are gone, connection macros stay.
    expect(two.envelope.macros).toEqual({ j: 'mx.example.org' });
    expect(two.message.headers).toEqual([{ name: 'Subject', value: ' bounce' }]);
    expect(Buffer.from(two.message.body).toString()).toBe('two\r\n');
  });

  it('QUIT_NC resets the connection state for reuse; QUIT closes', async () => {
    const { server, seen } = await start(async () => ({ kind: 'accept' }));
    const mta = await connect(server);
    const message = messageCommands();
    mta.send([...SESSION_START, ...message, { type: 'quit-nc' }]);
    await mta.replies(1 + continues(SESSION_START) + continues(message) + 1);
    const reuse: MilterCommand[] = [
      { type: 'connect', hostname: 'other.example', family: 'inet', port: 25, address: '198.51.100.7' },
      { type: 'mail', sender: '<o@other.example>', args: [] },
      { type: 'eob', chunk: new Uint8Array(0) },
    ];
    mta.send(reuse);
    expect(await mta.replies(3)).toEqual([{ type: 'continue' }, { type: 'continue' }, { type: 'accept' }]);
    const second = seen[1] as Seen;
    expect(second.envelope.helo).toBeUndefined();
    expect(second.envelope.macros).toEqual({});
    expect(second.envelope.client?.hostname).toBe('other.example');
    mta.send([{ type: 'quit' }]);
    await mta.closedByServer();
  });

  it('onMessage throwing → 451 4.7.1', async () => {
    const { eob } = await oneMessageWith(async () => {
      throw new Error('boom');
    });
    expect(eob).toEqual([{ type: 'replycode', code: '451', ext: '4.7.1', text: INTERNAL_TEMPFAIL_TEXT }]);
  });

  it('onMessage slower than timeoutMs → 451 4.7.1, and its late verdict is never sent', async () => {
    let release: (d: MilterDecision) => void = () => {};
    const late = new Promise<MilterDecision>((resolve) => {
      release = resolve;
    });
    const { server } = await start(() => late, { timeoutMs: 50 });
    const mta = await connect(server);
    const message = messageCommands();
    mta.send([...SESSION_START, ...message]);
    await mta.replies(1 + continues(SESSION_START) + continues(message));
    expect(await mta.replies(1)).toEqual([
      { type: 'replycode', code: '451', ext: '4.7.1', text: INTERNAL_TEMPFAIL_TEXT },
    ]);
    release({ kind: 'accept' });
    // The connection still works, and nothing else arrived for the first message.
    mta.send([{ type: 'helo', hostname: 'again' }]);
    expect(await mta.replies(1)).toEqual([{ type: 'continue' }]);
    expect(mta.pending).toBe(0);
  });

  it('an over-size body: onMessage sees tooLarge and only the first maxMessageBytes', async () => {
    const { server, seen } = await start(async () => ({ kind: 'accept' }), { maxMessageBytes: 10 });
    const mta = await connect(server);
    const message = messageCommands(['0123456', '789abcdef', 'ghij']);
    mta.send([...SESSION_START, ...message]);
    await mta.replies(1 + continues(SESSION_START) + continues(message) + 1);
    const { message: seenMessage } = seen[0] as Seen;
    expect(seenMessage.tooLarge).toBe(true);
    expect(Buffer.from(seenMessage.body).toString()).toBe('0123456789');
    expect(seenMessage.bodyBytes).toBe(20);
  });

  it('a body of exactly maxMessageBytes is not tooLarge', async () => {
    const { server, seen } = await start(async () => ({ kind: 'accept' }), { maxMessageBytes: 16 });
    const mta = await connect(server);
    const message = messageCommands();
    mta.send([...SESSION_START, ...message]);
    await mta.replies(1 + continues(SESSION_START) + continues(message) + 1);
    expect((seen[0] as Seen).message.tooLarge).toBe(false);
  });

  it('headers past MAX_HEADER_BYTES are dropped and the message is tooLarge', async () => {
    const { server, seen } = await start(async () => ({ kind: 'accept' }));
    const mta = await connect(server);
    const big = ` ${'x'.repeat(100_000)}`;
    const count = Math.ceil(MAX_HEADER_BYTES / big.length) + 1;
    const message: MilterCommand[] = [
      { type: 'mail', sender: '<a@sender.example>', args: [] },
      ...Array.from({ length: count }, (): MilterCommand => ({ type: 'header', name: 'X-Big', value: big })),
      { type: 'eob', chunk: new Uint8Array(0) },
    ];
    mta.send([OPTNEG, ...message]);
    await mta.replies(1 + continues(message) + 1);
    const { message: seenMessage } = seen[0] as Seen;
    expect(seenMessage.tooLarge).toBe(true);
    expect(seenMessage.headers.length).toBeLessThan(count);
    expect(seenMessage.headers.length * (big.length + 5)).toBeLessThanOrEqual(MAX_HEADER_BYTES);
  });

  it('commands pipelined behind an end-of-body are answered after its verdict, in order', async () => {
    let release: (d: MilterDecision) => void = () => {};
    const { server } = await start(
      () =>
        new Promise<MilterDecision>((resolve) => {
          release = resolve;
        }),
    );
    const mta = await connect(server);
    const message = messageCommands();
    mta.send([...SESSION_START, ...message, { type: 'mail', sender: '<next@sender.example>', args: [] }]);
    await mta.replies(1 + continues(SESSION_START) + continues(message));
    release({ kind: 'discard' });
    expect(await mta.replies(2)).toEqual([{ type: 'discard' }, { type: 'continue' }]);
  });

  it('a malformed packet closes the socket and onMessage is not called', async () => {
    const { server, seen } = await start(async () => ({ kind: 'accept' }));
    const mta = await connect(server);
    mta.send([...SESSION_START, ...messageCommands().slice(0, -1)]);
    // A HELO whose string is not NUL-terminated, then an end-of-body that must not be acted on.
    const bad = Buffer.from([0, 0, 0, 4, 0x48, 0x61, 0x62, 0x63]);
    mta.sendRaw(Buffer.concat([bad, encodeCommand({ type: 'eob', chunk: new Uint8Array(0) })]));
    await mta.closedByServer();
    expect(seen).toHaveLength(0);
  });

  it('closes a connection silent past idleTimeoutMs, but never one waiting for its verdict', async () => {
    let release: (d: MilterDecision) => void = () => {};
    const { server } = await start(() => new Promise<MilterDecision>((resolve) => (release = resolve)), {
      idleTimeoutMs: 100,
    });
    const idle = await connect(server);
    idle.send([OPTNEG]);
    await idle.replies(1);
    await idle.closedByServer();
    const busy = await connect(server);
    busy.send([...SESSION_START, ...messageCommands()]);
    await busy.replies(1 + continues(SESSION_START) + continues(messageCommands()));
    // Past the idle time with the verdict pending: still open, and the verdict still arrives.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(busy.closed).toBe(false);
    release({ kind: 'accept' });
    expect(await busy.replies(1)).toEqual([{ type: 'accept' }]);
  });

  it('closes connections past maxConnections at once; the others are served', async () => {
    const { server } = await start(async () => ({ kind: 'accept' }), { maxConnections: 1 });
    const first = await connect(server);
    first.send([OPTNEG]);
    await first.replies(1);
    const second = await connect(server);
    await second.closedByServer();
    expect(first.closed).toBe(false);
    first.send([...SESSION_START.slice(1), ...messageCommands()]);
    const answers = await first.replies(continues(SESSION_START) + continues(messageCommands()) + 1);
    expect(answers.at(-1)).toEqual({ type: 'accept' });
  });

  it('a command before OPTNEG closes the socket', async () => {
    const { server, seen } = await start(async () => ({ kind: 'accept' }));
    const mta = await connect(server);
    mta.send([
      { type: 'helo', hostname: 'x' },
      { type: 'eob', chunk: new Uint8Array(0) },
    ]);
    await mta.closedByServer();
    expect(seen).toHaveLength(0);
  });

  it('an MTA without the QUARANTINE action fails negotiation: the socket is closed', async () => {
    const { server } = await start(async () => ({ kind: 'accept' }));
    const mta = await connect(server);
    mta.send([{ type: 'optneg', version: 6, actions: 0x1, protocol: 0x1fffff }]);
    await mta.closedByServer();
  });

  it('close() ends idle connections and resolves; busy ones get their verdict first', async () => {
    let release: (d: MilterDecision) => void = () => {};
    const { server } = await start(
      () =>
        new Promise<MilterDecision>((resolve) => {
          release = resolve;
        }),
    );
    const idle = await connect(server);
    idle.send([OPTNEG]);
    await idle.replies(1);
    const busy = await connect(server);
    const message = messageCommands();
    busy.send([...SESSION_START, ...message]);
    await busy.replies(1 + continues(SESSION_START) + continues(message));
    // Closing while the verdict is pending: the idle connection is ended at once.
    const closed = server.close();
    servers.splice(servers.indexOf(server), 1);
    await idle.closedByServer();
    idle.end();
    expect(busy.closed).toBe(false);
    release({ kind: 'accept' });
    expect(await busy.replies(1)).toEqual([{ type: 'accept' }]);
    await busy.closedByServer();
    busy.end();
    await closed;
  });
});

async function oneMessageWith(
  decide: () => Promise<MilterDecision>,
): Promise<{ eob: MilterReply[]; seen: Seen[] }> {
  const { server, seen } = await start(decide);
  const mta = await connect(server);
  const message = messageCommands();
  mta.send([...SESSION_START, ...message]);
  await mta.replies(1 + continues(SESSION_START) + continues(message));
  return { eob: await mta.replies(1), seen };
}

describe('milter server: property', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'b', '.', '@', '<', '>', ' ', 'é'), maxLength: 12 });
  const step: fc.Arbitrary<MilterCommand> = fc.oneof(
    fc.record({
      type: fc.constant('macro' as const),
      stage: fc.constantFrom('C', 'H', 'M', 'R', 'L', 'N', 'E'),
      macros: fc.array(fc.tuple(text, text), { maxLength: 3 }),
    }),
    fc.record({
      type: fc.constant('connect' as const),
      hostname: text,
      family: fc.constantFrom('inet' as const, 'inet6' as const, 'unix' as const),
      port: fc.integer({ min: 0, max: 65535 }),
      address: text,
    }),
    fc.record({ type: fc.constant('helo' as const), hostname: text }),
    fc.record({ type: fc.constant('mail' as const), sender: text, args: fc.array(text, { maxLength: 2 }) }),
    fc.record({
      type: fc.constant('rcpt' as const),
      recipient: text,
      args: fc.array(text, { maxLength: 2 }),
    }),
    fc.record({
      type: fc.constant('header' as const),
      name: fc.constantFrom('From', 'Subject', 'X-A'),
      value: text,
    }),
    fc.constant({ type: 'eoh' as const }),
    fc.constant({ type: 'data' as const }),
    fc.uint8Array({ maxLength: 40 }).map((chunk): MilterCommand => ({ type: 'body', chunk })),
    fc.uint8Array({ maxLength: 8 }).map((chunk): MilterCommand => ({ type: 'eob', chunk })),
    fc.constant({ type: 'abort' as const }),
    fc.constant({ type: 'quit-nc' as const }),
  );
  const decisions: MilterDecision[] = [
    { kind: 'accept', addHeaders: [{ name: 'X-M', value: 'v' }] },
    { kind: 'quarantine', reason: 'r' },
    { kind: 'reject', code: '550', ext: '5.7.1', text: 't' },
    { kind: 'tempfail', text: 't' },
    { kind: 'discard' },
  ];
  const FINAL = new Set(['accept', 'replycode', 'discard']);

  it('random valid command sequences with random splits: no crash, one final reply per EOB', async () => {
    let calls = 0;
    let longest = 0;
    const { server } = await start(
      async (_envelope, message) => {
        calls++;
        if (calls % 7 === 3) throw new Error('sometimes fails');
        longest = Math.max(longest, message.body.length);
        return decisions[calls % decisions.length] as MilterDecision;
      },
      { maxMessageBytes: 30 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 30 }),
        fc.array(fc.nat(2000), { maxLength: 8 }),
        async (commands, splits) => {
          const mta = await connect(server);
          const all = [OPTNEG, ...commands];
          // QUIT last: the server answers everything before it, then closes.
          mta.send([...all, { type: 'quit' }], splits);
          await mta.closedByServer();
          mta.socket.destroy();
          const got = await mta.replies(Number.POSITIVE_INFINITY);
          expect(got[0]?.type).toBe('optneg');
          // Each command gets `continue`, each EOB exactly one final reply (after its h/q packets).
          const eobs = commands.filter((c) => c.type === 'eob').length;
          const others = commands.filter(
            (c) => !['macro', 'abort', 'quit-nc', 'eob'].includes(c.type),
          ).length;
          expect(got.filter((r) => FINAL.has(r.type))).toHaveLength(eobs);
          expect(got.filter((r) => r.type === 'continue')).toHaveLength(others);
          expect(got.filter((r) => r.type === 'optneg')).toHaveLength(1);
        },
      ),
      { numRuns: 60 },
    );
    expect(calls).toBeGreaterThan(0);
    expect(longest).toBeLessThanOrEqual(30);
  });
});
