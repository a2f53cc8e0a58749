import {
  checksum,
  CHECKSUM_LENGTH,
  generateKey,
  generateLegacyKey,
  hasValidChecksum,
  KEY_PATTERN,
  parseKey,
  randomString,
  withChecksum,
} from './key-format';

describe('key format', () => {
  it('generates sk_live_<8 [a-z0-9]>_<32 [A-Za-z0-9]> with a matching prefix and a valid checksum', () => {
    for (let i = 0; i < 200; i++) {
      const { plainKey, keyPrefix } = generateKey();
      expect(plainKey).toMatch(KEY_PATTERN);
      expect(plainKey.startsWith(`${keyPrefix}_`)).toBe(true);
      expect(keyPrefix).toMatch(/^sk_live_[a-z0-9]{8}$/);
      expect(hasValidChecksum(plainKey)).toBe(true);
      expect(parseKey(plainKey)).toEqual({ keyPrefix, checksummed: true });
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
    expect(parseKey(plainKey)).toEqual({ keyPrefix, checksummed: true });
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

describe('key checksum', () => {
  // Worked out independently with Python: zlib.crc32(body.encode()), then base62 over 0-9A-Za-z.
  it.each([
    ['sk_live_a1b2c3d4_ABCDEFGHIJKLMNOPQRSTUVWXYZ', '3vAJVx'], // CRC32 3593107945
    ['sk_live_00000000_00000000000000000000000000', '2xg2OS'], // CRC32 2714088468
  ])('is the base62 CRC32 of everything before it: %s', (body, expected) => {
    expect(checksum(body)).toBe(expected);
    expect(withChecksum(body)).toBe(body + expected);
    expect(hasValidChecksum(body + expected)).toBe(true);
  });

  it('is always six characters of the alphabet, padded with 0 (CRC32 of the empty string is 0)', () => {
    expect(checksum('')).toBe('000000');
    for (let i = 0; i < 500; i++) expect(checksum(randomString('abc', 20))).toMatch(new RegExp(`^[0-9A-Za-z]{${CHECKSUM_LENGTH}}$`));
  });

  it('fails for any change to one character, in the body or in the checksum', () => {
    const { plainKey } = generateKey();
    for (let at = 'sk_live_'.length; at < plainKey.length; at++) {
      if (plainKey[at] === '_') continue;
      const swapped = plainKey[at] === 'a' ? 'b' : 'a';
      const changed = plainKey.slice(0, at) + swapped + plainKey.slice(at + 1);
      expect(hasValidChecksum(changed)).toBe(false);
    }
  });

  it('marks keys issued before checksums as well-formed but not checksummed (almost always)', () => {
    // A random 6-character tail matches the CRC by chance with probability 2^32 / 62^6 / 2^32 ≈ 1.8e-11.
    const legacy = Array.from({ length: 200 }, () => generateLegacyKey());
    for (const { plainKey, keyPrefix } of legacy) {
      expect(plainKey).toMatch(KEY_PATTERN);
      expect(parseKey(plainKey)).toEqual({ keyPrefix, checksummed: false });
    }
  });
});
