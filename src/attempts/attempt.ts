/** One budget an attempt draws on: at most `limit` attempts per `windowMs` for `id` in `bucket`. */
export interface AttemptLimit {
  /** What is counted, e.g. `login-email`; keeps counters of different kinds apart. */
  bucket: string;
  /** Whom it is counted for, e.g. an email or a client key (see common/client-address). */
  id: string;
  /** Attempts allowed per window (at least 1). */
  limit: number;
  /** Window length; a window starts at its first attempt and is fixed. */
  windowMs: number;
}

/**
 * Where a reservation was counted, so that giving it back reaches the same counters: `redis` (and
 * this process, which counts every grant it makes) or `in-process` alone.
 */
export type AttemptStore = 'redis' | 'in-process';

/** The answer to a reservation: counted in advance, or refused without counting. */
export interface Reservation {
  /** True: one attempt was counted in every budget, and the work may go ahead. */
  readonly granted: boolean;
  /** When refused: milliseconds until the spent budget (the latest, if several) opens again. */
  readonly retryAfterMs: number;
  /** When granted: attempts left in the tightest budget after this one. */
  readonly remaining: number;
  /** The budgets counted (empty when refused). */
  readonly limits: readonly AttemptLimit[];
  readonly store: AttemptStore;
}

/** A budget's state, read without counting. */
export interface AttemptStatus {
  /** Attempts counted in the current window (0 when none is open). */
  count: number;
  exhausted: boolean;
  /** Milliseconds until the current window ends (0 when none is open). */
  retryAfterMs: number;
}

/** Retry-After in whole seconds, at least 1, for a refused reservation. */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
