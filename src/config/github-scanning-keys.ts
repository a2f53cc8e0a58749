import { createPublicKey, KeyObject } from 'node:crypto';

/**
 * GITHUB_SECRET_SCANNING_KEYS: the JSON GitHub serves at
 * https://api.github.com/meta/public_keys/secret_scanning, as is:
 * `{ "public_keys": [ { "key_identifier": "...", "key": "-----BEGIN PUBLIC KEY-----...", "is_current": true } ] }`.
 * Every listed key is accepted (GitHub signs with the current one and lists older ones while they
 * may still be in use). Returns the keys by identifier, or throws saying what is wrong.
 */
export function parseGithubScanningKeys(json: string): Map<string, KeyObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('GITHUB_SECRET_SCANNING_KEYS is not JSON (paste what GitHub serves at /meta/public_keys/secret_scanning)');
  }
  const list = (parsed as { public_keys?: unknown } | null)?.public_keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error('GITHUB_SECRET_SCANNING_KEYS must be an object with a non-empty public_keys array');
  }
  const keys = new Map<string, KeyObject>();
  for (const [index, entry] of list.entries()) {
    const { key_identifier: id, key: pem } = (entry ?? {}) as { key_identifier?: unknown; key?: unknown };
    if (typeof id !== 'string' || id === '' || typeof pem !== 'string') {
      throw new Error(`GITHUB_SECRET_SCANNING_KEYS public_keys[${index}] needs a key_identifier and a PEM key`);
    }
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch {
      throw new Error(`GITHUB_SECRET_SCANNING_KEYS public_keys[${index}].key is not a PEM public key`);
    }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`GITHUB_SECRET_SCANNING_KEYS public_keys[${index}].key is not an ECDSA P-256 key`);
    }
    keys.set(id, key);
  }
  return keys;
}
