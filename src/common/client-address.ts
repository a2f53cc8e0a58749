import ipaddr from 'ipaddr.js';

/**
 * The key that per-address counters use for a client address: an IPv4 address as is; an IPv6
 * address reduced to its /64 network, because one subscriber usually gets a whole /64 and can
 * pick a fresh address in it for every request; an IPv4-mapped IPv6 address (::ffff:1.2.3.4, as a
 * dual-stack socket reports IPv4 clients) as the IPv4 address it carries. Anything that is not an
 * address is returned unchanged, so it still counts as one client.
 */
export function clientKey(ip: string | undefined | null): string {
  if (!ip) return 'unknown';
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(ip);
  } catch {
    return ip;
  }
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4).concat([0, 0, 0, 0]);
  return `${new ipaddr.IPv6(parts).toRFC5952String()}/64`;
}
