import { domainToASCII } from 'node:url';
import { parse } from 'tldts';
import { checkRaw, invalidIndicator } from './invalid-indicator.ts';

/**
 * A host name in ASCII (punycode), lower case, without a trailing dot, or a
 * message saying why it is not one. Shared by the domain and email normalisers.
 */
export function asciiHostname(host: string): string | { error: string } {
  const trimmed = host.replace(/\.$/, '');
  if (trimmed === '') return { error: 'is empty' };
  if (/[\s/\\?#@:[\]]/.test(trimmed)) return { error: `has characters a host name cannot hold: ${trimmed}` };
  const ascii = domainToASCII(trimmed);
  if (ascii === '') return { error: `is not a valid (internationalised) domain name: ${trimmed}` };
  if (ascii.length > 253) return { error: 'is longer than 253 characters' };
  if (ascii.split('.').some((label) => label.length === 0 || label.length > 63))
    return { error: 'has an empty label or one longer than 63 characters' };
  return ascii;
}

/** Top-level domains reserved for documentation and testing (RFC 2606, RFC 6761): never real traffic, so safe for demos and tests. */
const RESERVED_TLDS: ReadonlySet<string> = new Set(['example', 'test']);

/**
 * The registrable domain (eTLD+1) of an ASCII host name, or a message saying
 * why it has none. Shared by the domain, email and text extractors.
 */
export function registrableDomain(
  host: string,
  options: { privateSuffixes?: boolean } = {},
): string | { error: string } {
  const labels = host.split('.');
  if (RESERVED_TLDS.has(labels.at(-1)!)) {
    return labels.length >= 2 ? labels.slice(-2).join('.') : { error: `${host} is a top-level domain` };
  }
  const info = parse(host, { allowPrivateDomains: options.privateSuffixes ?? false });
  if (info.isIp) return { error: 'is an IP address; use type ip' };
  if (!info.isIcann && !info.isPrivate)
    return { error: `has an unknown top-level domain .${info.publicSuffix ?? host}` };
  if (!info.domain) return { error: `${host} is a public suffix, not a registrable domain` };
  return info.domain;
}

/**
 * Normalise a domain to its registrable domain (eTLD+1) by the Public
 * Suffix List via tldts (measures T1, E3): `login.example.co.jp` →
 * `example.co.jp`. IDNs become punycode; a URL or `host:port` is accepted
 * and reduced to its host. Private suffixes count (`evil.github.io` stays
 * `evil.github.io`), because whoever controls that name is the one to
 * flag, not the hosting service. IP addresses, public suffixes themselves
 * and unknown top-level domains are refused; the reserved `.example` and
 * `.test` are accepted for demos and tests.
 *
 * @throws MamoruError `invalid_indicator` naming what is wrong.
 * @example normaliseDomain('https://ＬＯＧＩＮ.Example.co.jp./x') // 'example.co.jp'
 */
export function normaliseDomain(raw: string): string {
  let s = checkRaw('domain', raw).normalize('NFKC').trim();
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  s = s.split(/[/?#]/, 1)[0]!;
  s = s.slice(s.lastIndexOf('@') + 1);
  if (s.startsWith('[')) throw invalidIndicator('domain', 'is an IP address; use type ip');
  s = s.replace(/:\d*$/, '');
  const host = asciiHostname(s);
  if (typeof host !== 'string') throw invalidIndicator('domain', host.error);
  const domain = registrableDomain(host, { privateSuffixes: true });
  if (typeof domain !== 'string') throw invalidIndicator('domain', domain.error);
  return domain;
}
