import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

const WINDOW_MS = 15 * 60 * 1000;
// An address may hide many people (NAT, offices): it gets more tries than one email does.
const MAX_FAILURES = { email: 10, ip: 100 };

interface Failures {
  count: number;
  resetAt: number;
}

/**
 * Counts failed logins per email and per client IP; past MAX_FAILURES in the window the login
 * route answers 429 for that email or IP until the window ends, so passwords cannot be guessed.
 */
@Injectable()
export class LoginAttempts {
  private readonly failures = new LRUCache<string, Failures>({ max: 100_000, ttl: WINDOW_MS });

  /** Throws 429 with Retry-After when the email or the IP has failed too often. */
  assertAllowed(email: string, ip: string): void {
    const now = Date.now();
    for (const [kind, key] of [['email', `email:${email}`], ['ip', `ip:${ip}`]] as const) {
      const entry = this.failures.get(key);
      if (entry && entry.count >= MAX_FAILURES[kind] && entry.resetAt > now) {
        const retryAfter = Math.ceil((entry.resetAt - now) / 1000);
        throw new HttpException(
          { message: `Too many failed logins; try again in ${retryAfter} seconds`, retryAfter },
          HttpStatus.TOO_MANY_REQUESTS,
        );
      }
    }
  }

  recordFailure(email: string, ip: string): void {
    const now = Date.now();
    for (const key of [`email:${email}`, `ip:${ip}`]) {
      const entry = this.failures.get(key);
      if (entry && entry.resetAt > now) entry.count += 1;
      else this.failures.set(key, { count: 1, resetAt: now + WINDOW_MS });
    }
  }

  recordSuccess(email: string): void {
    this.failures.delete(`email:${email}`);
  }
}
