import { assertSafeWebhookUrl, isPublicAddress, parseWebhookUrl, UnsafeUrlError } from './url-safety';

const strict = { allowPrivate: false, production: false };

describe('webhook URL safety', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
  ])('%s is not public', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );

  it('refuses non-http schemes, credentials, and http in production unless private URLs are allowed', () => {
    expect(() => parseWebhookUrl('file:///etc/passwd', strict)).toThrow('url must use http or https');
    expect(() => parseWebhookUrl('https://user:pw@example.com/', strict)).toThrow('url must not contain credentials');
    expect(() => parseWebhookUrl('http://example.com/', { allowPrivate: false, production: true })).toThrow(
      'url must use https',
    );
    expect(parseWebhookUrl('http://example.com/', { allowPrivate: true, production: true }).protocol).toBe('http:');
  });

  it('refuses a host resolving to loopback, and allows it when private URLs are allowed', async () => {
    await expect(assertSafeWebhookUrl('http://localhost:8080/x', strict)).rejects.toBeInstanceOf(UnsafeUrlError);
    await expect(assertSafeWebhookUrl('http://[::ffff:7f00:1]/x', strict)).rejects.toBeInstanceOf(UnsafeUrlError);
    const url = await assertSafeWebhookUrl('http://localhost:8080/x', { allowPrivate: true, production: false });
    expect(url.host).toBe('localhost:8080');
  });
});
