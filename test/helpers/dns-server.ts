/**
 * A small authoritative DNS server on 127.0.0.1 for the mail-authentication tests (measures E2,
 * E3: SPF, DKIM, DMARC, ARC and BIMI all read the DNS). It serves one zone over UDP and TCP on
 * the same random port, built on `dns-packet`. Written here rather than run as a real server
 * (bind, knot) because the tests need to make it misbehave per name (SERVFAIL, REFUSED, silence,
 * slowness, hostile bytes) and to count the queries it got, per name, type and transport.
 *
 * Behaviour: NXDOMAIN for an unknown name, NODATA (NOERROR, empty) for a known name without the
 * type, CNAME chains followed inside the zone, the zone's SOA in the authority section of
 * negative answers (RFC 2308), TC=1 on UDP answers over `udpMaxSize` bytes (512 by default) so
 * that clients retry over TCP.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import dnsPacket from 'dns-packet';
import {
  normaliseZone,
  parseZoneFile,
  type Zone,
  type ZoneRecord,
} from '../../src/channels/mail/zone-resolver.ts';

export type { Zone, ZoneRecord } from '../../src/channels/mail/zone-resolver.ts';
/** The zone-file subset's parser lives beside the zone resolver (`mamoru eval mail --zone` reads the same files). */
export { parseZoneFile } from '../../src/channels/mail/zone-resolver.ts';

export type Transport = 'udp' | 'tcp';

/** What the server does for one name instead of answering from the zone. */
export type Misbehaviour =
  | { kind: 'servfail' }
  | { kind: 'refused' }
  /** No answer at all: the client times out. */
  | { kind: 'drop' }
  /** The zone's answer, after a delay. */
  | { kind: 'slow'; delayMs: number };

/**
 * A hook that replaces the whole answer (hostile-server tests): return bytes to send instead
 * of the real answer, `null` to send nothing, `undefined` to answer normally. Over TCP the
 * bytes are framed with their length by the server.
 */
export type RawResponder = (query: DecodedPacket, transport: Transport) => Buffer | null | undefined;

export interface DnsServerOptions {
  /** UDP answers longer than this get TC=1 and no records (default 512). */
  udpMaxSize?: number;
  /** Default TTL of a record without one (default 300). */
  defaultTtl?: number;
}

export interface QueryLog {
  readonly name: string;
  readonly type: string;
  readonly transport: Transport;
}

export interface QueryCounter {
  /** Every query received, in order. */
  readonly log: QueryLog[];
  /** Queries for a name (any case), optionally of one type and over one transport. */
  count(name: string, type?: string, transport?: Transport): number;
  /** Queries received and not answered yet (dropped ones stay counted until stop). */
  readonly inFlight: number;
  /** The most queries ever in flight at once. */
  readonly maxInFlight: number;
  reset(): void;
}

export interface RunningDnsServer {
  readonly address: string;
  readonly port: number;
  /** `127.0.0.1:port`, for a resolver's nameserver list. */
  readonly server: string;
  readonly queries: QueryCounter;
  /** Makes the server misbehave for one name; `undefined` makes it behave again. */
  misbehave(name: string, behaviour: Misbehaviour | undefined): void;
  /** Sets or clears the raw responder (see RawResponder). */
  setRawResponder(responder: RawResponder | undefined): void;
  /** Replaces the zone. */
  setZone(zone: Zone): void;
  stop(): Promise<void>;
}

const lower = (name: string): string => name.replace(/\.$/, '').toLowerCase();

function toAnswer(name: string, record: ZoneRecord, defaultTtl: number): Answer {
  const ttl = record.ttl ?? defaultTtl;
  switch (record.type) {
    case 'TXT':
      return {
        type: 'TXT',
        name,
        ttl,
        data: typeof record.data === 'string' ? [record.data] : [...record.data],
      };
    case 'MX':
      return { type: 'MX', name, ttl, data: { ...record.data } };
    case 'SOA':
      return { type: 'SOA', name, ttl, data: { ...record.data } };
    default:
      return { type: record.type, name, ttl, data: record.data };
  }
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

/** Builds the zone's answer to one question (without the truncation step). */
function answerFromZone(
  zone: Map<string, readonly ZoneRecord[]>,
  query: DecodedPacket,
  defaultTtl: number,
): Packet {
  const question = query.questions?.[0];
  const base = { type: 'response' as const, id: query.id, questions: query.questions ?? [] };
  if (!question) return { ...base, flags: RCODE.SERVFAIL };
  const answers: Answer[] = [];
  let name = lower(question.name);
  let rcode: number = RCODE.NOERROR;
  for (let hop = 0; hop < 16; hop++) {
    const records = zone.get(name);
    if (!records) {
      rcode = RCODE.NXDOMAIN;
      break;
    }
    const own = records.filter((r) => r.type === question.type);
    if (own.length > 0) {
      for (const r of own) answers.push(toAnswer(name, r, defaultTtl));
      break;
    }
    const cname = records.find((r) => r.type === 'CNAME');
    if (!cname || question.type === 'CNAME') break;
    answers.push(toAnswer(name, cname, defaultTtl));
    name = lower(cname.data as string);
  }
  const authorities: Answer[] = [];
  if (answers.length === 0 || rcode === RCODE.NXDOMAIN) {
    // The closest enclosing name with an SOA gives the negative TTL (RFC 2308 section 3).
    const labels = name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const soa = zone.get(labels.slice(i).join('.'))?.find((r) => r.type === 'SOA');
      if (soa) {
        authorities.push(toAnswer(labels.slice(i).join('.'), soa, defaultTtl));
        break;
      }
    }
  }
  return { ...base, flags: dnsPacket.AUTHORITATIVE_ANSWER | rcode, answers, authorities };
}

/**
 * Starts the server. Example:
 * `const dns = await startDnsServer({ 'example.jp': [{ type: 'TXT', data: 'v=spf1 -all' }] })`.
 */
export async function startDnsServer(
  zoneInput: Zone | string,
  options: DnsServerOptions = {},
): Promise<RunningDnsServer> {
  const udpMaxSize = options.udpMaxSize ?? 512;
  const defaultTtl = options.defaultTtl ?? 300;
  let zone = normaliseZone(typeof zoneInput === 'string' ? parseZoneFile(zoneInput) : zoneInput);
  const misbehaviours = new Map<string, Misbehaviour>();
  let raw: RawResponder | undefined;
  const log: QueryLog[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const timers = new Set<NodeJS.Timeout>();
  const tcpSockets = new Set<Socket>();

  const queries: QueryCounter = {
    log,
    count: (name, type, transport) =>
      log.filter(
        (q) =>
          q.name === lower(name) && (!type || q.type === type) && (!transport || q.transport === transport),
      ).length,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    reset() {
      log.length = 0;
      maxInFlight = inFlight;
    },
  };

  /** Works out the reply to one query message; calls `send` at most once. */
  function handle(message: Buffer, transport: Transport, send: (reply: Buffer) => void): void {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    const name = question ? lower(question.name) : '';
    log.push({ name, type: question?.type ?? '', transport });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const finish = (reply: Buffer | null) => {
      inFlight--;
      if (reply) send(reply);
    };
    const custom = raw?.(query, transport);
    if (custom !== undefined) {
      finish(custom);
      return;
    }
    const behaviour = misbehaviours.get(name);
    if (behaviour?.kind === 'drop') return; // stays in flight: the client times out
    if (behaviour?.kind === 'servfail' || behaviour?.kind === 'refused') {
      const rcode = behaviour.kind === 'servfail' ? RCODE.SERVFAIL : RCODE.REFUSED;
      finish(dnsPacket.encode({ type: 'response', id: query.id, flags: rcode, questions: query.questions }));
      return;
    }
    let reply = dnsPacket.encode(answerFromZone(zone, query, defaultTtl));
    if (transport === 'udp' && reply.length > udpMaxSize) {
      reply = dnsPacket.encode({
        type: 'response',
        id: query.id,
        flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.TRUNCATED_RESPONSE,
        questions: query.questions,
      });
    }
    if (behaviour?.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        finish(reply);
      }, behaviour.delayMs);
      timers.add(timer);
      return;
    }
    finish(reply);
  }

  const udp = createSocket('udp4');
  udp.on('message', (message: Buffer, peer: RemoteInfo) => {
    handle(message, 'udp', (reply) => udp.send(reply, peer.port, peer.address));
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, '127.0.0.1', () => resolve());
  });
  const port = udp.address().port;

  const tcp = createServer((socket) => {
    tcpSockets.add(socket);
    socket.on('close', () => tcpSockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        handle(message, 'tcp', (reply) => {
          if (socket.destroyed) return;
          const frame = Buffer.alloc(2);
          frame.writeUInt16BE(reply.length & 0xffff);
          socket.write(Buffer.concat([frame, reply]));
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    address: '127.0.0.1',
    port,
    server: `127.0.0.1:${port}`,
    queries,
    misbehave(name, behaviour) {
      if (behaviour) misbehaviours.set(lower(name), behaviour);
      else misbehaviours.delete(lower(name));
    },
    setRawResponder(responder) {
      raw = responder;
    },
    setZone(next) {
      zone = normaliseZone(next);
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of tcpSockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
