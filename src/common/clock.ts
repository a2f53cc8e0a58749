import { Injectable } from '@nestjs/common';

/**
 * The time as the scheduled jobs and policy checks see it. Injected rather than read from Date.now()
 * so that a test can move it (days, not milliseconds) and watch what the job does then.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
