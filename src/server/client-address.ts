import { mappedIpv4, parseIpv4, parseIpv6 } from '../intel/ip-address.ts';

/**
 * The client a failed authentication is counted against: an IPv4 address as
 * it is, an IPv6 address by its /64 (one subscriber's network: a host picks
 * any address in it at will), an IPv4-mapped IPv6 address as its IPv4.
 *
 * @example clientOf('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 */
export function clientOf(ip: string): string {
  if (parseIpv4(ip)) return ip;
  const v6 = parseIpv6(ip.replace(/%.*$/, ''));
  if (!v6) return ip;
  const v4 = mappedIpv4(v6.groups);
  if (v4) return v4;
  return `${v6.groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
