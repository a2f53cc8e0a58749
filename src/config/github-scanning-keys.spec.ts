import { generateKeyPairSync } from 'node:crypto';
import { validateEnvironment } from './app.config';
import { parseGithubScanningKeys } from './github-scanning-keys';

const pem = (options: { namedCurve: string }): string =>
  generateKeyPairSync('ec', options).publicKey.export({ type: 'spki', format: 'pem' }) as string;

describe('GITHUB_SECRET_SCANNING_KEYS', () => {
  const p256 = pem({ namedCurve: 'prime256v1' });

  it("reads GitHub's published JSON: every listed key by its identifier", () => {
    const other = pem({ namedCurve: 'prime256v1' });
    const keys = parseGithubScanningKeys(
      JSON.stringify({
        public_keys: [
          { key_identifier: 'current', key: p256, is_current: true },
          { key_identifier: 'older', key: other, is_current: false },
        ],
      }),
    );
    expect([...keys.keys()]).toEqual(['current', 'older']);
    expect(keys.get('current')!.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it.each([
    ['not JSON', '{public_keys', /is not JSON/],
    ['no list', '{}', /non-empty public_keys array/],
    ['an empty list', '{"public_keys":[]}', /non-empty public_keys array/],
    ['no identifier', JSON.stringify({ public_keys: [{ key: p256 }] }), /public_keys\[0\] needs a key_identifier/],
    ['not a PEM key', JSON.stringify({ public_keys: [{ key_identifier: 'a', key: 'nope' }] }), /public_keys\[0\]\.key is not a PEM public key/],
    ['another curve', JSON.stringify({ public_keys: [{ key_identifier: 'a', key: pem({ namedCurve: 'secp384r1' }) }] }), /not an ECDSA P-256 key/],
  ])('refuses %s, saying what is wrong', (_, json, message) => {
    expect(() => parseGithubScanningKeys(json)).toThrow(message);
  });

  it('stops start-up naming the variable when it is wrong, and is optional', () => {
    const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32) };
    expect(() => validateEnvironment({ ...base, GITHUB_SECRET_SCANNING_KEYS: '[]' })).toThrow(/Invalid environment: GITHUB_SECRET_SCANNING_KEYS/);
    expect(validateEnvironment(base).GITHUB_SECRET_SCANNING_KEYS).toBeUndefined();
    expect(validateEnvironment({ ...base, LEAK_REPORTS_PER_ADDRESS_PER_HOUR: '7' }).LEAK_REPORTS_PER_ADDRESS_PER_HOUR).toBe(7);
  });
});
