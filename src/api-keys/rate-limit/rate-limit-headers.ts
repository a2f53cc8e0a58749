import type { Response } from 'express';
import { serializeList } from 'structured-headers';
import { RATE_LIMIT_WINDOW_MS } from './rate-limit.storage';

/** The one quota policy a key has: its rate_limit per window. Named in both IETF fields. */
export const RATE_LIMIT_POLICY = 'default';

export interface RateLimitState {
  /** The key's rate_limit. */
  limit: number;
  /** Requests left in the current window. */
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
}

/**
 * The rate-limit headers of a key-authenticated response: the de-facto `X-RateLimit-*` trio and the
 * IETF httpapi fields of draft-ietf-httpapi-ratelimit-headers-10 ("RateLimit header fields for
 * HTTP"), both Structured Field Lists (RFC 9651) of one item naming the policy:
 *
 *   RateLimit-Policy: "default";q=100;w=60    quota q per window of w seconds
 *   RateLimit: "default";r=55;t=30            r quota units remaining, t seconds until reset
 *
 * All five say the same thing; the IETF pair is serialized by `structured-headers`, not by hand.
 */
export function setRateLimitHeaders(res: Pick<Response, 'setHeader'>, state: RateLimitState): void {
  const remaining = Math.max(0, state.remaining);
  const reset = Math.max(0, state.reset);
  res.setHeader('X-RateLimit-Limit', state.limit);
  res.setHeader('X-RateLimit-Remaining', remaining);
  res.setHeader('X-RateLimit-Reset', reset);
  res.setHeader(
    'RateLimit-Policy',
    serializeList([[RATE_LIMIT_POLICY, new Map([['q', state.limit], ['w', RATE_LIMIT_WINDOW_MS / 1000]])]]),
  );
  res.setHeader('RateLimit', serializeList([[RATE_LIMIT_POLICY, new Map([['r', remaining], ['t', reset]])]]));
}
