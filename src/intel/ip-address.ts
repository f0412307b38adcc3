import ipaddr from 'ipaddr.js';

/**
 * IP address parsing and formatting shared by the `ip` normaliser (T4), the
 * URL canonicaliser (T1) and the per-client failure count. Parsing, range
 * tests and RFC 5952 text are ipaddr.js's (issue 8, item 9); what stays here
 * is which text forms are accepted, because ipaddr.js reads more than an
 * indicator may hold: it takes `010.1.1.1` (octal elsewhere), `0x7f.1` and
 * `1` as IPv4 addresses, and reads `::192.0.2.1` as IPv4-mapped where RFC
 * 4291 makes it `::c000:201`. So IPv4 text is checked to be dotted decimal
 * first, and a dotted tail of an IPv6 address is turned into its two groups
 * before ipaddr.js sees it.
 */

/** Strict dotted-quad IPv4: four decimal parts 0–255, no leading zeros (they read as octal elsewhere). */
export function parseIpv4(s: string): number[] | undefined {
  // The test ipaddr.IPv4.isValidFourPartDecimal makes, without parsing twice as it does.
  if (!FOUR_PART_DECIMAL.test(s)) return undefined;
  return attempt(() => ipaddr.IPv4.parse(s).octets);
}

const FOUR_PART_DECIMAL = /^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}$/;

/** What `read` gives, or undefined where ipaddr.js throws (its way of refusing an address). */
function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** An IPv6 address as eight 16-bit groups; `dotted` says the input ended in a dotted IPv4 part. */
export interface Ipv6 {
  readonly groups: readonly number[];
  readonly dotted: boolean;
}

/** Parse an IPv6 address (RFC 4291 text forms, `::` and a trailing dotted IPv4 included). No zone ids. */
export function parseIpv6(s: string): Ipv6 | undefined {
  if (s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let text = s;
  const tailAt = s.lastIndexOf(':') + 1;
  const dotted = s.includes('.', tailAt);
  if (dotted) {
    if (tailAt === 0) return undefined;
    const v4 = parseIpv4(s.slice(tailAt));
    if (!v4) return undefined;
    text = `${s.slice(0, tailAt)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  // Only hex groups and colons are left: ipaddr.js's plain IPv6 form, whose `::` must stand for ≥ 1 group.
  if (text.includes('.')) return undefined;
  const groups = attempt(() => ipaddr.IPv6.parse(text).parts);
  return groups && { groups, dotted };
}

const MAPPED: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('::ffff:0:0'), 96];
const NAT64: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('64:ff9b::'), 96];

/** The IPv4 address embedded in an IPv4-mapped (`::ffff:0:0/96`) IPv6 address, if it is one. */
export function mappedIpv4(groups: readonly number[]): string | undefined {
  return lowIpv4If(groups, MAPPED);
}

/** The IPv4 address of a NAT64 well-known-prefix (`64:ff9b::/96`) address, if it is one. */
export function nat64Ipv4(groups: readonly number[]): string | undefined {
  return lowIpv4If(groups, NAT64);
}

function lowIpv4If(groups: readonly number[], range: [ipaddr.IPv6, number]): string | undefined {
  return new ipaddr.IPv6([...groups]).match(range) ? lowIpv4(groups) : undefined;
}

function lowIpv4(groups: readonly number[]): string {
  const a = groups[6]!;
  const b = groups[7]!;
  return `${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
}

/**
 * Format IPv6 groups as RFC 5952 text: lower case, no leading zeros, the
 * longest run (≥ 2) of zero groups as `::`, the first on a tie. With
 * `dotted`, the last 32 bits are written as dotted IPv4 (RFC 5952 §5).
 */
export function formatIpv6(groups: readonly number[], dotted = false): string {
  if (!dotted) return new ipaddr.IPv6([...groups]).toRFC5952String();
  // The first six groups compressed alone: with two non-zero groups after them no zero run reaches
  // past the sixth, so the text of the eight ends in ":1:1", which the dotted IPv4 replaces.
  const text = new ipaddr.IPv6([...groups.slice(0, 6), 1, 1]).toRFC5952String();
  return `${text.slice(0, -3)}${lowIpv4(groups)}`;
}

/**
 * Safe Browsing's lenient IPv4 reading of a host name (measure T1): one to
 * four parts, each decimal, octal (`0…`) or hex (`0x…`), the last part
 * filling the remaining bytes (`3279880203` → `195.127.0.11`,
 * `0x12.0x43.0x44.0x01` → `18.67.68.1`). Returns `''` when the host is not
 * an IP address, as the reference implementation does.
 *
 * Kept by hand: ipaddr.js reads the same notations but refuses a part that
 * overflows its bytes, where the reference keeps its low bytes (`276.2.3`
 * → `20.2.0.3`), and the reference's Windows-resolver reading of
 * `1.2.3.4 junk` has no counterpart in any library; the test vectors
 * (`ip_parse.json`) are the reference's own.
 */
export function parseIpv4Lenient(host: string): string {
  // The Windows resolver reads "1.2.3.4 junk" (15 characters at most) as 1.2.3.4; Safe Browsing follows it.
  if (host.length <= 15) {
    const m = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}) /.exec(host);
    if (m) host = m[1]!;
  }
  if (!/^(?:0x[0-9a-f]+|[0-9.])+$/i.test(host)) return '';
  const parts = host.split('.');
  if (parts.length > 4) return '';
  const bytes: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const width = i === parts.length - 1 ? 5 - parts.length : 1;
    const value = parseIpNumber(parts[i]!);
    if (value === undefined) return '';
    // Like the reference, only the low `width` bytes count (`276.2.3` → `20.2.0.3`).
    for (let k = width - 1; k >= 0; k--) bytes.push(Math.floor(value / 256 ** k) % 256);
  }
  return bytes.join('.');
}

/** A number in C notation (0x hex, 0 octal, decimal) that fits in 32 bits. */
function parseIpNumber(s: string): number | undefined {
  let value: bigint;
  if (/^0x[0-9a-f]+$/i.test(s)) value = BigInt(`0x${s.slice(2)}`);
  else if (/^0[0-7]*$/.test(s)) value = s.length === 1 ? 0n : BigInt(`0o${s.slice(1)}`);
  else if (/^[1-9]\d*$/.test(s)) value = BigInt(s);
  else return undefined;
  return value > 0xffffffffn ? undefined : Number(value);
}
