import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import { appConfig } from '../config/app.config';

const WINDOW_MS = 60_000;

interface Window {
  failures: number;
  endsAt: number;
}

/**
 * Failed key checks (malformed keys, unknown prefixes, wrong secrets) per client address. Past the
 * limit the address gets 429 until its minute is over, answered before any database lookup or
 * bcrypt. Keys this process already verified are checked before this, so one bad neighbour
 * behind a shared address does not lock the others out.
 */
@Injectable()
export class KeyFailures {
  private readonly windows = new LRUCache<string, Window>({ max: 100_000, ttl: WINDOW_MS });
  private readonly limit: number;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.limit = config.KEY_FAILURES_PER_MINUTE;
  }

  /** Throws 429 with Retry-After when the address has failed too often this minute. */
  assertAllowed(ip: string): void {
    const window = this.windows.get(ip);
    const now = Date.now();
    if (window && window.endsAt > now && window.failures >= this.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.endsAt - now) / 1000));
      throw new HttpException(
        { message: `Too many failed API key checks from this address; retry in ${retryAfter} seconds`, retryAfter },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  record(ip: string): void {
    const now = Date.now();
    const window = this.windows.get(ip);
    if (window && window.endsAt > now) window.failures += 1;
    else this.windows.set(ip, { failures: 1, endsAt: now + WINDOW_MS });
  }

  /** Checks and counts in one step (no await between), so concurrent attempts cannot overshoot the limit. */
  reserve(ip: string): void {
    this.assertAllowed(ip);
    this.record(ip);
  }

  /** Takes back a failure counted in advance (a bcrypt compare that turned out to match). */
  forgive(ip: string): void {
    const window = this.windows.get(ip);
    if (window && window.failures > 0) window.failures -= 1;
  }
}
