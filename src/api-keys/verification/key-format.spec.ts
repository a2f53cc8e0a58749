import { generateKey, KEY_PATTERN, parseKey, randomString } from './key-format';

describe('key format', () => {
  it('generates sk_live_<8 [a-z0-9]>_<32 [A-Za-z0-9]> with a matching prefix', () => {
    for (let i = 0; i < 200; i++) {
      const { plainKey, keyPrefix } = generateKey();
      expect(plainKey).toMatch(KEY_PATTERN);
      expect(plainKey.startsWith(`${keyPrefix}_`)).toBe(true);
      expect(keyPrefix).toMatch(/^sk_live_[a-z0-9]{8}$/);
    }
  });

  it('draws every character of the alphabet about equally often (no modulo bias)', () => {
    const alphabet = 'abc'; // 256 % 3 = 1: a biased draw would favour 'a'
    const counts = { a: 0, b: 0, c: 0 };
    for (const ch of randomString(alphabet, 90_000)) counts[ch as keyof typeof counts] += 1;
    for (const n of Object.values(counts)) expect(Math.abs(n - 30_000)).toBeLessThan(900);
  });

  it('parses a well-formed key into its stored prefix and rejects everything else', () => {
    const { plainKey, keyPrefix } = generateKey();
    expect(parseKey(plainKey)).toEqual({ keyPrefix });
    for (const bad of [
      '',
      'sk_live_',
      plainKey.toUpperCase(),
      `${plainKey}x`,
      plainKey.slice(0, -1),
      plainKey.replace('sk_live_', 'sk_test_'),
      ` ${plainKey}`,
      `${keyPrefix}_${'!'.repeat(32)}`,
    ]) {
      expect(parseKey(bad)).toBeUndefined();
    }
  });
});
