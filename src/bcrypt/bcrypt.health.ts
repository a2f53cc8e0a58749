import { Injectable } from '@nestjs/common';
import { BcryptScheduler } from './bcrypt-scheduler';

/**
 * Reports this process's bcrypt work in /api/v1/health (always up): compares and hashes run since
 * start, by kind, and what runs and waits now, so an operator (or a test) can see that a restart
 * with Redis up cost no compares, or which kind of work is queueing.
 */
@Injectable()
export class BcryptHealthIndicator {
  constructor(private readonly bcrypt: BcryptScheduler) {}

  stats() {
    return { status: 'up' as const, ...this.bcrypt.stats() };
  }
}
