/**
 * Our DNS resolver for mail authentication (measures E2 and E3: SPF, DKIM, DMARC, ARC and BIMI
 * read the sender's DNS; E4: a DNS failure must never turn into a silent pass or a false fail).
 *
 * `createDnsResolver(options).resolve(name, rrtype)` has the shape of Node's
 * `dns.promises.resolve`, so it can be given to mailauth as its `resolver`. It is written here,
 * on `dns-packet`, rather than using Node's c-ares resolver because we need what c-ares does not
 * give: a cache that keeps each answer for its TTL (clamped), negative caching by the SOA minimum
 * (RFC 2308), one request in flight per question, a cap on queries in flight, and the error codes
 * mailauth maps to "none"/"permerror" (ENOTFOUND, ENODATA, EBADNAME: permanent, cached) versus
 * "temperror" (ESERVFAIL, EREFUSED, ETIMEOUT, ECONNREFUSED, EBADRESP: temporary, never cached).
 *
 * Queries go over UDP with EDNS0 (4096-byte payload) from a fresh socket with a random id; an
 * answer whose source, id or question does not match is ignored (spoofing), and an answer with
 * TC=1 is asked again over TCP (RFC 7766, 2-byte length framing).
 */
import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { getServers } from 'node:dns';
import { connect, isIP, Socket as TcpSocket } from 'node:net';
import type { DecodedPacket } from 'dns-packet';
import dnsPacket from 'dns-packet';
import { LruCache } from '../../intel/lru-cache.ts';

export const RESOLVE_TYPES = ['A', 'AAAA', 'TXT', 'MX', 'CNAME', 'PTR', 'NS'] as const;
export type ResolveType = (typeof RESOLVE_TYPES)[number];

/** The answer shapes of `dns.promises.resolve`. */
export interface MxRecord {
  exchange: string;
  priority: number;
}
export type ResolveResult = string[] | string[][] | MxRecord[];

/** Codes of lookups that say the record does not exist: mailauth reads them as "none". */
export const PERMANENT_CODES = ['ENOTFOUND', 'ENODATA', 'EBADNAME'] as const;
/** Codes of lookups that failed for now: mailauth reads them as "temperror". */
export const TEMPORARY_CODES = [
  'ESERVFAIL',
  'EREFUSED',
  'ETIMEOUT',
  'ECONNREFUSED',
  'EBADRESP',
  'ECANCELLED',
] as const;
export type DnsErrorCode = (typeof PERMANENT_CODES)[number] | (typeof TEMPORARY_CODES)[number] | 'ENOTIMP';

/** A failed lookup, shaped like Node's DNS errors (`code`, `hostname`, `syscall`). */
export class DnsError extends Error {
  readonly code: DnsErrorCode;
  readonly hostname: string;
  readonly syscall: string;
  constructor(code: DnsErrorCode, hostname: string, type: string) {
    super(`query${type.charAt(0)}${type.slice(1).toLowerCase()} ${code} ${hostname}`);
    this.name = 'DnsError';
    this.code = code;
    this.hostname = hostname;
    this.syscall = `query${type.charAt(0)}${type.slice(1).toLowerCase()}`;
  }
}

export interface DnsResolverOptions {
  /** `host:port` or `[v6]:port` list; default: the system's (`dns.getServers()`). */
  nameservers?: readonly string[];
  /** Wait for one try, in ms (default 2000). */
  timeoutMs?: number;
  /** Tries per server before the next one (default 2). */
  tries?: number;
  /** Questions on the wire at once; more wait in a queue (default 64). */
  maxConcurrent?: number;
  /** Cached questions (LRU, default 10,000). */
  cacheMaxEntries?: number;
  /** Clamp of a positive answer's TTL, seconds (default 0 and 86,400). */
  minTtlSeconds?: number;
  maxTtlSeconds?: number;
  /** Negative TTL when the answer carries no SOA (default 60 s), and its cap (default 3,600 s). */
  negativeTtlSeconds?: number;
  maxNegativeTtlSeconds?: number;
  /** Clock in ms (tests inject one); default Date.now. */
  now?: () => number;
}

export interface DnsResolverStats {
  readonly udpQueries: number;
  readonly tcpQueries: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly inFlight: number;
  readonly queued: number;
  readonly maxInFlight: number;
}

export interface DnsResolver {
  resolve(name: string, rrtype?: string): Promise<ResolveResult>;
  stats(): DnsResolverStats;
  /** Cancels what is queued or on the wire (ECANCELLED) and refuses new lookups. */
  close(): void;
}

interface Nameserver {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
}

type Outcome =
  | { readonly ok: true; readonly value: ResolveResult; readonly ttl: number }
  | { readonly ok: false; readonly code: DnsErrorCode; readonly ttl: number };

interface CacheEntry {
  readonly outcome: Outcome;
  readonly expires: number;
}

/** Parses `host`, `host:port`, `[v6]` or `[v6]:port` (a bare v6 address has no port). */
export function parseNameserver(spec: string): Nameserver {
  let host = spec;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec);
  if (bracket?.[1]) {
    host = bracket[1];
    if (bracket[2]) port = Number(bracket[2]);
  } else if (spec.split(':').length === 2) {
    const [h, p] = spec.split(':');
    host = h ?? '';
    port = Number(p);
  }
  const family = isIP(host);
  if ((family !== 4 && family !== 6) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`nameserver must be an IP address with an optional port: ${spec}`);
  }
  return { host, port, family };
}

/**
 * Lower-cases a name and drops one trailing dot; `undefined` for a name that cannot be in the
 * DNS (empty label, label over 63 or name over 253 octets, spaces, control or non-ASCII
 * characters: U-labels must come as A-labels). Such a name is never sent.
 */
export function normaliseName(name: string): string | undefined {
  if (typeof name !== 'string') return undefined;
  const n = name.endsWith('.') ? name.slice(0, -1).toLowerCase() : name.toLowerCase();
  if (n.length === 0 || n.length > 253 || !/^[\x21-\x7e]+$/.test(n)) return undefined;
  return n.split('.').every((label) => label.length > 0 && label.length <= 63) ? n : undefined;
}

/** A record as decoded, read without trusting its fields (a hostile server chose them). */
interface LooseRecord {
  readonly type?: unknown;
  readonly name?: unknown;
  readonly ttl?: unknown;
  readonly data?: unknown;
}
const ttlOf = (r: LooseRecord): number => (typeof r.ttl === 'number' ? r.ttl : 0);

const sameName = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b;

/** Turns a decoded answer into an outcome, following CNAME chains inside the answer section. */
function interpret(packet: DecodedPacket, name: string, type: ResolveType): Outcome {
  const rcode = (packet.flags ?? 0) & 0xf;
  if (rcode === 2) return { ok: false, code: 'ESERVFAIL', ttl: 0 };
  if (rcode === 5) return { ok: false, code: 'EREFUSED', ttl: 0 };
  if (rcode !== 0 && rcode !== 3) return { ok: false, code: 'EBADRESP', ttl: 0 };
  const answers = (packet.answers ?? []) as LooseRecord[];
  let current = name;
  let ttl = Number.POSITIVE_INFINITY;
  let found: LooseRecord[] = [];
  for (let hop = 0; hop < 16; hop++) {
    found = answers.filter((a) => a.type === type && typeof a.name === 'string' && sameName(a.name, current));
    if (found.length > 0 || type === 'CNAME') break;
    const cname = answers.find(
      (a) => a.type === 'CNAME' && typeof a.name === 'string' && sameName(a.name, current),
    );
    if (!cname || typeof cname.data !== 'string') break;
    ttl = Math.min(ttl, ttlOf(cname));
    current = cname.data.replace(/\.$/, '').toLowerCase();
  }
  if (found.length === 0) {
    const soa = ((packet.authorities ?? []) as LooseRecord[]).find((a) => a.type === 'SOA');
    const minimum = (soa?.data as { minimum?: unknown } | undefined)?.minimum;
    // RFC 2308 section 5: the negative TTL is the lesser of the SOA's TTL and its minimum.
    const negative = soa && typeof minimum === 'number' ? Math.min(ttlOf(soa), minimum) : Number.NaN;
    return { ok: false, code: rcode === 3 ? 'ENOTFOUND' : 'ENODATA', ttl: negative };
  }
  for (const a of found) ttl = Math.min(ttl, ttlOf(a));
  return { ok: true, value: toShape(found, type), ttl };
}

/** The `dns.promises.resolve` shape of the records; throws on data a hostile server made up. */
function toShape(records: LooseRecord[], type: ResolveType): ResolveResult {
  const bad = (): never => {
    throw new Error('bad record data');
  };
  switch (type) {
    case 'A':
    case 'AAAA':
      return records.map((r) =>
        typeof r.data === 'string' && isIP(r.data) === (type === 'A' ? 4 : 6) ? r.data : bad(),
      );
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return records.map((r) => (typeof r.data === 'string' ? r.data.replace(/\.$/, '') : bad()));
    case 'TXT':
      return records.map((r) => {
        const data = r.data;
        const chunks = Array.isArray(data) ? data : [data];
        return chunks.map((c) =>
          Buffer.isBuffer(c) ? c.toString('utf8') : typeof c === 'string' ? c : bad(),
        );
      });
    case 'MX':
      return records.map((r) => {
        const d = r.data as { exchange?: unknown; preference?: unknown } | undefined;
        if (!d || typeof d.exchange !== 'string' || typeof d.preference !== 'number') return bad();
        return { exchange: d.exchange.replace(/\.$/, ''), priority: d.preference };
      });
  }
}

/** A copy the caller may change (mailauth sorts MX lists in place). */
function copy(value: ResolveResult): ResolveResult {
  return value.map((v: string | string[] | MxRecord) =>
    typeof v === 'string' ? v : Array.isArray(v) ? [...v] : { ...v },
  ) as ResolveResult;
}

/**
 * Creates a resolver. Example, as mailauth's resolver:
 * `const dns = createDnsResolver({ timeoutMs: 1500 }); await spf({ ..., resolver: dns.resolve })`.
 */
export function createDnsResolver(options: DnsResolverOptions = {}): DnsResolver {
  const servers = (options.nameservers ?? getServers()).map(parseNameserver);
  if (servers.length === 0) throw new TypeError('no nameserver');
  const timeoutMs = options.timeoutMs ?? 2000;
  const tries = Math.max(1, options.tries ?? 2);
  const maxConcurrent = Math.max(1, options.maxConcurrent ?? 64);
  const minTtl = options.minTtlSeconds ?? 0;
  const maxTtl = options.maxTtlSeconds ?? 86_400;
  const negativeDefault = options.negativeTtlSeconds ?? 60;
  const maxNegative = options.maxNegativeTtlSeconds ?? 3600;
  const now = options.now ?? Date.now;
  const cache = new LruCache<string, CacheEntry>(options.cacheMaxEntries ?? 10_000);
  const pending = new Map<string, Promise<Outcome>>();
  const queue: Array<() => void> = [];
  const cancels = new Set<() => void>();
  let active = 0;
  let closed = false;
  const counters = { udpQueries: 0, tcpQueries: 0, cacheHits: 0, cacheMisses: 0, maxInFlight: 0 };

  async function slot(): Promise<void> {
    if (active < maxConcurrent) {
      active++;
      counters.maxInFlight = Math.max(counters.maxInFlight, active);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const cancel = () => reject(new Error('ECANCELLED'));
      cancels.add(cancel);
      queue.push(() => {
        cancels.delete(cancel);
        resolve();
      });
    });
    // the releasing query handed its slot over: `active` did not go down
  }
  function release(): void {
    const next = queue.shift();
    if (next) next();
    else active--;
  }

  /** One exchange with one server: a decoded answer that matches the question, or an error code. */
  function exchange(
    server: Nameserver,
    name: string,
    type: ResolveType,
    tcp: boolean,
  ): Promise<DecodedPacket | DnsErrorCode> {
    const id = randomInt(0, 65536);
    const query = dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type, name, class: 'IN' }],
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 4096,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ],
    });
    const matches = (message: Buffer): DecodedPacket | undefined => {
      try {
        const packet = dnsPacket.decode(message);
        // dns-packet reads past the end of a cut message without complaint (empty strings)
        if (!(dnsPacket.decode.bytes <= message.length)) return undefined; // NaN too
        const q = packet.questions?.[0];
        if (packet.type !== 'response' || packet.id !== id || packet.questions?.length !== 1 || !q)
          return undefined;
        return q.type === type && typeof q.name === 'string' && sameName(q.name, name) ? packet : undefined;
      } catch {
        return undefined;
      }
    };
    return new Promise((resolve) => {
      let socket: UdpSocket | TcpSocket | undefined;
      const done = (result: DecodedPacket | DnsErrorCode) => {
        clearTimeout(timer);
        cancels.delete(cancel);
        if (socket instanceof TcpSocket) socket.destroy();
        else socket?.close();
        socket = undefined;
        resolve(result);
      };
      const cancel = () => done('ECANCELLED');
      cancels.add(cancel);
      const timer = setTimeout(() => done('ETIMEOUT'), timeoutMs);
      if (!tcp) {
        counters.udpQueries++;
        const udp = createSocket(server.family === 6 ? 'udp6' : 'udp4');
        socket = udp;
        udp.on('error', () => done('ECONNREFUSED'));
        udp.on('message', (message, peer) => {
          if (peer.port !== server.port || peer.address !== server.host) return;
          const packet = matches(message);
          if (packet) done(packet);
        });
        udp.send(query, server.port, server.host);
        return;
      }
      counters.tcpQueries++;
      const conn = connect({ host: server.host, port: server.port });
      socket = conn;
      let buffered = Buffer.alloc(0);
      conn.on('error', () => done('ECONNREFUSED'));
      conn.on('connect', () => {
        const frame = Buffer.alloc(2);
        frame.writeUInt16BE(query.length);
        conn.write(Buffer.concat([frame, query]));
      });
      conn.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2) {
          const length = buffered.readUInt16BE(0);
          if (buffered.length < 2 + length) return;
          const packet = matches(buffered.subarray(2, 2 + length));
          buffered = buffered.subarray(2 + length);
          if (packet) {
            done(packet);
            return;
          }
        }
      });
      conn.on('end', () => done('EBADRESP'));
    });
  }

  /** Asks the servers in turn; an answer (positive or negative) ends the search. */
  async function lookup(name: string, type: ResolveType): Promise<Outcome> {
    await slot();
    try {
      let last: DnsErrorCode = 'ETIMEOUT';
      for (const server of servers) {
        for (let attempt = 0; attempt < tries; attempt++) {
          if (closed) return { ok: false, code: 'ECANCELLED', ttl: 0 };
          let reply = await exchange(server, name, type, false);
          if (typeof reply !== 'string' && reply.flag_tc) reply = await exchange(server, name, type, true);
          if (typeof reply === 'string') {
            last = reply;
            if (reply === 'ETIMEOUT') continue; // the same server once more
            break;
          }
          let outcome: Outcome;
          try {
            outcome = interpret(reply, name, type);
          } catch {
            outcome = { ok: false, code: 'EBADRESP', ttl: 0 };
          }
          if (outcome.ok || PERMANENT_CODES.includes(outcome.code as (typeof PERMANENT_CODES)[number]))
            return outcome;
          last = outcome.code;
          break; // SERVFAIL, REFUSED, a bad answer: the next server
        }
      }
      return { ok: false, code: last, ttl: 0 };
    } finally {
      release();
    }
  }

  function remember(key: string, outcome: Outcome): void {
    let seconds: number;
    if (outcome.ok) seconds = Math.min(maxTtl, Math.max(minTtl, outcome.ttl));
    else if (outcome.code === 'ENOTFOUND' || outcome.code === 'ENODATA') {
      const ttl = Number.isFinite(outcome.ttl) ? outcome.ttl : negativeDefault;
      seconds = Math.min(maxNegative, Math.max(minTtl, ttl));
    } else return; // temporary failures are asked again next time
    if (seconds > 0) cache.set(key, { outcome, expires: now() + seconds * 1000 });
  }

  async function resolve(name: string, rrtype: string = 'A'): Promise<ResolveResult> {
    const type = String(rrtype).toUpperCase() as ResolveType;
    const shown = typeof name === 'string' ? name : String(name);
    if (!RESOLVE_TYPES.includes(type)) throw new DnsError('ENOTIMP', shown, String(rrtype));
    const qname = normaliseName(name);
    if (qname === undefined) throw new DnsError('EBADNAME', shown, type);
    if (closed) throw new DnsError('ECANCELLED', shown, type);
    const key = `${type} ${qname}`;
    const cached = cache.get(key);
    let outcome: Outcome;
    if (cached && cached.expires > now()) {
      counters.cacheHits++;
      outcome = cached.outcome;
    } else {
      if (cached) cache.delete(key);
      counters.cacheMisses++;
      let inFlight = pending.get(key);
      if (!inFlight) {
        inFlight = lookup(qname, type)
          .catch((): Outcome => ({ ok: false, code: 'ECANCELLED', ttl: 0 }))
          .then((o) => {
            pending.delete(key);
            remember(key, o);
            return o;
          });
        pending.set(key, inFlight);
      }
      outcome = await inFlight;
    }
    if (!outcome.ok) throw new DnsError(outcome.code, shown, type);
    return copy(outcome.value);
  }

  return {
    resolve,
    stats: () => ({ ...counters, inFlight: active, queued: queue.length }),
    close() {
      closed = true;
      for (const cancel of [...cancels]) cancel();
      queue.length = 0;
    },
  };
}
