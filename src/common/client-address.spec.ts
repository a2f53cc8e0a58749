import { clientKey } from './client-address';

describe('clientKey', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('127.0.0.1')).toBe('127.0.0.1');
  });

  it('reduces an IPv6 address to its /64 network', () => {
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
  });

  it('gives every address of one /64 the same key, and neighbouring /64s different keys', () => {
    const keys = ['2001:db8:0:7::1', '2001:0db8:0000:0007:ffff:ffff:ffff:ffff', '2001:DB8:0:7:1234::'].map(clientKey);
    expect(new Set(keys)).toEqual(new Set(['2001:db8:0:7::/64']));
    expect(clientKey('2001:db8:0:8::1')).toBe('2001:db8:0:8::/64');
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address it carries', () => {
    expect(clientKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(clientKey('::ffff:c633:6404')).toBe('198.51.100.4');
  });

  it('handles the IPv6 loopback, a zone id and a short address', () => {
    expect(clientKey('::1')).toBe('::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80::/64');
    expect(clientKey('fe80::2%eth1')).toBe('fe80::/64');
  });

  it('keeps what is not an address unchanged, and names a missing one', () => {
    expect(clientKey('not-an-address')).toBe('not-an-address');
    expect(clientKey(undefined)).toBe('unknown');
    expect(clientKey('')).toBe('unknown');
  });
});
