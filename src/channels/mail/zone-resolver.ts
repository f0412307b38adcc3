/**
 * A resolver that answers from a zone file held in memory (measures E1, E4: `mamoru eval mail
 * --zone <file>` measures the filter with SPF, DKIM, DMARC, ARC and BIMI records served from a
 * file, repeatably and without the network; the loopback test DNS server reads the same format).
 *
 * `createZoneResolver(zoneText).resolve(name, rrtype)` has the shape of `dns.promises.resolve`
 * and of our `createDnsResolver` (`dns-resolver.ts`), with the same error codes: ENOTFOUND for
 * a name the zone does not hold (NXDOMAIN), ENODATA for a name without the type (NODATA),
 * EBADNAME for a name that cannot be in the DNS, ENOTIMP for a type we do not resolve. CNAMEs
 * are followed inside the zone, as an authoritative server does.
 *
 * The zone-file subset is parsed here rather than with a library: the packages that parse
 * RFC 1035 master files (dns-zonefile and the like) are unmaintained, and we need only one
 * record a line (`name [TTL] [IN] TYPE data`), `;` comments, quoted TXT chunks with escapes.
 */
import {
  DnsError,
  normaliseName,
  RESOLVE_TYPES,
  type ResolveResult,
  type ResolveType,
} from './dns-resolver.ts';

/** SOA data as in dns-packet's `SoaData`. */
export interface ZoneSoa {
  mname: string;
  rname: string;
  serial?: number;
  refresh?: number;
  retry?: number;
  expire?: number;
  minimum?: number;
}

export type ZoneRecord =
  | { type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS'; data: string; ttl?: number }
  | { type: 'TXT'; data: string | readonly string[]; ttl?: number }
  | { type: 'MX'; data: { preference: number; exchange: string }; ttl?: number }
  | { type: 'SOA'; data: ZoneSoa; ttl?: number };

/** Name (without the trailing dot, any case) → its records. */
export type Zone = Record<string, readonly ZoneRecord[]>;

const lower = (name: string): string => name.replace(/\.$/, '').toLowerCase();

/** Splits a zone-file line into fields, keeping quoted strings (with `\"` and `\\`) whole. */
function fields(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) {
    if (m[1] !== undefined) out.push(`"${m[1].replace(/\\(.)/g, '$1')}`);
    else if (m[2] !== undefined) out.push(m[2]);
  }
  return out;
}

/** The line without its `;` comment (a `;` inside a quoted string is data). */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) return line.slice(0, i);
  }
  return line;
}

/**
 * Parses the zone-file subset: one record a line, `name TTL IN TYPE data` (the TTL and class
 * may be left out), `;` comments, TXT as one or more quoted strings (each a chunk), MX as
 * `preference exchange`, SOA as `mname rname serial refresh retry expire minimum`. Throws an
 * Error naming the line for a type outside A, AAAA, CNAME, PTR, NS, TXT, MX, SOA.
 */
export function parseZoneFile(text: string): Zone {
  const zone: Record<string, ZoneRecord[]> = {};
  for (const rawLine of text.split('\n')) {
    const line = stripComment(rawLine).trim();
    if (!line) continue;
    const f = fields(line);
    const name = f.shift();
    if (!name) continue;
    let ttl: number | undefined;
    if (f[0] !== undefined && /^\d+$/.test(f[0])) ttl = Number(f.shift());
    if (f[0]?.toUpperCase() === 'IN') f.shift();
    const type = f.shift()?.toUpperCase();
    const key = lower(name);
    const plain = (s: string | undefined): string => lower(s ?? '');
    let record: ZoneRecord;
    switch (type) {
      case 'A':
      case 'AAAA':
        record = { type, data: f[0] ?? '' };
        break;
      case 'CNAME':
      case 'PTR':
      case 'NS':
        record = { type, data: plain(f[0]) };
        break;
      case 'TXT':
        record = { type, data: f.map((s) => (s.startsWith('"') ? s.slice(1) : s)) };
        break;
      case 'MX':
        record = { type, data: { preference: Number(f[0]), exchange: plain(f[1]) } };
        break;
      case 'SOA': {
        const [mname, rname, serial, refresh, retry, expire, minimum] = f;
        record = {
          type,
          data: {
            mname: plain(mname),
            rname: plain(rname),
            serial: Number(serial),
            refresh: Number(refresh),
            retry: Number(retry),
            expire: Number(expire),
            minimum: Number(minimum),
          },
        };
        break;
      }
      default:
        throw new Error(`zone file: unsupported record type ${type ?? '(none)'} in "${rawLine}"`);
    }
    if (ttl !== undefined) record.ttl = ttl;
    zone[key] = [...(zone[key] ?? []), record];
  }
  return zone;
}

/** A zone's records by lower-case name (names given twice are joined). */
export function normaliseZone(zone: Zone): Map<string, readonly ZoneRecord[]> {
  const map = new Map<string, readonly ZoneRecord[]>();
  for (const [name, records] of Object.entries(zone)) {
    map.set(lower(name), [...(map.get(lower(name)) ?? []), ...records]);
  }
  return map;
}

export interface ZoneResolver {
  resolve(name: string, rrtype?: string): Promise<ResolveResult>;
}

function shape(records: readonly ZoneRecord[], type: ResolveType): ResolveResult {
  switch (type) {
    case 'TXT':
      return records.map((r) => (typeof r.data === 'string' ? [r.data] : [...(r.data as readonly string[])]));
    case 'MX':
      return records.map((r) => {
        const d = r.data as { preference: number; exchange: string };
        return { exchange: d.exchange, priority: d.preference };
      });
    default:
      return records.map((r) => r.data as string);
  }
}

/**
 * A resolver over a zone file's text (or a parsed zone). Example, for mailauth:
 * `const dns = createZoneResolver(readFileSync('zone.txt', 'utf8')); await authenticateMail({ ..., resolver: dns })`.
 */
export function createZoneResolver(zoneText: string | Zone): ZoneResolver {
  const zone = normaliseZone(typeof zoneText === 'string' ? parseZoneFile(zoneText) : zoneText);
  return {
    async resolve(name: string, rrtype = 'A'): Promise<ResolveResult> {
      const type = String(rrtype).toUpperCase() as ResolveType;
      const shown = typeof name === 'string' ? name : String(name);
      if (!RESOLVE_TYPES.includes(type)) throw new DnsError('ENOTIMP', shown, String(rrtype));
      let current = normaliseName(name);
      if (current === undefined) throw new DnsError('EBADNAME', shown, type);
      for (let hop = 0; hop < 16; hop++) {
        const records = zone.get(current);
        if (!records) throw new DnsError('ENOTFOUND', shown, type);
        const own = records.filter((r) => r.type === type);
        if (own.length > 0) return shape(own, type);
        const cname = records.find((r) => r.type === 'CNAME');
        if (!cname || type === 'CNAME') break;
        current = lower(cname.data as string);
      }
      throw new DnsError('ENODATA', shown, type);
    },
  };
}
