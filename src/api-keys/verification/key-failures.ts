import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { appConfig } from '../../config/app.config';
import { RedisService } from '../../redis/redis.service';
import { AttemptBudget, Reservation } from './attempt-budget';

const WINDOW_MS = 60_000;
/** How long a locked-out address waits for its 429. */
export const REFUSAL_DELAY_MS = 1_000;

/**
 * The two budgets that bound failed key checks, cluster-wide with Redis, in-process without:
 * - per client address: malformed keys, unknown prefixes and wrong secrets; past the limit the
 *   address gets 429 until its minute is over. Every failure is reserved before it is answered
 *   (401 while reserved, 429 once spent); a first-use compare is not reserved while it waits (a
 *   pending compare is not a failure, so a restart warming many valid keys is never locked out).
 * - per key prefix: wrong secrets that may cost a bcrypt compare; past it, secrets for the prefix
 *   that no verifier vouches for are refused without bcrypt.
 * Keys already verified (by this process or through the cluster's verifier) never reach either.
 */
@Injectable()
export class KeyFailures {
  private readonly byAddress: AttemptBudget;
  private readonly byPrefix: AttemptBudget;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>, redis: RedisService) {
    this.byAddress = new AttemptBudget(redis, 'key-failures:address', config.KEY_FAILURES_PER_MINUTE, WINDOW_MS);
    this.byPrefix = new AttemptBudget(redis, 'key-failures:prefix', config.KEY_WRONG_SECRETS_PER_PREFIX, WINDOW_MS);
  }

  /** Whether the address has used up its failures for this minute. */
  async lockedOut(ip: string): Promise<boolean> {
    return (await this.byAddress.used(ip)) >= this.byAddress.limit;
  }

  /**
   * Counts a failure of the address before it is answered: true when it may still fail (answer
   * 401), not reserved when its budget is spent (answer with refuse()).
   */
  reserve(ip: string): Promise<Reservation> {
    return this.byAddress.reserve(ip);
  }

  /** Gives back a reserved failure (the compare it paid for found the genuine key). */
  release(ip: string): Promise<void> {
    return this.byAddress.release(ip);
  }

  /**
   * Reserves a bcrypt compare for a prefix: 'first' when it is the prefix's first in the window
   * (the likely case for a genuine key), 'suspect' when wrong secrets preceded it, 'spent' past the
   * prefix's budget (refuse without bcrypt).
   */
  async reservePrefix(keyPrefix: string): Promise<'first' | 'suspect' | 'spent'> {
    const { reserved, used } = await this.byPrefix.reserve(keyPrefix);
    if (!reserved) return 'spent';
    return used === 1 ? 'first' : 'suspect';
  }

  /** Gives back the prefix's reservation (the compare found the genuine key). */
  releasePrefix(keyPrefix: string): Promise<void> {
    return this.byPrefix.release(keyPrefix);
  }

  /**
   * 429 with Retry-After for a locked-out address, answered after a pause: an address that keeps
   * guessing past its budget gets at most one answer per connection per REFUSAL_DELAY_MS, instead
   * of refusals as fast as it can ask, which would take the CPU from everyone else. The pause
   * holds a timer, not a thread.
   */
  async refuse(retryAfterMs = WINDOW_MS): Promise<never> {
    await sleep(REFUSAL_DELAY_MS);
    const retryAfter = Math.max(1, Math.ceil((retryAfterMs - REFUSAL_DELAY_MS) / 1000));
    throw new HttpException(
      { message: `Too many failed API key checks from this address; retry in ${retryAfter} seconds`, retryAfter },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
