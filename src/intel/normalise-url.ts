import { domainToASCII } from 'node:url';
import { checkRaw, invalidIndicator } from './invalid-indicator.ts';
import { formatIpv6, mappedIpv4, nat64Ipv4, parseIpv4Lenient, parseIpv6 } from './ip-address.ts';

const HASH = 0x23;
const PERCENT = 0x25;
const MAX_UNESCAPE_ROUNDS = 1024;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Canonicalise a URL exactly as Google Safe Browsing does (measure T1), so
 * that a URL listed by one party matches the same URL seen anywhere else and
 * the hashed-prefix lookup can be built on it. The documented algorithm
 * (developers.google.com/safe-browsing/v4/urls-hashing):
 *
 * - strip tab, CR and LF and surrounding white space; drop the fragment;
 *   (before that, full-width scheme and host characters are NFKC-folded);
 * - repeatedly percent-unescape, then percent-escape once the bytes ≤ 0x20,
 *   ≥ 0x7f, `#` and `%` (upper-case hex, as the documentation asks);
 * - add `http://` when there is no scheme; drop user info and port;
 * - host: IDN to punycode; collapse and trim dots; an IPv4 address in any
 *   legal encoding (decimal, octal, hex, 1–4 parts) to dotted decimal; a
 *   bracketed IPv6 address compressed, IPv4-mapped and NAT64 ones to IPv4;
 *   then lower case;
 * - path: resolve `/./` and `/../`, collapse `//`, default `/`;
 * - the query is kept as it is (after the escaping above).
 *
 * Where the Go reference library differs from the documentation (it drops
 * the query and writes lower-case escapes) we follow the documentation.
 *
 * @throws MamoruError `invalid_indicator` when there is no host, the scheme
 *   has no `//` (mailto:…) or the host is not a valid IDN or IP literal.
 * @example normaliseUrl('HTTP://www.Example.COM.:8080/a/../b?q#f') // 'http://www.example.com/b?q'
 */
export function normaliseUrl(raw: string): string {
  // Fragment first, then trim: a '#' never comes back from unescaping as a fragment.
  const hash = checkRaw('url', raw).indexOf('#');
  const text = nfkcAuthority((hash < 0 ? raw : raw.slice(0, hash)).replace(/^\s+|\s+$/g, ''));
  // Most URLs are printable ASCII without escapes: then unescaping and escaping change nothing.
  if (/^[\x21-\x24\x26-\x7e]*$/.test(text)) return canonicaliseEscaped(text);
  return canonicaliseUrlBytes(utf8.encode(text));
}

// Scheme and authority, in ASCII or full-width forms (Japanese text writes ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｊｐ).
const AUTHORITY = /^(?:[A-Za-zＡ-Ｚａ-ｚ][A-Za-z0-9+.\-Ａ-Ｚａ-ｚ０-９＋．－]*[:：][/／]{2})?[^/?／？\\]*/;

/**
 * NFKC the scheme and authority only: full-width letters, digits and
 * punctuation there become ASCII (IDNA maps the host the same way), while
 * the path and query keep their exact bytes, as Safe Browsing hashes them.
 */
function nfkcAuthority(url: string): string {
  if (/^\p{ASCII}*$/u.test(url)) return url;
  const head = AUTHORITY.exec(url)![0];
  const rest = url.slice(head.length);
  // The separator that ends the authority is part of it: a full-width ／ or ？ there is ASCII's.
  return head.normalize('NFKC') + (/^[／？]/.test(rest) ? rest[0]!.normalize('NFKC') + rest.slice(1) : rest);
}

/**
 * The same canonicalisation over raw bytes, for input that is not valid
 * UTF-8 (such as the reference vector `http://\x01\x80.com/`).
 */
export function canonicaliseUrlBytes(input: Uint8Array): string {
  let bytes = input;
  const hash = bytes.indexOf(HASH);
  if (hash >= 0) bytes = bytes.subarray(0, hash);
  bytes = trimAscii(bytes);
  if (bytes.includes(0x09) || bytes.includes(0x0a) || bytes.includes(0x0d))
    bytes = bytes.filter((b) => b !== 0x09 && b !== 0x0a && b !== 0x0d);
  return canonicaliseEscaped(percentEscape(unescapeFully(bytes)));
}

/** The steps after unescaping and escaping once: `url` is ASCII. */
function canonicaliseEscaped(url: string): string {
  const [scheme, afterScheme] = splitScheme(url);
  const q = afterScheme.indexOf('?');
  let rest = q < 0 ? afterScheme : afterScheme.slice(0, q);
  const query = q < 0 ? undefined : afterScheme.slice(q + 1);
  if (scheme !== undefined) {
    if (!rest.startsWith('//')) throw invalidIndicator('url', `scheme ${scheme}: has no // authority`);
    rest = rest.slice(2);
  }
  const slash = rest.indexOf('/');
  const hostish = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash);
  if (hostish === '') throw invalidIndicator('url', 'has no host name');
  const host = canonicalHost(hostish);
  const out = `${(scheme ?? 'http').toLowerCase()}://${host}${canonicalPath(path)}`;
  return query === undefined ? out : `${out}?${query}`;
}

function trimAscii(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end && isSpace(bytes[start]!)) start++;
  while (end > start && isSpace(bytes[end - 1]!)) end--;
  return bytes.subarray(start, end);
}

function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

/** One pass of percent-unescaping; returns the same array when nothing changed. */
function unescapeOnce(bytes: Uint8Array): Uint8Array {
  let out: number[] | undefined;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === PERCENT && i + 2 < bytes.length) {
      const hi = hexValue(bytes[i + 1]!);
      const lo = hexValue(bytes[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out ??= Array.from(bytes.subarray(0, i));
        out.push((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    out?.push(b);
  }
  return out ? Uint8Array.from(out) : bytes;
}

function unescapeFully(bytes: Uint8Array): Uint8Array {
  let current = bytes;
  for (let round = 0; round < MAX_UNESCAPE_ROUNDS; round++) {
    const next = unescapeOnce(current);
    if (next === current) return current;
    current = next;
  }
  throw invalidIndicator('url', 'percent-escapes nest too deeply');
}

/** Percent-escape bytes ≤ 0x20, ≥ 0x7f, `#` and `%`; the result is ASCII. */
function percentEscape(bytes: Uint8Array): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b <= 0x20 || b >= 0x7f || b === HASH || b === PERCENT) {
      out += latin1(bytes, from, i) + (b < 16 ? '%0' : '%') + b.toString(16).toUpperCase();
      from = i + 1;
    }
  }
  return out + latin1(bytes, from, bytes.length);
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  return from >= to ? '' : Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}

/**
 * Split `scheme:` off the front. A `:` followed by digits and then `/` or
 * the end is a port (`www.example.com:80/`), not a scheme.
 */
function splitScheme(url: string): [string | undefined, string] {
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (letter) continue;
    const other = (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
    if (other && i > 0) continue;
    if (c === 0x3a && i > 0 && !/^:\d+(?:\/|$)/.test(url.slice(i)))
      return [url.slice(0, i), url.slice(i + 1)];
    return [undefined, url];
  }
  return [undefined, url];
}

function canonicalHost(hostish: string): string {
  let host = hostish.slice(hostish.lastIndexOf('@') + 1);
  host = host.replace(/:\d+$/, '');
  const bracketed = host.startsWith('[');
  if (bracketed) {
    if (!host.endsWith(']')) throw invalidIndicator('url', 'has an IPv6 host without its closing ]');
    return canonicalIpv6Host(host.slice(1, -1));
  }
  // The URL was fully unescaped and escaped once, so one pass gives back the host's bytes.
  if (host.includes('%')) {
    const unescaped = unescapeOnce(utf8.encode(host));
    if (unescaped.some((b) => b > 0x80)) host = idnToAscii(unescaped);
  }
  host = host.replace(/\.{2,}/g, '.').replace(/^\.+|\.+$/g, '');
  if (host === '') throw invalidIndicator('url', 'has no host name');
  if (/[:[\]/@?]/.test(host)) throw invalidIndicator('url', `has an invalid host name ${host}`);
  return parseIpv4Lenient(host) || host.toLowerCase();
}

function idnToAscii(bytes: Uint8Array): string {
  let unicode: string;
  try {
    unicode = strictUtf8.decode(bytes);
  } catch (error) {
    throw invalidIndicator('url', 'has a host name that is not valid UTF-8', 'value', error);
  }
  const ascii = domainToASCII(unicode);
  if (ascii === '') throw invalidIndicator('url', `has a host name that is not a valid IDN: ${unicode}`);
  return ascii;
}

function canonicalIpv6Host(inner: string): string {
  const v6 = parseIpv6(inner);
  if (!v6) throw invalidIndicator('url', `has an invalid IPv6 host [${inner}]`);
  const v4 = mappedIpv4(v6.groups) ?? nat64Ipv4(v6.groups);
  return v4 ?? `[${formatIpv6(v6.groups, v6.dotted)}]`;
}

/** Resolve `.` and `..`, collapse empty segments, keep a trailing slash, default `/`. */
function canonicalPath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const joined = `/${out.join('/')}`;
  return path.endsWith('/') && joined !== '/' ? `${joined}/` : joined;
}
