import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AttemptBudget } from '../../attempts/attempt-budget';
import { retryAfterSeconds } from '../../attempts/attempt';
import { clientKey } from '../../common/client-address';
import { appConfig } from '../../config/app.config';

const WINDOW_MS = 60 * 60 * 1000;

/**
 * Leak reports per client address per hour (LEAK_REPORTS_PER_ADDRESS_PER_HOUR), cluster-wide with
 * Redis. A report is reserved before anything else is done with it and keeps counting, whatever it
 * held: a report of garbage and one of genuine keys cost the reporter alike.
 */
@Injectable()
export class LeakReportAttempts {
  private readonly limit: number;

  constructor(
    private readonly budget: AttemptBudget,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
  ) {
    this.limit = config.LEAK_REPORTS_PER_ADDRESS_PER_HOUR;
  }

  /** Counts one report for the address, or throws 429 with Retry-After. */
  async reserve(ip: string | null | undefined): Promise<void> {
    const reservation = await this.budget.reserve('leak-report-address', clientKey(ip), this.limit, WINDOW_MS);
    if (!reservation.granted) {
      const retryAfter = retryAfterSeconds(reservation.retryAfterMs);
      throw new HttpException(
        { message: `Too many leak reports from this address; try again in ${retryAfter} seconds`, retryAfter },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }
}
