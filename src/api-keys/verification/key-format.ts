import * as CRC32 from 'crc-32';
import { randomBytes } from 'node:crypto';
import { API_KEY_MARKER } from '../../auth/credentials';

/** Every key starts with this; it tells a key from a user's token at a glance (and to scanners). */
export const KEY_PREFIX_MARKER = API_KEY_MARKER;

const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PREFIX_LENGTH = 8;
const SUFFIX_LENGTH = 32;

/**
 * The checksum's digits, in order of value: 0-9, then A-Z, then a-z (as GitHub's tokens use). Part
 * of the public key format (README, "For secret scanners"): never change it.
 */
export const CHECKSUM_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^6 > 2^32: any unsigned CRC32 fits in six base62 digits. */
export const CHECKSUM_LENGTH = 6;

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

/**
 * The six characters that end a key: CRC32 (IEEE, as zlib computes it) of everything before them,
 * `sk_live_<8>_<26>`, taken unsigned, written in base62 with CHECKSUM_ALPHABET, left-padded with '0'.
 */
export function checksum(body: string): string {
  let value = CRC32.str(body) >>> 0;
  let digits = '';
  do {
    digits = CHECKSUM_ALPHABET[value % 62] + digits;
    value = Math.floor(value / 62);
  } while (value > 0);
  return digits.padStart(CHECKSUM_LENGTH, '0');
}

/** `body` followed by its checksum. */
export function withChecksum(body: string): string {
  return body + checksum(body);
}

export interface GeneratedKey {
  /** The whole secret, shown once to the creator. */
  plainKey: string;
  /** `sk_live_<prefix>`: stored and shown to identify the key. */
  keyPrefix: string;
}

/** A new key: 8 prefix characters, 26 random characters, then the checksum of all before it. */
export function generateKey(): GeneratedKey {
  const prefix = randomString(PREFIX_ALPHABET, PREFIX_LENGTH);
  const random = randomString(SUFFIX_ALPHABET, SUFFIX_LENGTH - CHECKSUM_LENGTH);
  return { plainKey: withChecksum(`${KEY_PREFIX_MARKER}${prefix}_${random}`), keyPrefix: `${KEY_PREFIX_MARKER}${prefix}` };
}

/**
 * A key as issued before checksums (32 random characters): only tests, to stand for the keys that
 * existing deployments still hold, and nothing in the service, ever issues one.
 */
export function generateLegacyKey(): GeneratedKey {
  const prefix = randomString(PREFIX_ALPHABET, PREFIX_LENGTH);
  const suffix = randomString(SUFFIX_ALPHABET, SUFFIX_LENGTH);
  return { plainKey: `${KEY_PREFIX_MARKER}${prefix}_${suffix}`, keyPrefix: `${KEY_PREFIX_MARKER}${prefix}` };
}

/** Whether a well-formed key's last six characters are the checksum of the rest (no I/O). */
export function hasValidChecksum(plainKey: string): boolean {
  const at = plainKey.length - CHECKSUM_LENGTH;
  return plainKey.slice(at) === checksum(plainKey.slice(0, at));
}

export interface ParsedKey {
  /** The stored `key_prefix`. */
  keyPrefix: string;
  /** Whether the checksum holds; a key without it can only be genuine if issued before checksums. */
  checksummed: boolean;
}

/** The stored `key_prefix` of a well-formed key and whether its checksum holds; undefined for anything else (no I/O). */
export function parseKey(candidate: string): ParsedKey | undefined {
  const match = KEY_PATTERN.exec(candidate);
  return match ? { keyPrefix: `${KEY_PREFIX_MARKER}${match[1]}`, checksummed: hasValidChecksum(candidate) } : undefined;
}
