import { Injectable } from '@nestjs/common';
import { BcryptKind, BcryptScheduler } from './bcrypt-scheduler';

/**
 * Reports this process's bcrypt work in /api/v1/health (always up): compares and hashes run since
 * start, by kind, and what runs and waits now, so an operator (or a test) can see that a restart
 * with Redis up cost no compares, or which kind of work is queueing.
 */
@Injectable()
export class BcryptHealthIndicator {
  constructor(private readonly bcrypt: BcryptScheduler) {}

  /** The scheduler's counts, with its kinds in the wire's snake_case. */
  stats() {
    const { compares, waiting, ...rest } = this.bcrypt.stats();
    return { status: 'up' as const, ...rest, compares: byKind(compares), waiting: byKind(waiting) };
  }
}

/** Counts by kind as the health report names them (snake_case on the wire). */
function byKind(counts: Record<BcryptKind, number>): { key_first_use: number; key_suspect: number; password: number; hash: number } {
  return {
    key_first_use: counts['key-first-use'],
    key_suspect: counts['key-suspect'],
    password: counts.password,
    hash: counts.hash,
  };
}
