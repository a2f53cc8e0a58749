import { randomBytes } from 'node:crypto';
import { API_KEY_MARKER } from '../../auth/credentials';

/** Every key starts with this; it tells a key from a user's token at a glance (and to scanners). */
export const KEY_PREFIX_MARKER = API_KEY_MARKER;

const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PREFIX_LENGTH = 8;
const SUFFIX_LENGTH = 32;

/** `sk_live_<8 [a-z0-9]>_<32 [A-Za-z0-9]>`, nothing else. */
export const KEY_PATTERN = /^sk_live_([a-z0-9]{8})_([A-Za-z0-9]{32})$/;

/** Uniform random characters: bytes at or above the largest multiple of the alphabet size are drawn again (no modulo bias). */
export function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export interface GeneratedKey {
  /** The whole secret, shown once to the creator. */
  plainKey: string;
  /** `sk_live_<prefix>`: stored and shown to identify the key. */
  keyPrefix: string;
}

export function generateKey(): GeneratedKey {
  const prefix = randomString(PREFIX_ALPHABET, PREFIX_LENGTH);
  const suffix = randomString(SUFFIX_ALPHABET, SUFFIX_LENGTH);
  return { plainKey: `${KEY_PREFIX_MARKER}${prefix}_${suffix}`, keyPrefix: `${KEY_PREFIX_MARKER}${prefix}` };
}

/** The stored `key_prefix` of a well-formed key, or undefined for anything else (no I/O). */
export function parseKey(candidate: string): { keyPrefix: string } | undefined {
  const match = KEY_PATTERN.exec(candidate);
  return match ? { keyPrefix: `${KEY_PREFIX_MARKER}${match[1]}` } : undefined;
}
