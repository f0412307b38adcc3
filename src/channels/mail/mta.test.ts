/**
 * Tests of the mail channel at the MTA (measures E1–E4): the milter's message → mail payload
 * (exact bytes, envelope), verdict → milter decision (accept with headers, warning, discard for
 * the quarantine, 550 5.7.1 with a sender's reason, 451 on failure), the handler's failure
 * policy and size rule, and fast-check properties: any milter envelope and message give a
 * payload the mail schema takes (or a 451), and any verdict gives an encodable decision.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, type Verdict } from '../../core/index.ts';
import { MAX_MAIL_BYTES, mailBytes, mailSchema } from './mail-schema.ts';
import { decodeReplies, FAMILIES } from './milter/protocol.ts';
import { decisionReplies, type MilterEnvelope, type MilterMessage } from './milter/server.ts';
import {
  forgedHeaders,
  MTA_TEMPFAIL_TEXT,
  MtaPayloadError,
  mailMilterHandler,
  milterMessageToPayload,
  parseMilterListen,
  rejectText,
  UNSCANNED_DECISION,
  verdictToMilter,
} from './mta.ts';
import { QUARANTINED_ACTIONS } from './quarantine.ts';

const enc = new TextEncoder();

function envelope(over: Partial<MilterEnvelope> = {}): MilterEnvelope {
  return {
    macros: { j: 'mx.rcpt.example', i: 'ABC123' },
    client: { hostname: 'mail.sender.example', family: 'inet', port: 40000, address: '192.0.2.10' },
    helo: 'mail.sender.example',
    sender: '<alice@sender.example>',
    senderArgs: ['SIZE=100'],
    recipients: [{ address: '<bob@rcpt.example>', args: [] }],
    ...over,
  };
}

function message(over: Partial<MilterMessage> = {}): MilterMessage {
  const body = enc.encode('Hello Bob.\r\n\r\n-- \r\nAlice\r\n');
  return {
    headers: [
      { name: 'From', value: ' Alice <alice@sender.example>' },
      { name: 'To', value: ' bob@rcpt.example' },
      { name: 'Subject', value: ' =?UTF-8?B?44GT44KT44Gr44Gh44Gv?=' },
      { name: 'X-Folded', value: ' one\n\ttwo' },
    ],
    body,
    bodyBytes: body.length,
    tooLarge: false,
    ...over,
  };
}

function verdict(action: Action, over: Partial<Verdict> = {}): Verdict {
  return {
    id: 'dec_0123456789',
    orgId: 'org_a',
    channel: 'mail',
    eventId: 'evt_1',
    action,
    score: 21,
    hits: [
      {
        signal: 'MAIL_DMARC_REJECT',
        group: 'auth',
        detector: 'dmarc',
        factor: 1,
        weight: 15,
        score: 15,
        evidence: ['example.com'],
      },
      {
        signal: 'MAIL_BIMI_VALID',
        group: 'auth',
        detector: 'bimi',
        factor: 1,
        weight: -2,
        score: -2,
        evidence: [],
      },
    ],
    outcomes: [],
    reasons: [
      {
        signal: 'MAIL_DMARC_REJECT',
        ja: '送信ドメイン example.com は DMARC p=reject を公開し、このメールは DMARC に失敗しました',
        en: 'The sender domain example.com publishes DMARC p=reject and this message failed DMARC.',
      },
      { signal: 'MAIL_BIMI_VALID', ja: 'BIMI ロゴが有効です', en: 'Internal: BIMI logo valid' },
    ],
    summary: {
      ja: '判定: 警告（スコア 5、理由 1 件）：不審なリンク',
      en: 'Verdict: Warn (score 5, 1 reason): suspicious link',
    },
    indicators: [],
    policy: { id: 'mail.default', version: 0 },
    timings: { pre: 0, detect: 0, post: 0, total: 1 } as Verdict['timings'],
    createdAt: '2026-01-15T00:00:00Z',
    ...over,
  };
}

describe('milterMessageToPayload', () => {
  it('reassembles the exact message bytes and the envelope without angle brackets', () => {
    const payload = milterMessageToPayload(envelope(), message(), undefined, {
      now: new Date('2026-01-15T00:00:00Z'),
    });
    expect(mailSchema.parse(payload)).toEqual(payload);
    expect(mailBytes(payload).toString('utf8')).toBe(
      'From: Alice <alice@sender.example>\r\nTo: bob@rcpt.example\r\n' +
        'Subject: =?UTF-8?B?44GT44KT44Gr44Gh44Gv?=\r\nX-Folded: one\r\n\ttwo\r\n\r\n' +
        'Hello Bob.\r\n\r\n-- \r\nAlice\r\n',
    );
    expect(payload.envelope).toEqual({
      clientIp: '192.0.2.10',
      clientHostname: 'mail.sender.example',
      helo: 'mail.sender.example',
      mailFrom: 'alice@sender.example',
      rcptTo: ['bob@rcpt.example'],
    });
    expect(payload.mta).toBe('mx.rcpt.example');
    expect(payload.receivedAt).toBe('2026-01-15T00:00:00.000Z');
  });

  it('keeps 8-bit body bytes as they are (not UTF-8)', () => {
    const body = Uint8Array.from([0x82, 0xa0, 0x0d, 0x0a]); // Shift_JIS あ
    const payload = milterMessageToPayload(envelope(), message({ body, bodyBytes: 4 }));
    expect([...mailBytes(payload).subarray(-4)]).toEqual([0x82, 0xa0, 0x0d, 0x0a]);
  });

  it('keeps raw 8-bit header bytes exact when the server decodes latin1, and reads the envelope as UTF-8', () => {
    const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
    const sjisSubject = Buffer.from([0x82, 0xa0, 0x82, 0xa2]).toString('latin1'); // Shift_JIS あい, raw
    const payload = milterMessageToPayload(
      envelope({
        recipients: [{ address: latin1('<ユーザー@例え.jp>'), args: [] }],
        helo: latin1('メール.example'),
      }),
      message({ headers: [{ name: 'Subject', value: ` ${sjisSubject}` }] }),
      undefined,
      { encoding: 'latin1' },
    );
    expect([...mailBytes(payload).subarray(0, 14)]).toEqual([
      ...Buffer.from('Subject: '),
      0x82,
      0xa0,
      0x82,
      0xa2,
      0x0d,
    ]);
    expect(payload.envelope.rcptTo).toEqual(['ユーザー@例え.jp']);
    expect(payload.envelope.helo).toBe('メール.example');
  });

  it('gives the null sender as an empty MAIL FROM and leaves out what the schema would refuse', () => {
    const payload = milterMessageToPayload(
      envelope({
        sender: '<>',
        helo: '',
        client: { hostname: 'unknown', family: 'unknown', port: 0, address: '' },
        macros: {},
        recipients: [
          { address: '<a>', args: [] },
          { address: '<carol@rcpt.example>', args: [] },
        ],
      }),
      message(),
      'fallback.example',
    );
    expect(payload.envelope).toEqual({ mailFrom: '', rcptTo: ['carol@rcpt.example'] });
    expect(payload.mta).toBe('fallback.example');
  });

  it('refuses a message with no usable recipient, or over the size limit', () => {
    expect(() => milterMessageToPayload(envelope({ recipients: [] }), message())).toThrow(MtaPayloadError);
    const big = new Uint8Array(MAX_MAIL_BYTES);
    expect(() => milterMessageToPayload(envelope(), message({ body: big, bodyBytes: big.length }))).toThrow(
      /over 10240000/,
    );
  });
});

describe('verdictToMilter', () => {
  it('accepts an allowed mail with Authentication-Results and X-Mamoru-Verdict', () => {
    const d = verdictToMilter(verdict('allow', { score: 0 }), 'mx.rcpt.example');
    expect(d.kind).toBe('accept');
    if (d.kind !== 'accept') return;
    expect(d.addHeaders?.map((h) => h.name)).toEqual(['Authentication-Results', 'X-Mamoru-Verdict']);
    expect(d.addHeaders?.[0]?.value).toMatch(/^mx\.rcpt\.example;/);
    expect(d.addHeaders?.[1]?.value).toBe('allow; score=0; decision=dec_0123456789');
  });

  it('adds X-Mamoru-Warning to a warned mail: RFC 2047 Japanese, then English', () => {
    const d = verdictToMilter(verdict('warn', { score: 5 }), 'mx.rcpt.example');
    if (d.kind !== 'accept') throw new Error(d.kind);
    const warning = d.addHeaders?.find((h) => h.name === 'X-Mamoru-Warning')?.value ?? '';
    expect(warning).toMatch(/^=\?UTF-8\?B\?/);
    expect(warning).not.toMatch(/[^\x20-\x7e\n]/);
    for (const line of warning.split('\n')) expect(line.length).toBeLessThanOrEqual(78);
    const words = [...warning.matchAll(/=\?UTF-8\?B\?([^?]+)\?=/g)].map((m) =>
      Buffer.from(m[1] ?? '', 'base64'),
    );
    expect(Buffer.concat(words).toString('utf8')).toBe('判定: 警告（スコア 5、理由 1 件）：不審なリンク');
    expect(warning.replace(/\n /g, ' ')).toContain('/ Verdict: Warn (score 5, 1 reason): suspicious link');
    expect(() => decisionReplies(d)).not.toThrow();
  });

  it('discards exactly the actions the quarantine part keeps a copy of, never another', () => {
    for (const action of ACTIONS)
      expect(verdictToMilter(verdict(action), 'mx').kind === 'discard', action).toBe(
        QUARANTINED_ACTIONS.has(action),
      );
  });

  it('discards a quarantined mail: Mamoru holds the only copy', () => {
    for (const action of ['hold', 'review', 'step_up'] as const)
      expect(verdictToMilter(verdict(action), 'mx')).toEqual({ kind: 'discard' });
  });

  it('rejects a blocked mail 550 5.7.1 with the reasons that raised it, in ASCII, and the reference', () => {
    for (const action of ['block', 'freeze'] as const) {
      const d = verdictToMilter(verdict(action), 'mx');
      expect(d).toEqual({
        kind: 'reject',
        code: '550',
        ext: '5.7.1',
        text: 'Message rejected: The sender domain example.com publishes DMARC p=reject and this message failed DMARC (ref dec_0123456789)',
      });
      expect(() => decisionReplies(d)).not.toThrow();
    }
  });

  it("prefers a reason's customer text, never gives the score, and bounds the text", () => {
    const long = 'x'.repeat(2000);
    const v = verdict('block', {
      reasons: [
        {
          signal: 'MAIL_DMARC_REJECT',
          ja: '内部',
          en: 'internal score 15',
          customer: { ja: '送信者向け', en: 'Ask the sender to fix DMARC' },
        },
      ],
    });
    expect(rejectText(v)).toBe('Message rejected: Ask the sender to fix DMARC (ref dec_0123456789)');
    expect(rejectText(v)).not.toMatch(/score|21/);
    const t = rejectText(
      verdict('block', { reasons: [{ signal: 'MAIL_DMARC_REJECT', ja: 'あ', en: long }] }),
    );
    expect(t.length).toBeLessThanOrEqual(400);
    expect(t).toMatch(/\.\.\. \(ref dec_0123456789\)$/);
  });

  it('gives only the forcing reason when a signal forced the rejection, and at most three otherwise', () => {
    const forced = verdict('block', {
      forced: { action: 'block', by: 'MAIL_DMARC_REJECT', kind: 'signal' },
      hits: [
        ...verdict('block').hits,
        {
          signal: 'MAIL_LURE_MODEL',
          group: 'content',
          detector: 'lure',
          factor: 1,
          weight: 5,
          score: 5,
          evidence: [],
        },
      ],
      reasons: [
        ...verdict('block').reasons,
        { signal: 'MAIL_LURE_MODEL', ja: '詐欺の文面', en: 'The wording resembles fraud' },
      ],
    });
    expect(rejectText(forced)).toBe(
      'Message rejected: The sender domain example.com publishes DMARC p=reject and this message failed DMARC (ref dec_0123456789)',
    );
    const many = ['A', 'B', 'C', 'D'].map((s) => ({
      signal: s,
      group: 'g',
      detector: 'd',
      factor: 1,
      weight: 4,
      score: 4,
      evidence: [],
    }));
    const four = verdict('block', {
      hits: many,
      reasons: many.map((h) => ({ signal: h.signal, ja: h.signal, en: `reason ${h.signal}` })),
    });
    expect(rejectText(four)).toBe('Message rejected: reason A; reason B; reason C (ref dec_0123456789)');
  });

  it('names no reason when only lowering signals fired, and still rejects', () => {
    const v = verdict('block', { hits: [], reasons: [{ signal: 'X', ja: 'x', en: 'secret' }] });
    expect(rejectText(v)).toBe(
      'Message rejected: it matched the recipient domain policy (ref dec_0123456789)',
    );
  });

  it('answers 451 for a verdict it cannot map', () => {
    expect(verdictToMilter(verdict('nope' as Action), 'mx')).toEqual({
      kind: 'tempfail',
      text: MTA_TEMPFAIL_TEXT,
    });
  });
});

describe('mailMilterHandler', () => {
  it('screens the payload and maps the verdict', async () => {
    const seen: unknown[] = [];
    const handler = mailMilterHandler({
      authServId: 'mx',
      screen: async (payload) => {
        seen.push(payload);
        return verdict('block');
      },
    });
    expect((await handler(envelope(), message())).kind).toBe('reject');
    expect(mailSchema.safeParse(seen[0]).success).toBe(true);
  });

  it("deletes the sender's X-Mamoru-* headers and Authentication-Results of our authserv-id from delivered mail", async () => {
    const headers = [
      { name: 'Received', value: ' from x' },
      { name: 'Authentication-Results', value: ' other.example; spf=pass' },
      { name: 'authentication-results', value: ' MX.rcpt.example 1; dkim=pass (forged)' },
      { name: 'X-Mamoru-Verdict', value: ' allow; score=0' },
      { name: 'Authentication-Results', value: ' mx.rcpt.example;dmarc=pass' },
      { name: 'X-Mamoru-Warning', value: ' none' },
    ];
    expect(forgedHeaders(headers, 'mx.rcpt.example')).toEqual([
      { name: 'authentication-results', index: 2, value: '' },
      { name: 'X-Mamoru-Verdict', index: 1, value: '' },
      { name: 'Authentication-Results', index: 3, value: '' },
      { name: 'X-Mamoru-Warning', index: 1, value: '' },
    ]);
    const handler = mailMilterHandler({
      authServId: 'mx.rcpt.example',
      screen: async () => verdict('allow'),
    });
    const accepted = await handler(envelope(), message({ headers }));
    expect(accepted.kind === 'accept' && accepted.changeHeaders?.length).toBe(4);
    const replies = decodeReplies(Buffer.concat(decisionReplies(accepted)));
    expect(replies.slice(0, 2)).toEqual([
      { type: 'chgheader', index: 2, name: 'authentication-results', value: '' },
      { type: 'chgheader', index: 1, name: 'X-Mamoru-Verdict', value: '' },
    ]);
    // Held or refused mail is not changed (the quarantine keeps the message as received).
    const held = mailMilterHandler({ authServId: 'mx.rcpt.example', screen: async () => verdict('hold') });
    expect(await held(envelope(), message({ headers }))).toEqual({ kind: 'discard' });
  });

  it('answers 451 when screening fails (the store is down, the quarantine not written) or no recipient is usable', async () => {
    const failing = mailMilterHandler({
      authServId: 'mx',
      screen: async () => {
        throw new Error('store closed');
      },
    });
    expect(await failing(envelope(), message())).toEqual({ kind: 'tempfail', text: MTA_TEMPFAIL_TEXT });
    const never = mailMilterHandler({ authServId: 'mx', screen: async () => verdict('allow') });
    expect(await never(envelope({ recipients: [] }), message())).toEqual({
      kind: 'tempfail',
      text: MTA_TEMPFAIL_TEXT,
    });
  });

  it('delivers a message too large to screen unscanned, marked so, without screening it', async () => {
    let called = false;
    const handler = mailMilterHandler({
      authServId: 'mx',
      screen: async () => {
        called = true;
        return verdict('block');
      },
    });
    expect(await handler(envelope(), message({ tooLarge: true, bodyBytes: MAX_MAIL_BYTES + 5 }))).toBe(
      UNSCANNED_DECISION,
    );
    const big = new Uint8Array(MAX_MAIL_BYTES - 10);
    expect(await handler(envelope(), message({ body: big, bodyBytes: big.length }))).toBe(UNSCANNED_DECISION);
    expect(called).toBe(false);
    const forged = await handler(
      envelope(),
      message({ tooLarge: true, headers: [{ name: 'X-Mamoru-Verdict', value: ' allow' }] }),
    );
    expect(forged).toEqual({
      ...UNSCANNED_DECISION,
      changeHeaders: [{ name: 'X-Mamoru-Verdict', index: 1, value: '' }],
    });
  });
});

describe('parseMilterListen', () => {
  it("takes Postfix's inet:host:port, host:port and [v6]:port", () => {
    expect(parseMilterListen('inet:127.0.0.1:11332')).toEqual({ host: '127.0.0.1', port: 11332 });
    expect(parseMilterListen('localhost:11332')).toEqual({ host: 'localhost', port: 11332 });
    expect(parseMilterListen('inet6:[::1]:0')).toEqual({ host: '::1', port: 0 });
    for (const bad of ['', '11332', 'unix:/run/milter.sock', '127.0.0.1:70000', 'inet:127.0.0.1'])
      expect(() => parseMilterListen(bad), bad).toThrow(/inet:host:port/);
  });
});

describe('properties', () => {
  const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0'));
  const headerName = fc.stringMatching(/^[!-9;-~]{1,20}$/);
  const envelopeArb: fc.Arbitrary<MilterEnvelope> = fc.record({
    macros: fc.dictionary(fc.constantFrom('j', 'i', '{daemon_name}', '_'), text),
    client: fc.option(
      fc.record({
        hostname: fc.oneof(text, fc.constant('unknown'), fc.domain()),
        family: fc.constantFrom(...FAMILIES),
        port: fc.nat(65535),
        address: fc.oneof(text, fc.ipV4(), fc.ipV6(), fc.ipV4Extended()),
      }),
      { nil: undefined },
    ),
    helo: fc.option(fc.oneof(text, fc.domain()), { nil: undefined }),
    sender: fc.option(
      fc.oneof(
        text,
        fc.emailAddress().map((a) => `<${a}>`),
        fc.constant('<>'),
      ),
      {
        nil: undefined,
      },
    ),
    senderArgs: fc.array(text, { maxLength: 2 }),
    recipients: fc.array(
      fc.record({
        address: fc.oneof(
          text,
          fc.emailAddress().map((a) => `<${a}>`),
          fc.string({ maxLength: 400 }),
        ),
        args: fc.array(text, { maxLength: 2 }),
      }),
      { maxLength: 4 },
    ),
  });
  const messageArb: fc.Arbitrary<MilterMessage> = fc
    .record({
      headers: fc.array(
        fc.record({ name: headerName, value: fc.oneof(text, fc.string({ unit: 'binary' })) }),
        {
          maxLength: 8,
        },
      ),
      body: fc.uint8Array({ maxLength: 400 }),
      tooLarge: fc.boolean(),
    })
    .map((m) => ({ ...m, bodyBytes: m.body.length }));

  it('any milter envelope and message: a payload the mail schema takes, or MtaPayloadError; the handler never throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        envelopeArb,
        messageArb,
        fc.constantFrom('utf8', 'latin1'),
        async (env, msg, encoding) => {
          try {
            const payload = milterMessageToPayload(env, msg, 'mx.rcpt.example', { encoding });
            const parsed = mailSchema.safeParse(payload);
            expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
            expect(mailBytes(payload).subarray(-msg.body.length || Number.POSITIVE_INFINITY)).toEqual(
              msg.body.length ? Buffer.from(msg.body) : Buffer.alloc(0),
            );
          } catch (error) {
            expect(error).toBeInstanceOf(MtaPayloadError);
          }
          const handler = mailMilterHandler({
            authServId: 'mx',
            encoding,
            screen: async () => verdict('allow'),
          });
          const decision = await handler(env, msg);
          expect(['accept', 'tempfail']).toContain(decision.kind);
          expect(() => decisionReplies(decision)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parseMilterListen: any text is an address or a RangeError; every inet:host:port reads back', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        try {
          const { host, port } = parseMilterListen(text);
          expect(Number.isInteger(port) && port >= 0 && port <= 65535).toBe(true);
          expect(host.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.domain(),
          fc.ipV4(),
          fc.ipV6().map((a) => `[${a}]`),
        ),
        fc.nat(65535),
        fc.constantFrom('inet:', 'inet6:', ''),
        (host, port, prefix) => {
          expect(parseMilterListen(`${prefix}${host}:${port}`)).toEqual({
            host: host.replace(/^\[|\]$/g, ''),
            port,
          });
        },
      ),
    );
  });

  it('any verdict: one of the decision kinds, encodable as milter replies', () => {
    const reason = fc.record({
      signal: fc.constantFrom('MAIL_DMARC_REJECT', 'MAIL_BIMI_VALID', 'OTHER'),
      ja: text,
      en: fc.string({ unit: 'binary', maxLength: 1200 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...ACTIONS),
        fc.array(reason, { maxLength: 4 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (action, reasons, ja, en, id) => {
          const d = verdictToMilter(verdict(action, { reasons, summary: { ja, en }, id }), 'mx.rcpt.example');
          expect(['accept', 'discard', 'reject', 'tempfail']).toContain(d.kind);
          expect(() => decisionReplies(d)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});
