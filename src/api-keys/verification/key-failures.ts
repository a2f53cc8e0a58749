import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { setTimeout as sleep } from 'node:timers/promises';
import { AttemptBudget } from '../../attempts/attempt-budget';
import { Reservation, retryAfterSeconds } from '../../attempts/attempt';
import { clientKey } from '../../common/client-address';
import { appConfig } from '../../config/app.config';

const WINDOW_MS = 60_000;
/** How long a locked-out address waits for its 429. */
export const REFUSAL_DELAY_MS = 1_000;

const ADDRESS = 'key-failures-address';
const PREFIX = 'key-wrong-secrets-prefix';

/**
 * The two budgets that bound failed key checks (AttemptBudget: cluster-wide with Redis, in-process
 * without):
 * - per client address (an IPv6 address's /64): malformed keys, unknown prefixes and wrong secrets;
 *   past the limit the address gets 429 until its minute is over. Every failure is reserved before
 *   it is answered (401 while reserved, 429 once spent); a first-use compare is not reserved while
 *   it waits (a pending compare is not a failure, so a restart warming many valid keys is never
 *   locked out).
 * - per key prefix: wrong secrets that may cost a bcrypt compare; past it, secrets for the prefix
 *   that no verifier vouches for are refused without bcrypt.
 * Keys already verified (by this process or through the cluster's verifier) never reach either.
 */
@Injectable()
export class KeyFailures {
  private readonly addressLimit: number;
  private readonly prefixLimit: number;

  constructor(
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
    private readonly budget: AttemptBudget,
  ) {
    this.addressLimit = config.KEY_FAILURES_PER_MINUTE;
    this.prefixLimit = config.KEY_WRONG_SECRETS_PER_PREFIX;
  }

  /** Whether the address has used up its failures for this minute (without counting one). */
  async lockedOut(ip: string): Promise<boolean> {
    return (await this.budget.peek(ADDRESS, clientKey(ip), this.addressLimit)).exhausted;
  }

  /**
   * Counts a failure of the address before it is answered: granted while it may still fail
   * (answer 401), refused when its budget is spent (answer with refuse()).
   */
  reserve(ip: string): Promise<Reservation> {
    return this.budget.reserve(ADDRESS, clientKey(ip), this.addressLimit, WINDOW_MS);
  }

  /**
   * Reserves a bcrypt compare for a prefix. `first` when it is the prefix's first in the window
   * (the likely case for a genuine key), otherwise wrong secrets preceded it; not granted past the
   * prefix's budget (refuse without bcrypt).
   */
  async reservePrefix(keyPrefix: string): Promise<{ reservation: Reservation; first: boolean }> {
    const reservation = await this.budget.reserve(PREFIX, keyPrefix, this.prefixLimit, WINDOW_MS);
    return { reservation, first: reservation.granted && reservation.remaining === this.prefixLimit - 1 };
  }

  /** Gives back a reservation whose compare found the genuine key. */
  release(reservation: Reservation): Promise<void> {
    return this.budget.release(reservation);
  }

  /**
   * 429 with Retry-After for a locked-out address, answered after a pause: an address that keeps
   * guessing past its budget gets at most one answer per connection per REFUSAL_DELAY_MS, instead
   * of refusals as fast as it can ask, which would take the CPU from everyone else. The pause
   * holds a timer, not a thread.
   */
  async refuse(retryAfterMs = WINDOW_MS): Promise<never> {
    await sleep(REFUSAL_DELAY_MS);
    const retryAfter = retryAfterSeconds(retryAfterMs - REFUSAL_DELAY_MS);
    throw new HttpException(
      { message: `Too many failed API key checks from this address; retry in ${retryAfter} seconds`, retryAfter },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
