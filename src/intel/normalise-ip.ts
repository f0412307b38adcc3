import { checkRaw, invalidIndicator } from './invalid-indicator.ts';
import { formatIpv6, mappedIpv4, parseIpv4, parseIpv6 } from './ip-address.ts';

/**
 * Normalise an IP address (measure T4: residential proxies and abused hosts):
 * IPv4 as strict dotted decimal; IPv6 compressed in lower case (RFC 5952);
 * an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) becomes its IPv4 address.
 * Brackets are accepted; zone ids and CIDR ranges are refused (one address
 * per indicator); IPv4 parts with leading zeros are refused because other
 * readers take them as octal.
 *
 * @throws MamoruError `invalid_indicator` naming what is wrong.
 * @example normaliseIp('2001:0DB8:0000:0000:0000:0000:0000:0001') // '2001:db8::1'
 */
export function normaliseIp(raw: string): string {
  let s = checkRaw('ip', raw).normalize('NFKC').trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s === '') throw invalidIndicator('ip', 'is empty');
  if (s.includes('/')) throw invalidIndicator('ip', 'is a CIDR range; give a single address');
  if (s.includes('%')) throw invalidIndicator('ip', 'has a zone id, which is local to one host');
  if (s.includes(':')) {
    const v6 = parseIpv6(s);
    if (!v6) throw invalidIndicator('ip', 'is not a valid IPv6 address');
    return mappedIpv4(v6.groups) ?? formatIpv6(v6.groups);
  }
  const v4 = parseIpv4(s);
  if (!v4) {
    if (/^[\d.]+$/.test(s) && s.split('.').some((p) => /^0\d/.test(p)))
      throw invalidIndicator('ip', 'has a part with a leading zero (ambiguous: octal or decimal)');
    throw invalidIndicator('ip', 'is not a valid IPv4 or IPv6 address');
  }
  return v4.join('.');
}
