/**
 * Tests of the milter protocol codec (measures E1–E4: the path from Postfix to the filter).
 * Golden packets are built by hand from the protocol as libmilter and Postfix implement it
 * (sources in README.md): mfdef.h for the bytes, milter-protocol.txt and milter-protocol-extras.txt for the layouts.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTION,
  DEFAULT_MAX_PACKET_LENGTH,
  decodeReplies,
  encodeCommand,
  encodeReply,
  FAMILIES,
  MAMORU_WANTS,
  type MilterCommand,
  MilterDecoder,
  MilterProtocolError,
  type MilterReply,
  negotiate,
  PROTOCOL,
  reply,
  replyCodeText,
} from './protocol.ts';

/** Bytes from hex digits (spaces ignored): the packet as the wire carries it. */
function hex(text: string): Buffer {
  return Buffer.from(text.replaceAll(/\s+/g, ''), 'hex');
}

/** uint32 length + command byte + data (milter-protocol.txt, packet format: the length counts the command byte). */
function packet(command: string, data: string | Buffer = ''): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const out = Buffer.alloc(5);
  out.writeUInt32BE(1 + body.length, 0);
  out.write(command, 4, 'latin1');
  return Buffer.concat([out, body]);
}

function decodeAll(bytes: Uint8Array): MilterCommand[] {
  const decoder = new MilterDecoder();
  const out = decoder.feed(bytes);
  decoder.end();
  return out;
}

// One Postfix session as captured on the wire, written out packet by packet.
const SESSION: readonly [Buffer, MilterCommand][] = [
  // SMFIC_OPTNEG (mfdef.h, milter-protocol-extras.txt "Protocol negotiation"): version 6, every v6 action (0x1ff) and step flag (0x1fffff): a full v6 offer.
  [
    hex('0000000d 4f 00000006 000001ff 001fffff'),
    { type: 'optneg', version: 6, actions: 0x1ff, protocol: 0x1fffff },
  ],
  // SMFIC_MACRO (milter-protocol.txt "SMFIC_MACRO"): stage byte 'C' then name\0value\0 pairs.
  [
    packet('D', 'Cj\0mx.example.org\0{daemon_name}\0smtpd\0'),
    {
      type: 'macro',
      stage: 'C',
      macros: [
        ['j', 'mx.example.org'],
        ['{daemon_name}', 'smtpd'],
      ],
    },
  ],
  // SMFIC_CONNECT (milter-protocol.txt "SMFIC_CONNECT"), length 1 + 20 + 1 + 2 + 10 = 0x22: hostname\0, family '4', port uint16 (54321 = 0xd431), address\0.
  [
    hex(
      `00000022 43 ${Buffer.from('mail.sender.example\0').toString('hex')} 34 d431 ${Buffer.from('192.0.2.1\0').toString('hex')}`,
    ),
    { type: 'connect', hostname: 'mail.sender.example', family: 'inet', port: 54321, address: '192.0.2.1' },
  ],
  [packet('H', 'mail.sender.example\0'), { type: 'helo', hostname: 'mail.sender.example' }],
  // SMFIC_MAIL (milter-protocol.txt "SMFIC_MAIL"): sender then ESMTP arguments, each NUL-terminated.
  [
    packet('M', '<a@sender.example>\0SIZE=1234\0BODY=8BITMIME\0'),
    { type: 'mail', sender: '<a@sender.example>', args: ['SIZE=1234', 'BODY=8BITMIME'] },
  ],
  [packet('R', '<b@mx.example.org>\0'), { type: 'rcpt', recipient: '<b@mx.example.org>', args: [] }],
  [packet('T'), { type: 'data' }],
  // SMFIC_HEADER (milter-protocol.txt "SMFIC_HEADER"): name\0value\0 (with HDR_LEADSPC the leading space is kept).
  [packet('L', 'Subject\0 Hello\0'), { type: 'header', name: 'Subject', value: ' Hello' }],
  [
    packet('L', 'To\0 b@mx.example.org,\n\tc@mx.example.org\0'),
    { type: 'header', name: 'To', value: ' b@mx.example.org,\n\tc@mx.example.org' },
  ],
  [packet('N'), { type: 'eoh' }],
  [packet('B', 'Hi\r\n'), { type: 'body', chunk: new Uint8Array(Buffer.from('Hi\r\n')) }],
  [packet('E'), { type: 'eob', chunk: new Uint8Array(0) }],
  [packet('A'), { type: 'abort' }],
  [packet('K'), { type: 'quit-nc' }],
  [packet('Q'), { type: 'quit' }],
];

describe('decoding captured packets', () => {
  it.each(SESSION.map(([bytes, command]) => [command.type, bytes, command] as const))(
    '%s',
    (_type, bytes, command) => {
      expect(decodeAll(bytes)).toEqual([command]);
      expect(encodeCommand(command)).toEqual(bytes);
    },
  );

  it('decodes CONNECT of other families (libmilter: family U carries no port or address; unix sends port 0)', () => {
    expect(decodeAll(packet('C', 'unknown\0U'))).toEqual([
      { type: 'connect', hostname: 'unknown', family: 'unknown', port: 0, address: '' },
    ]);
    expect(decodeAll(packet('C', `[2001:db8::1]\x006\x00\x19IPv6:2001:db8::1\0`))).toEqual([
      { type: 'connect', hostname: '[2001:db8::1]', family: 'inet6', port: 25, address: 'IPv6:2001:db8::1' },
    ]);
    expect(decodeAll(packet('C', 'localhost\0L\0\0/run/smtpd.sock\0'))).toEqual([
      { type: 'connect', hostname: 'localhost', family: 'unix', port: 0, address: '/run/smtpd.sock' },
    ]);
  });

  it('ignores bytes after the three OPTNEG fields', () => {
    expect(decodeAll(hex('00000011 4f 00000006 000001ff 001fffff 00000000'))).toEqual([
      { type: 'optneg', version: 6, actions: 0x1ff, protocol: 0x1fffff },
    ]);
  });

  it('the encoder refuses what the wire cannot carry', () => {
    expect(() => encodeCommand({ type: 'macro', stage: '', macros: [] })).toThrow(MilterProtocolError);
    expect(() => encodeCommand({ type: 'helo', hostname: 'a\0b' })).toThrow(
      expect.objectContaining({ code: 'malformed_packet' }),
    );
  });

  it('decodes SMFIC_UNKNOWN and an empty macro list', () => {
    expect(decodeAll(packet('U', 'XFOO bar\0'))).toEqual([{ type: 'unknown', command: 'XFOO bar' }]);
    expect(decodeAll(packet('D', 'N'))).toEqual([{ type: 'macro', stage: 'N', macros: [] }]);
  });

  it('keeps raw 8-bit header bytes with the latin1 encoding', () => {
    const raw = Buffer.concat([Buffer.from('Subject\0 '), Buffer.from([0x82, 0xa0]), Buffer.from('\0')]);
    const decoder = new MilterDecoder({ encoding: 'latin1' });
    const [command] = decoder.feed(packet('L', raw));
    expect(command).toEqual({ type: 'header', name: 'Subject', value: ' \x82\xa0' });
  });

  it.each([
    ['unknown command byte', packet('Z'), 'unknown_command'],
    ['OPTNEG too short', packet('O', '\0\0\0\x06'), 'malformed_packet'],
    ['HELO without NUL', packet('H', 'host'), 'malformed_packet'],
    ['HEADER with one string', packet('L', 'Subject\0'), 'malformed_packet'],
    ['MACRO name without value', packet('D', 'Cj\0'), 'malformed_packet'],
    ['MACRO without stage', packet('D'), 'malformed_packet'],
    ['CONNECT bad family', packet('C', 'h\0X'), 'malformed_packet'],
    ['CONNECT no port', packet('C', 'h\x004'), 'malformed_packet'],
    ['MAIL without address', packet('M'), 'malformed_packet'],
    ['EOH with data', packet('N', 'x'), 'malformed_packet'],
  ])('refuses %s', (_what, bytes, code) => {
    expect(() => decodeAll(bytes)).toThrow(expect.objectContaining({ name: 'MilterProtocolError', code }));
  });
});

describe('stream framing', () => {
  const stream = Buffer.concat(SESSION.map(([bytes]) => bytes));
  const expected = SESSION.map(([, command]) => command);

  it('splitting the stream at every byte boundary gives the same commands', () => {
    for (let at = 0; at <= stream.length; at++) {
      const decoder = new MilterDecoder();
      const out = [...decoder.feed(stream.subarray(0, at)), ...decoder.feed(stream.subarray(at))];
      decoder.end();
      expect(out).toEqual(expected);
    }
  });

  it('feeding one byte at a time gives the same commands', () => {
    const decoder = new MilterDecoder();
    const out: MilterCommand[] = [];
    for (const byte of stream) out.push(...decoder.feed(Uint8Array.of(byte)));
    expect(out).toEqual(expected);
    expect(decoder.pending).toBe(0);
  });

  it('a full body chunk fed one byte at a time is decoded once, holding only its own bytes', () => {
    const bytes = packet('B', Buffer.alloc(65535, 0x62));
    const decoder = new MilterDecoder();
    for (let i = 0; i < bytes.length - 1; i++) expect(decoder.feed(bytes.subarray(i, i + 1))).toEqual([]);
    expect(decoder.pending).toBe(bytes.length - 1);
    const [command] = decoder.feed(bytes.subarray(bytes.length - 1));
    expect(command?.type === 'body' && command.chunk.length).toBe(65535);
    expect(decoder.pending).toBe(0);
  });

  it('decoded commands do not share memory with the fed bytes', () => {
    const bytes = packet('B', 'abc');
    const [command] = new MilterDecoder().feed(bytes);
    bytes.fill(0);
    expect(command).toEqual({ type: 'body', chunk: new Uint8Array(Buffer.from('abc')) });
  });

  it('end() refuses a stream cut inside a packet', () => {
    const decoder = new MilterDecoder();
    decoder.feed(stream.subarray(0, 7));
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: 'truncated_stream' }));
  });
});

describe('limits', () => {
  it('refuses a length over the limit as soon as the 4 length bytes arrive', () => {
    const decoder = new MilterDecoder({ maxPacketLength: 100 });
    expect(decoder.feed(hex('00000064 42'))).toEqual([]); // exactly 100: accepted, waiting
    const strict = new MilterDecoder({ maxPacketLength: 100 });
    expect(() => strict.feed(hex('00000065'))).toThrow(expect.objectContaining({ code: 'packet_too_large' }));
    expect(() => new MilterDecoder().feed(hex('ffffffff'))).toThrow(
      expect.objectContaining({ code: 'packet_too_large' }),
    );
  });

  it('the default limit takes a full body chunk and a 100 KiB header', () => {
    const decoder = new MilterDecoder();
    const chunk = Buffer.alloc(65535, 0x61);
    expect(decoder.feed(packet('B', chunk))).toEqual([{ type: 'body', chunk: new Uint8Array(chunk) }]);
    const value = 'x'.repeat(102400);
    expect(decoder.feed(packet('L', `X-Big\0${value}\0`))).toEqual([
      { type: 'header', name: 'X-Big', value },
    ]);
    expect(() => decoder.feed(hex(DEFAULT_MAX_PACKET_LENGTH.toString(16).padStart(8, '0')))).not.toThrow();
    expect(() =>
      new MilterDecoder().feed(hex((DEFAULT_MAX_PACKET_LENGTH + 1).toString(16).padStart(8, '0'))),
    ).toThrow(MilterProtocolError);
  });

  it('refuses length 0, and stays failed afterwards', () => {
    const decoder = new MilterDecoder();
    expect(() => decoder.feed(hex('00000000'))).toThrow(expect.objectContaining({ code: 'empty_packet' }));
    expect(() => decoder.feed(packet('Q'))).toThrow(expect.objectContaining({ code: 'empty_packet' }));
    expect(decoder.pending).toBe(0);
  });

  it('a feed that reaches a bad packet throws, even after good ones in the same call', () => {
    const decoder = new MilterDecoder();
    expect(() => decoder.feed(Buffer.concat([packet('N'), packet('Z')]))).toThrow(
      expect.objectContaining({ code: 'unknown_command' }),
    );
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: 'unknown_command' }));
  });

  it('refuses a bad limit', () => {
    expect(() => new MilterDecoder({ maxPacketLength: 0 })).toThrow(RangeError);
    expect(() => new MilterDecoder({ maxPacketLength: 1.5 })).toThrow(RangeError);
  });
});

// Strings the protocol can carry: any text without NUL (it ends a string on the wire).
const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0'));
const bytes = fc.uint8Array({ maxLength: 300 });
const commandArb: fc.Arbitrary<MilterCommand> = fc.oneof(
  fc.record({
    type: fc.constant('optneg' as const),
    version: fc.nat(),
    actions: fc.nat(),
    protocol: fc.nat(),
  }),
  fc.record({
    type: fc.constant('macro' as const),
    stage: fc.constantFrom('C', 'H', 'M', 'R', 'T', 'L', 'N', 'E'),
    macros: fc.array(fc.tuple(text, text), { maxLength: 5 }),
  }),
  fc.oneof(
    fc.record({
      type: fc.constant('connect' as const),
      hostname: text,
      family: fc.constantFrom(...FAMILIES.filter((f) => f !== 'unknown')),
      port: fc.integer({ min: 0, max: 65535 }),
      address: text,
    }),
    fc.record({
      type: fc.constant('connect' as const),
      hostname: text,
      family: fc.constant('unknown' as const),
      port: fc.constant(0),
      address: fc.constant(''),
    }),
  ),
  fc.record({ type: fc.constant('helo' as const), hostname: text }),
  fc.record({ type: fc.constant('mail' as const), sender: text, args: fc.array(text, { maxLength: 4 }) }),
  fc.record({ type: fc.constant('rcpt' as const), recipient: text, args: fc.array(text, { maxLength: 4 }) }),
  fc.record({ type: fc.constant('header' as const), name: text, value: text }),
  fc.record({ type: fc.constantFrom('body' as const, 'eob' as const), chunk: bytes }),
  fc.record({ type: fc.constant('unknown' as const), command: text }),
  fc.record({
    type: fc.constantFrom(
      'data' as const,
      'eoh' as const,
      'abort' as const,
      'quit' as const,
      'quit-nc' as const,
    ),
  }),
);

/** Feeds `stream` cut at `cuts` (positions taken modulo its length). */
function feedSplit(decoder: MilterDecoder, stream: Uint8Array, cuts: readonly number[]): MilterCommand[] {
  const points = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % (stream.length + 1))))].sort(
    (a, b) => a - b,
  );
  const out: MilterCommand[] = [];
  let from = 0;
  for (const at of [...points, stream.length]) {
    out.push(...decoder.feed(stream.subarray(from, at)));
    from = at;
  }
  return out;
}

describe('properties', () => {
  it('encode → decode round-trips every command', () => {
    fc.assert(
      fc.property(commandArb, (command) => {
        expect(decodeAll(encodeCommand(command))).toEqual([command]);
      }),
    );
  });

  it('random valid packet sequences, split anywhere, decode to the same commands', () => {
    fc.assert(
      fc.property(
        fc.array(commandArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (commands, cuts) => {
          const stream = Buffer.concat(commands.map(encodeCommand));
          const decoder = new MilterDecoder();
          expect(feedSplit(decoder, stream, cuts)).toEqual(commands);
          expect(() => decoder.end()).not.toThrow();
        },
      ),
    );
  });

  it('random byte streams only ever raise MilterProtocolError, with bounded memory', () => {
    const max = 64;
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 10 }),
        fc.boolean(),
        (chunks, startValid) => {
          const decoder = new MilterDecoder({ maxPacketLength: max });
          // Half the runs start with a valid packet so the fuzz reaches past the first length.
          if (startValid) decoder.feed(packet('H', 'h\0'));
          for (const chunk of chunks) {
            try {
              decoder.feed(chunk);
            } catch (error) {
              expect(error).toBeInstanceOf(MilterProtocolError);
              return;
            }
            expect(decoder.pending).toBeLessThan(4 + max);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('random packets with a valid frame and random content never crash the decoder', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...'OCDHMRTLNBEAQKUZ\0'),
        fc.uint8Array({ maxLength: 60 }),
        (command, data) => {
          try {
            decodeAll(packet(command, Buffer.from(data)));
          } catch (error) {
            expect(error).toBeInstanceOf(MilterProtocolError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('reply encoders (golden bytes)', () => {
  it.each([
    ['continue', reply.continue(), '00000001 63'],
    ['accept', reply.accept(), '00000001 61'],
    ['reject', reply.reject(), '00000001 72'],
    ['tempfail', reply.tempfail(), '00000001 74'],
    ['discard', reply.discard(), '00000001 64'],
    ['progress', reply.progress(), '00000001 70'],
    ['skip', encodeReply({ type: 'skip' }), '00000001 73'],
    [
      'optneg',
      reply.optneg({ version: 6, actions: 0x31, protocol: 0x100300 }),
      '0000000d 4f 00000006 00000031 00100300',
    ],
  ])('%s', (_what, actual, expected) => {
    expect(actual).toEqual(hex(expected));
  });

  it('replycode: "550 5.7.1 text" NUL-terminated, % doubled (smfi_setreply)', () => {
    expect(reply.replyCode('550', '5.7.1', 'Rejected: 100% spoofed')).toEqual(
      packet('y', '550 5.7.1 Rejected: 100%% spoofed\0'),
    );
    expect(reply.replyCode('451', '4.7.1', 'Try again later')).toEqual(
      packet('y', '451 4.7.1 Try again later\0'),
    );
  });

  it('quarantine, addheader, insheader with index, chgheader', () => {
    expect(reply.quarantine('Mamoru: lure score 0.93')).toEqual(packet('q', 'Mamoru: lure score 0.93\0'));
    expect(reply.addHeader('X-Mamoru-Verdict', 'quarantine')).toEqual(
      packet('h', 'X-Mamoru-Verdict\0quarantine\0'),
    );
    expect(reply.insertHeader(0, 'Authentication-Results', 'mx.example.org;\n\tdmarc=pass')).toEqual(
      packet(
        'i',
        Buffer.concat([
          hex('00000000'),
          Buffer.from('Authentication-Results\0mx.example.org;\n\tdmarc=pass\0'),
        ]),
      ),
    );
    expect(reply.changeHeader(2, 'X-Mamoru-Verdict', '')).toEqual(
      packet('m', Buffer.concat([hex('00000002'), Buffer.from('X-Mamoru-Verdict\0\0')])),
    );
  });

  it.each([
    ['a 2xx code', () => replyCodeText('250', '2.0.0', 'ok')],
    ['a non-numeric code', () => replyCodeText('5x0', '5.7.1', 'no')],
    ['an enhanced code of another class', () => replyCodeText('550', '4.7.1', 'no')],
    ['a malformed enhanced code', () => replyCodeText('550', '5.7', 'no')],
    ['CR in the text', () => replyCodeText('550', '5.7.1', 'a\rb')],
    ['LF in the text', () => replyCodeText('550', '5.7.1', 'a\nb')],
    ['non-ASCII text', () => replyCodeText('550', '5.7.1', '詐欺')],
    ['a reply over 980 characters', () => replyCodeText('550', '5.7.1', 'x'.repeat(980))],
    ['a header name with a colon', () => reply.addHeader('X-Bad:', 'v')],
    ['an empty header name', () => reply.addHeader('', 'v')],
    ['a header value with a bare LF', () => reply.addHeader('X-A', 'a\nb')],
    ['a header value with a NUL', () => reply.addHeader('X-A', 'a\0b')],
    ['a negative header index', () => reply.insertHeader(-1, 'X-A', 'v')],
    ['an empty quarantine reason', () => reply.quarantine('')],
    ['a quarantine reason with LF', () => reply.quarantine('a\nb')],
  ])('refuses %s', (_what, encode) => {
    expect(encode).toThrow(expect.objectContaining({ name: 'MilterProtocolError', code: 'invalid_reply' }));
  });

  it('encode → decode round-trips replies', () => {
    const name = fc.stringMatching(/^[!-9;-~]{1,20}$/);
    const value = fc.stringMatching(/^[ -~]{0,20}(\r?\n[ \t][ -~]{0,10})?$/);
    const replyArb: fc.Arbitrary<MilterReply> = fc.oneof(
      fc.record({
        type: fc.constantFrom(
          'continue',
          'accept',
          'reject',
          'tempfail',
          'discard',
          'progress',
          'skip',
        ) as fc.Arbitrary<'continue'>,
      }),
      fc.record({
        type: fc.constant('optneg' as const),
        version: fc.nat(),
        actions: fc.nat(),
        protocol: fc.nat(),
      }),
      fc.record({ type: fc.constant('quarantine' as const), reason: fc.stringMatching(/^[ -~]{1,30}$/) }),
      fc.record({ type: fc.constant('addheader' as const), name, value }),
      fc.record({
        type: fc.constantFrom('insheader' as const, 'chgheader' as const),
        index: fc.nat(),
        name,
        value,
      }),
      fc
        .record({
          type: fc.constant('replycode' as const),
          code: fc.constantFrom('550', '554', '451'),
          ext: fc.constant('X.7.1'),
          text: fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/),
        })
        .map((r) => ({ ...r, ext: `${r.code[0]}.7.1` })),
    );
    fc.assert(
      fc.property(replyArb, (r) => {
        const expected = r.type === 'replycode' ? { ...r, text: r.text.replaceAll('%', '%%') } : r;
        expect(decodeReplies(encodeReply(r))).toEqual([expected]);
      }),
    );
  });
});

describe('option negotiation', () => {
  it('asks a full v6 offer for add headers, quarantine, change headers; skips unknown and DATA; keeps leading spaces', () => {
    const ours = negotiate({ version: 6, actions: 0x1ff, protocol: 0x1fffff });
    expect(ours).toEqual({
      version: 6,
      actions: ACTION.ADDHDRS | ACTION.CHGHDRS | ACTION.QUARANTINE,
      protocol: PROTOCOL.NOUNKNOWN | PROTOCOL.NODATA | PROTOCOL.HDR_LEADSPC,
    });
    expect(ours.protocol & (PROTOCOL.NOHDRS | PROTOCOL.NOBODY | PROTOCOL.NOEOH)).toBe(0);
  });

  it('with a version 2 MTA: its version, only the flags it offers', () => {
    expect(negotiate({ version: 2, actions: 0x3f, protocol: 0x7f })).toEqual({
      version: 2,
      actions: 0x31,
      protocol: 0,
    });
  });

  it('never asks for what the MTA does not offer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), fc.nat(), fc.nat(), (version, actions, protocol) => {
        const mta = { version, actions: actions | MAMORU_WANTS.requiredActions, protocol };
        const ours = negotiate(mta);
        expect(ours.actions & ~mta.actions).toBe(0);
        expect(ours.protocol & ~mta.protocol).toBe(0);
        expect(ours.version).toBeLessThanOrEqual(6);
      }),
    );
  });

  it.each([
    ['no quarantine action', { version: 6, actions: 0x1df, protocol: 0x1fffff }, /QUARANTINE/],
    ['no add-headers action', { version: 6, actions: 0x1fe, protocol: 0x1fffff }, /ADDHDRS/],
    ['protocol version 1', { version: 1, actions: 0x3f, protocol: 0x3f }, /version 1/],
  ])('fails clearly with %s', (_what, mta, message) => {
    expect(() => negotiate(mta)).toThrow(
      expect.objectContaining({ code: 'negotiation_failed', message: expect.stringMatching(message) }),
    );
  });

  it('refuses wants that would skip headers or body', () => {
    expect(() =>
      negotiate(
        { version: 6, actions: 0x1ff, protocol: 0x1fffff },
        { ...MAMORU_WANTS, protocol: PROTOCOL.NOBODY },
      ),
    ).toThrow(
      expect.objectContaining({ code: 'negotiation_failed', message: expect.stringMatching(/NOBODY/) }),
    );
  });
});
