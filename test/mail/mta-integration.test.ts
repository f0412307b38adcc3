/**
 * The mail channel's MTA edges on a real Mamoru (PGlite, DNS off), without Postfix (measures
 * E1–E4, issue 11 item 3): the milter `mamoru serve` starts (`startMilter`) answering a milter
 * session from a scripted MTA — headers added on delivery, 451 4.7.1 once the store is closed —
 * the `POST /v1/screen/mail` body limit raised for that route only, and `mamoru mail scan`.
 * The Postfix end-to-end test (`postfix.e2e.test.ts`) does the same through a real MTA.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MilterServer } from '../../src/channels/mail/index.ts';
import {
  ACTION,
  decodeReplies,
  encodeCommand,
  type MilterCommand,
  type MilterReply,
  PROTOCOL,
} from '../../src/channels/mail/milter/protocol.ts';
import { startMilter } from '../../src/cli/serve-command.ts';
import { loadConfig } from '../../src/config.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { runCli } from '../cli/run-cli.ts';
import { bearer, startTestServer, type TestServer } from '../helpers/server.ts';

const MESSAGE = [
  'From: Alice <alice@sender.example>',
  'To: bob@rcpt.example',
  'Subject: =?UTF-8?B?5piO5pel44Gu5Lya6K2w?=',
  'Date: Thu, 15 Jan 2026 09:30:00 +0900',
  'Message-ID: <m1@sender.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=UTF-8',
  '',
  '明日の会議は10時からです。よろしくお願いします。',
  '',
].join('\r\n');

/** One milter session from a scripted MTA: every command at once, the replies up to the verdict. */
async function milterSession(port: number, raw: string): Promise<MilterReply[]> {
  const [head = '', body = ''] = raw.split(/\r\n\r\n/);
  const headers = head.split('\r\n').map((line) => {
    const i = line.indexOf(':');
    return { name: line.slice(0, i), value: line.slice(i + 1) };
  });
  const commands: MilterCommand[] = [
    {
      type: 'optneg',
      version: 6,
      actions: ACTION.ADDHDRS | ACTION.QUARANTINE | ACTION.CHGHDRS,
      protocol: PROTOCOL.HDR_LEADSPC | PROTOCOL.NOUNKNOWN | PROTOCOL.NODATA,
    },
    { type: 'macro', stage: 'C', macros: [['j', 'mx.rcpt.example']] },
    { type: 'connect', hostname: 'mail.sender.example', family: 'inet', port: 40000, address: '192.0.2.10' },
    { type: 'helo', hostname: 'mail.sender.example' },
    { type: 'mail', sender: '<alice@sender.example>', args: [] },
    { type: 'rcpt', recipient: '<bob@rcpt.example>', args: [] },
    ...headers.map((h) => ({ type: 'header' as const, ...h })),
    { type: 'eoh' },
    { type: 'body', chunk: Buffer.from(`${body}\r\n`) },
    { type: 'eob', chunk: new Uint8Array() },
  ];
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(Buffer.concat(commands.map((c) => encodeCommand(c))));
  const replies: MilterReply[] = [];
  let buffer = Buffer.alloc(0);
  const final = new Set(['accept', 'reject', 'tempfail', 'discard', 'replycode']);
  try {
    for await (const chunk of socket) {
      buffer = Buffer.concat([buffer, chunk as Buffer]);
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32BE(0)) {
        const end = 4 + buffer.readUInt32BE(0);
        replies.push(...decodeReplies(buffer.subarray(0, end)));
        buffer = buffer.subarray(end);
      }
      if (replies.some((r) => final.has(r.type))) break;
    }
  } finally {
    socket.destroy();
  }
  return replies;
}

describe('the milter of mamoru serve, and POST /v1/screen/mail', () => {
  let server: TestServer;
  let milter: MilterServer;
  const saved = process.env.MAMORU_MAIL_DNS;
  beforeAll(async () => {
    // The registered mail plug-in reads its options from the environment when Mamoru opens: no DNS here.
    process.env.MAMORU_MAIL_DNS = 'off';
    server = await startTestServer({ demo: false });
    milter = await startMilter(server.mamoru, 'inet:127.0.0.1:0');
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.MAMORU_MAIL_DNS;
    else process.env.MAMORU_MAIL_DNS = saved;
    await milter?.close();
    await server?.close().catch(() => {});
  });

  it('takes a mail of several megabytes on /v1/screen/mail only', async () => {
    const big = `${MESSAGE}${'0123456789abcdef'.repeat(8).concat('\r\n').repeat(20_000)}`;
    expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
    const payload = {
      rawBase64: Buffer.from(big).toString('base64'),
      envelope: { rcptTo: ['bob@rcpt.example'] },
    };
    const mail = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/mail',
      headers: bearer(server.token),
      payload,
    });
    expect(mail.statusCode, mail.body).toBe(200);
    expect(mail.json().channel).toBe('mail');
    const message = await server.app.inject({
      method: 'POST',
      url: '/v1/screen/message',
      headers: bearer(server.token),
      payload: { kind: 'sms', sender: '+819012345678', text: big },
    });
    expect(message.statusCode).toBe(413);
  });

  it('answers a milter session with the verdict and its headers, logged as the operator organisation from mta:<host>', async () => {
    const replies = await milterSession(milter.address().port, MESSAGE);
    const added = replies.filter((r) => r.type === 'addheader') as { name: string; value: string }[];
    expect(added.map((h) => h.name)).toEqual(['Authentication-Results', 'X-Mamoru-Verdict']);
    const verdict = added[1]?.value ?? '';
    expect(verdict).toMatch(/^ allow; score=[0-9.]+; decision=dec_/);
    expect(replies.at(-1)?.type).toBe('accept');
    const id = /decision=(\S+)/.exec(verdict)?.[1] ?? '';
    const logged = await server.mamoru.store.decisions.get(server.orgId, id);
    expect(logged?.verdict.channel).toBe('mail');
    expect(logged?.event).toMatchObject({ mta: 'mx.rcpt.example', envelope: { clientIp: '192.0.2.10' } });
  });

  it('mamoru mail scan through the running server (POST /v1/screen/mail)', async () => {
    const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
    const dir = await mkdtemp(join(tmpdir(), 'mamoru-mail-scan-api-'));
    try {
      await writeFile(join(dir, 'ok.eml'), MESSAGE);
      const res = await runCli(['mail', 'scan', join(dir, 'ok.eml'), '--event-id', 'scan-api-1'], {
        env: { MAMORU_URL: url, MAMORU_API_KEY: server.token },
      });
      expect(res.code, res.stderr).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({
        channel: 'mail',
        eventId: 'scan-api-1',
        action: 'allow',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers 451 4.7.1 once the store is unavailable (the MTA keeps the mail)', async () => {
    await server.mamoru.store.close();
    const replies = await milterSession(milter.address().port, MESSAGE);
    expect(replies.at(-1)).toEqual({
      type: 'replycode',
      code: '451',
      ext: '4.7.1',
      text: 'Mail filter temporarily unavailable, try again later',
    });
  });
});

describe('MAMORU_MILTER', () => {
  it("takes Postfix's inet:host:port or nothing (off), and names the variable of a bad value", () => {
    expect(loadConfig({}, {}).milter).toBe('');
    expect(loadConfig({}, { MAMORU_MILTER: 'inet:127.0.0.1:11332' }).milter).toBe('inet:127.0.0.1:11332');
    expect(loadConfig({ milter: '[::1]:11332' }, {}).milter).toBe('[::1]:11332');
    expect(() => loadConfig({}, { MAMORU_MILTER: 'unix:/run/mamoru.sock' })).toThrow(
      /MAMORU_MILTER \(--milter\)/,
    );
  });
});

describe('mamoru mail scan', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamoru-mail-scan-'));
    const saved = process.env.MAMORU_MAIL_DNS;
    process.env.MAMORU_MAIL_DNS = 'off';
    try {
      const mamoru = await Mamoru.open(loadConfig({ dataDir: dir, demo: 'false' }, {}));
      await mamoru.bootstrap({ demo: false });
      await mamoru.close();
    } finally {
      if (saved === undefined) delete process.env.MAMORU_MAIL_DNS;
      else process.env.MAMORU_MAIL_DNS = saved;
    }
    await writeFile(join(dir, 'ok.eml'), MESSAGE);
    await writeFile(join(dir, 'no-rcpt.eml'), MESSAGE.replace('To: bob@rcpt.example\r\n', ''));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('screens a message file, recipients from its To, and says what the MTA would do', async () => {
    const env = { MAMORU_MAIL_DNS: 'off' };
    const text = await runCli(['mail', 'scan', join(dir, 'ok.eml'), '--data-dir', dir, '--format', 'text'], {
      env,
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^MTA: 配信 \/ deliver$/m);
    const missing = await runCli(['mail', 'scan', join(dir, 'no-rcpt.eml'), '--data-dir', dir], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--rcpt/);
    const given = await runCli(
      ['mail', 'scan', '-', '--rcpt', 'carol@rcpt.example', '--client-ip', '192.0.2.10', '--data-dir', dir],
      { env, input: MESSAGE },
    );
    expect(given.code, given.stderr).toBe(0);
    expect(JSON.parse(given.stdout)).toMatchObject({ channel: 'mail', action: 'allow' });
  });
});
