import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AttemptBudget } from '../attempts/attempt-budget';
import { retryAfterSeconds, Reservation } from '../attempts/attempt';
import { clientKey } from '../common/client-address';
import { appConfig } from '../config/app.config';

const WINDOW_MS = 60 * 60 * 1000;

/**
 * Registrations per client address per hour. Each one is reserved before its password is hashed
 * (a bcrypt hash: the costly part) and keeps counting whether it created an organization or found
 * the email taken; only a registration the server failed (a 5xx) is given back.
 */
@Injectable()
export class RegistrationAttempts {
  private readonly limit: number;

  constructor(
    private readonly budget: AttemptBudget,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
  ) {
    this.limit = config.REGISTRATIONS_PER_ADDRESS_PER_HOUR;
  }

  /** Reserves one registration for the address, or throws 429 with Retry-After. */
  async reserve(ip: string | null | undefined): Promise<Reservation> {
    const reservation = await this.budget.reserve('register-address', clientKey(ip), this.limit, WINDOW_MS);
    if (!reservation.granted) {
      const retryAfter = retryAfterSeconds(reservation.retryAfterMs);
      throw new HttpException(
        { message: `Too many registrations from this address; try again in ${retryAfter} seconds`, retryAfter },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    return reservation;
  }

  /** The registration never happened for the server's sake: the address gets it back. */
  async abandoned(reservation: Reservation): Promise<void> {
    await this.budget.release(reservation);
  }
}
