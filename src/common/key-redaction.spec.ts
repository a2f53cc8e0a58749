import { redactHeaders, redactSecrets } from './key-redaction';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjMiLCJvcmciOiI0NTYifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const KEY = 'sk_live_ab12cd34_AbCdEfGhIjKlMnOpQrStUvWxYz012345';

describe('redactSecrets', () => {
  it('replaces keys in any case and any URL-encoding', () => {
    for (const text of [
      KEY,
      KEY.toUpperCase(),
      KEY.replace(/_/g, '%5F'),
      KEY.replace(/_/g, '%5f').replace('s', '%73'),
      KEY.replace('sk', '%53%4B'),
      KEY.replace(/_/g, '%255F'),
    ]) {
      const out = redactSecrets(`GET /x?k=${text}&limit=5`);
      expect(out).toBe('GET /x?k=sk_live_[REDACTED]&limit=5');
    }
  });

  it('replaces JWT-shaped strings wherever they stand, also after a percent-escape', () => {
    expect(redactSecrets(`Mozilla/5.0 (${JWT})`)).toBe('Mozilla/5.0 ([REDACTED_JWT])');
    expect(redactSecrets(`next=Bearer%20${JWT}`)).toBe('next=Bearer%20[REDACTED_JWT]');
    expect(redactSecrets(`"${JWT}"`)).toBe('"[REDACTED_JWT]"');
  });

  it('replaces the values of secret-named parameters and leaves the others', () => {
    expect(redactSecrets('/a?password=hunter2&limit=5&cursor=abc')).toBe('/a?password=[REDACTED]&limit=5&cursor=abc');
    expect(redactSecrets('/a?Pass%77ord=hunter2')).toBe('/a?Pass%77ord=[REDACTED]');
    expect(redactSecrets('/a?access_token=t&api_key=k&client_secret=s&sig=x')).toBe(
      '/a?access_token=[REDACTED]&api_key=[REDACTED]&client_secret=[REDACTED]&sig=[REDACTED]',
    );
    expect(redactSecrets('/a?status=active&unused_for_days=30')).toBe('/a?status=active&unused_for_days=30');
  });

  it('leaves ordinary text alone', () => {
    const text = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 skip_live_ eyJ only';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactHeaders', () => {
  it('replaces credential headers whole and scrubs every other header', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer x',
        'proxy-authorization': 'Basic y',
        'x-api-key': 'anything',
        cookie: 'a=b',
        'x-auth-token': 't',
        'user-agent': `bot ${JWT}`,
        referer: `http://example.com/?token=${JWT}`,
        'x-forwarded-for': '203.0.113.1',
        'x-list': [KEY, 'ok'],
      }),
    ).toEqual({
      authorization: '[REDACTED]',
      'proxy-authorization': '[REDACTED]',
      'x-api-key': '[REDACTED]',
      cookie: '[REDACTED]',
      'x-auth-token': '[REDACTED]',
      'user-agent': 'bot [REDACTED_JWT]',
      referer: 'http://example.com/?token=[REDACTED]',
      'x-forwarded-for': '203.0.113.1',
      'x-list': ['sk_live_[REDACTED]', 'ok'],
    });
  });
});
