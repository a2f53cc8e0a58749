import type { Response } from 'express';
import { serializeInteger, serializeList, serializeString } from 'structured-headers';
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
 * serializeList costs about 2.4 µs here (it validates the whole structure), so it runs once per
 * distinct rate_limit for the policy; the per-request RateLimit value is composed from the library's
 * serializers of its parts (≈ 70 ns), which yields the same List of one parameterised Item.
 */
export function setRateLimitHeaders(res: Pick<Response, 'setHeader'>, state: RateLimitState): void {
  const remaining = Math.max(0, state.remaining);
  const reset = Math.max(0, state.reset);
  res.setHeader('X-RateLimit-Limit', state.limit);
  res.setHeader('X-RateLimit-Remaining', remaining);
  res.setHeader('X-RateLimit-Reset', reset);
  setIetfRateLimitHeaders(res, { limit: state.limit, remaining, reset });
}

/** Only the IETF pair, for a response whose X-RateLimit-* are already set from the same state. */
export function setIetfRateLimitHeaders(res: Pick<Response, 'setHeader'>, state: RateLimitState): void {
  const remaining = Math.max(0, state.remaining);
  const reset = Math.max(0, state.reset);
  res.setHeader('RateLimit-Policy', policyField(state.limit));
  res.setHeader('RateLimit', `${POLICY_NAME};r=${serializeInteger(remaining)};t=${serializeInteger(reset)}`);
}

const POLICY_NAME = serializeString(RATE_LIMIT_POLICY);
/** RateLimit-Policy by rate_limit; keys share a handful of limits, and the map is emptied if they do not. */
const policyFields = new Map<number, string>();
const MAX_POLICY_FIELDS = 1_000;

function policyField(limit: number): string {
  let field = policyFields.get(limit);
  if (field === undefined) {
    if (policyFields.size >= MAX_POLICY_FIELDS) policyFields.clear();
    field = serializeList([[RATE_LIMIT_POLICY, new Map([['q', limit], ['w', RATE_LIMIT_WINDOW_MS / 1000]])]]);
    policyFields.set(limit, field);
  }
  return field;
}
