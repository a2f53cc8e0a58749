import ipaddr from 'ipaddr.js';

/** A key's allow-list holds at most this many addresses and CIDRs. */
export const MAX_ALLOWLIST_ENTRIES = 100;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One allow-list entry, parsed once when the key's state is read so the hot path only compares. */
export interface AddressRange {
  address: Address;
  bits: number;
  /** An IPv4 range as signed 32-bit integers: a client matches when `(client & mask) === network`. */
  v4?: { network: number; mask: number };
}

/** The longest entry worth parsing: an IPv6 CIDR with an embedded IPv4 address is under 50 characters. */
const MAX_ENTRY_LENGTH = 64;

/** `a.b.c.d` or an IPv6 address, nothing looser: ipaddr.js alone also takes `127.1` and `0x7f.0.0.1`. */
function parseAddress(text: string): Address | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  // A zone (`fe80::1%eth0`) names an interface of one machine, not an address a client comes from.
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

/** The range an entry stands for, IPv4-mapped IPv6 (`::ffff:10.0.0.0/104`) as the IPv4 range it is. */
function parseEntry(entry: unknown): AddressRange | null {
  if (typeof entry !== 'string' || entry.length === 0 || entry.length > MAX_ENTRY_LENGTH) return null;
  const [text, bitsText, extra] = entry.split('/');
  if (extra !== undefined) return null;
  let address = parseAddress(text);
  if (!address) return null;
  const width = address.kind() === 'ipv4' ? 32 : 128;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return null;
  let bits = bitsText === undefined ? width : Number(bitsText);
  if (bits > width) return null;
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    address = (address as ipaddr.IPv6).toIPv4Address();
    bits -= 96;
  }
  return withInteger({ address: networkOf(address, bits), bits });
}

function withInteger(range: AddressRange): AddressRange {
  if (range.address.kind() !== 'ipv4') return range;
  const mask = range.bits === 0 ? 0 : ~0 << (32 - range.bits);
  return { ...range, v4: { network: ipv4Integer(range.address.toString())! & mask, mask } };
}

/**
 * `a.b.c.d` (decimal, no leading zeros) as an unsigned 32-bit integer, or null. Hand-written because
 * it runs on every request of an allow-listed key: ipaddr.js's parser costs microseconds.
 */
function ipv4Integer(text: string, from = 0): number | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      if (digits > 0 && part === 0) return null; // a leading zero
      part = part * 10 + (code - 48);
      if (++digits > 3 || part > 255) return null;
    } else {
      return null;
    }
  }
  if (digits === 0 || dots !== 3) return null;
  return value * 256 + part;
}

/** The IPv4 address a client string stands for (plain, or mapped as a dual-stack socket reports it), as an integer. */
function clientIpv4(clientIp: string): number | null {
  if (clientIp.length > 7 && clientIp.charCodeAt(0) === 58 /* : */ && /^::ffff:/i.test(clientIp)) return ipv4Integer(clientIp, 7);
  return ipv4Integer(clientIp);
}

/** The range's first address: host bits cleared, so `10.1.2.3/8` and `10.0.0.0/8` are one entry. */
function networkOf(address: Address, bits: number): Address {
  const bytes = address.toByteArray();
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.min(8, Math.max(0, bits - i * 8));
    bytes[i] &= (0xff << (8 - keep)) & 0xff;
  }
  return ipaddr.fromByteArray(bytes);
}

function format({ address, bits }: AddressRange): string {
  const text = address.kind() === 'ipv4' ? address.toString() : (address as ipaddr.IPv6).toRFC5952String();
  return bits === (address.kind() === 'ipv4' ? 32 : 128) ? text : `${text}/${bits}`;
}

/** Whether `entry` is an IPv4 or IPv6 address or CIDR the allow-list accepts. */
export function isAllowlistEntry(entry: unknown): boolean {
  return parseEntry(entry) !== null;
}

/**
 * The stored form of an allow-list: each entry canonical (a host without `/32` or `/128`, a CIDR
 * by its network address, IPv6 in RFC 5952 form) and each range once, in the order first given.
 * Throws on an entry that is not an address or CIDR (validation has refused those already).
 */
export function canonicalAllowlist(entries: readonly string[]): string[] {
  const canonical = entries.map((entry) => {
    const range = parseEntry(entry);
    if (!range) throw new Error(`not an address or CIDR: ${JSON.stringify(entry)}`);
    return format(range);
  });
  return [...new Set(canonical)];
}

const NOWHERE: readonly AddressRange[] = [];

/** Parses a stored (canonical) allow-list; an empty list costs nothing and allows every address. */
export function parseAllowlist(entries: readonly string[] | null | undefined): readonly AddressRange[] {
  if (!entries?.length) return NOWHERE;
  // A stored entry that no longer parses is dropped: it could never have matched a client anyway.
  return entries.map(parseEntry).filter((range): range is AddressRange => range !== null);
}

/**
 * Whether the client address (as Express gives it: `req.ip`) is in one of the ranges. Matched
 * exactly, not by the /64 that per-address counters use; an IPv4 client seen through a dual-stack
 * socket (`::ffff:127.0.0.2`) is its IPv4 address. Anything that is not an address is refused.
 */
export function allowsAddress(ranges: readonly AddressRange[], clientIp: string | undefined): boolean {
  if (!clientIp) return false;
  const v4 = clientIpv4(clientIp);
  if (v4 !== null) {
    // The common case, without parsing objects: integer compares against the IPv4 ranges.
    for (const range of ranges) if (range.v4 && (v4 & range.v4.mask) === range.v4.network) return true;
    if (ranges.every((range) => range.v4)) return false;
  } else if (!clientIp.includes(':') || clientIp.includes('.')) {
    // Not strict dotted-decimal IPv4 and not hex IPv6 (ipaddr.js would take `127.1` as 127.0.0.1).
    return false;
  }
  let client: Address;
  try {
    client = ipaddr.process(clientIp);
  } catch {
    return false;
  }
  for (const range of ranges) {
    if (range.address.kind() === client.kind()) {
      if (client.match(range.address, range.bits)) return true;
    } else if (client.kind() === 'ipv4' && (client as ipaddr.IPv4).toIPv4MappedAddress().match(range.address, range.bits)) {
      // An IPv6 range that reaches into ::ffff:0:0/96 (entries of /96 or longer were made IPv4).
      return true;
    }
  }
  return false;
}
