import { randomInt } from 'node:crypto';

/**
 * A client address no other test uses, sent as X-Forwarded-For to an app that trusts loopback:
 * per-address counters may live in a Redis shared by every suite, so each test brings its own.
 */
export function randomAddress(): string {
  return `198.18.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** A random IPv6 /64 (documentation prefix), as its first four groups: `${net}::1` is an address in it. */
export function randomNetwork64(): string {
  const group = () => randomInt(0x10000).toString(16);
  return `2001:db8:${group()}:${group()}`;
}
