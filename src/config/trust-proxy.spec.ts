import { validateEnvironment } from './app.config';
import { parseTrustProxy, trustProxyProblem } from './trust-proxy';

describe('TRUST_PROXY', () => {
  const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32) };

  it('refuses `true` at start-up, saying what to set instead', () => {
    expect(() => validateEnvironment({ ...base, TRUST_PROXY: 'true' })).toThrow(
      /^Invalid environment: TRUST_PROXY=true trusts X-Forwarded-For from any client.*set it to the proxies' addresses or subnets.*TRUST_PROXY=1/,
    );
  });

  it('refuses subnets that hold every address, like true', () => {
    for (const value of ['0.0.0.0/0', '10.0.0.0/8, ::/0']) {
      expect(trustProxyProblem(value)).toMatch(/contains a \/0 subnet, which trusts every address/);
    }
  });

  it('names the variable when an entry is not an address, subnet or keyword', () => {
    expect(() => validateEnvironment({ ...base, TRUST_PROXY: '10.0.0.0/8,proxy.internal' })).toThrow(
      /^Invalid environment: TRUST_PROXY: invalid IP address: proxy.internal/,
    );
  });

  it('accepts proxies named by address, subnet, keyword or hop count, and false', () => {
    for (const value of ['172.28.0.0/24', 'loopback', '10.0.0.0/8, 192.168.1.5', 'uniquelocal,fd00::/8', '1', 'false']) {
      expect(trustProxyProblem(value)).toBeUndefined();
      expect(validateEnvironment({ ...base, TRUST_PROXY: value }).TRUST_PROXY).toBe(value);
    }
    expect(parseTrustProxy('172.28.0.0/24, loopback')).toEqual(['172.28.0.0/24', 'loopback']);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('false')).toBe(false);
  });
});
