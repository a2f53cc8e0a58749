import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import { setTimeout as sleep } from 'node:timers/promises';
import { appConfig } from '../../config/app.config';

const WINDOW_MS = 60_000;
/** How long a locked-out address waits for its 429. */
export const REFUSAL_DELAY_MS = 1_000;

interface Window {
  failures: number;
  endsAt: number;
}

/**
 * Failed key checks (malformed keys, unknown prefixes, wrong secrets) per client address. Past the
 * limit the address gets 429 until its minute is over, answered (after a pause) before any
 * database lookup or bcrypt. Keys this process already verified are checked before this, so one bad neighbour
 * behind a shared address does not lock the others out.
 */
@Injectable()
export class KeyFailures {
  private readonly windows = new LRUCache<string, Window>({ max: 100_000, ttl: WINDOW_MS });
  private readonly limit: number;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.limit = config.KEY_FAILURES_PER_MINUTE;
  }

  /** Whether the address has used up its failures for this minute. */
  lockedOut(ip: string): boolean {
    const window = this.windows.get(ip);
    return !!window && window.endsAt > Date.now() && window.failures >= this.limit;
  }

  /**
   * 429 with Retry-After for a locked-out address, answered after a pause: an address that keeps
   * guessing past its budget gets at most one answer per connection per REFUSAL_DELAY_MS, instead
   * of refusals as fast as it can ask, which would take the CPU from everyone else. The pause
   * holds a timer, not a thread.
   */
  async refuse(ip: string): Promise<never> {
    await sleep(REFUSAL_DELAY_MS);
    const window = this.windows.get(ip);
    const retryAfter = Math.max(1, Math.ceil(((window?.endsAt ?? Date.now()) - Date.now()) / 1000));
    throw new HttpException(
      { message: `Too many failed API key checks from this address; retry in ${retryAfter} seconds`, retryAfter },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  record(ip: string): void {
    const now = Date.now();
    const window = this.windows.get(ip);
    if (window && window.endsAt > now) window.failures += 1;
    else this.windows.set(ip, { failures: 1, endsAt: now + WINDOW_MS });
  }

  /**
   * Counts a failure in advance if the address may still fail (check and count in one step, no
   * await between, so concurrent attempts cannot overshoot the limit); false when it may not.
   */
  tryReserve(ip: string): boolean {
    if (this.lockedOut(ip)) return false;
    this.record(ip);
    return true;
  }

  /** Takes back a failure counted in advance (a bcrypt compare that turned out to match). */
  forgive(ip: string): void {
    const window = this.windows.get(ip);
    if (window && window.failures > 0) window.failures -= 1;
  }
}
