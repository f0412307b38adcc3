/**
 * IP address parsing and formatting shared by the `ip` normaliser and the
 * URL canonicaliser. No dependency: the rules are short and must be exact.
 */

/** Strict dotted-quad IPv4: four decimal parts 0–255, no leading zeros (they read as octal elsewhere). */
export function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** An IPv6 address as eight 16-bit groups; `dotted` says the input ended in a dotted IPv4 part. */
export interface Ipv6 {
  readonly groups: readonly number[];
  readonly dotted: boolean;
}

/** Parse an IPv6 address (RFC 4291 text forms, `::` and a trailing dotted IPv4 included). No zone ids. */
export function parseIpv6(s: string): Ipv6 | undefined {
  if (s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  let dotted = false;
  const parseSide = (side: string, last: boolean): number[] | undefined => {
    if (side === '') return [];
    const pieces = side.split(':');
    const groups: number[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (last && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        dotted = true;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
      groups.push(Number.parseInt(piece, 16));
    }
    return groups;
  };
  if (halves.length === 1) {
    const groups = parseSide(halves[0]!, true);
    return groups && groups.length === 8 ? { groups, dotted } : undefined;
  }
  const head = parseSide(halves[0]!, false);
  const tail = parseSide(halves[1]!, true);
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return { groups: [...head, ...new Array<number>(missing).fill(0), ...tail], dotted };
}

/** The IPv4 address embedded in an IPv4-mapped (`::ffff:0:0/96`) IPv6 address, if it is one. */
export function mappedIpv4(groups: readonly number[]): string | undefined {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return lowIpv4(groups);
  return undefined;
}

/** The IPv4 address of a NAT64 well-known-prefix (`64:ff9b::/96`) address, if it is one. */
export function nat64Ipv4(groups: readonly number[]): string | undefined {
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0))
    return lowIpv4(groups);
  return undefined;
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
  if (!dotted) return compress(groups);
  const head = compress(groups.slice(0, 6));
  return `${head}${head.endsWith(':') ? '' : ':'}${lowIpv4(groups)}`;
}

function compress(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/**
 * Safe Browsing's lenient IPv4 reading of a host name (measure T1): one to
 * four parts, each decimal, octal (`0…`) or hex (`0x…`), the last part
 * filling the remaining bytes (`3279880203` → `195.127.0.11`,
 * `0x12.0x43.0x44.0x01` → `18.67.68.1`). Returns `''` when the host is not
 * an IP address, as the reference implementation does.
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
