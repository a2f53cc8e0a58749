import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { AttemptBudget } from '../attempts/attempt-budget';
import { retryAfterSeconds, Reservation } from '../attempts/attempt';
import { clientKey } from '../common/client-address';

const WINDOW_MS = 15 * 60 * 1000;
/** Failed logins allowed per email and per client address in WINDOW_MS. */
export const LOGIN_FAILURES = {
  email: 10,
  // An address may hide many people (NAT, offices): it gets more tries than one email does.
  address: 100,
} as const;

/**
 * Failed logins per email and per client address. Each login reserves a failure in both budgets
 * before its password is checked, so requests that arrive together cannot check more passwords
 * than the budget allows; past it the login answers 429, even with the right password, until
 * the window ends. A login that succeeds gives its own reservation back, and so does one that
 * failed for the server's sake (a 5xx). A success does not wipe the email's earlier failures
 * (it used to): a burst of guesses that contains the right password would otherwise reopen the
 * budget for the guesses still arriving, and concurrency would buy attempts again.
 */
@Injectable()
export class LoginAttempts {
  constructor(private readonly budget: AttemptBudget) {}

  /** Reserves one failure for the email and the address, or throws 429 with Retry-After. */
  async reserve(email: string, ip: string | undefined): Promise<Reservation> {
    const reservation = await this.budget.reserveAll([
      { bucket: 'login-email', id: email, limit: LOGIN_FAILURES.email, windowMs: WINDOW_MS },
      { bucket: 'login-address', id: clientKey(ip), limit: LOGIN_FAILURES.address, windowMs: WINDOW_MS },
    ]);
    if (!reservation.granted) {
      const retryAfter = retryAfterSeconds(reservation.retryAfterMs);
      throw new HttpException(
        { message: `Too many failed logins; try again in ${retryAfter} seconds`, retryAfter },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    return reservation;
  }

  /** The password was right: the reservation is no failure. */
  async succeeded(reservation: Reservation): Promise<void> {
    await this.budget.release(reservation);
  }

  /** The check never concluded (the server failed): the reservation is given back. */
  async abandoned(reservation: Reservation): Promise<void> {
    await this.budget.release(reservation);
  }
}
