import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { appConfig } from '../../config/app.config';

/** Waiting compares beyond this are refused at once rather than queued. */
const MAX_WAITING = 64;

/**
 * Bounds the bcrypt work a process accepts at once: a few compares run (below the libuv pool
 * size, which fs, dns and pg's SCRAM also use), a short queue waits, and the rest get 503 so a
 * flood of wrong secrets can neither exhaust the CPU nor starve other requests.
 */
@Injectable()
export class BcryptGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly maxRunning: number;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.maxRunning = config.BCRYPT_MAX_CONCURRENCY;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxRunning) {
      if (this.waiting.length >= MAX_WAITING) {
        throw new HttpException(
          { message: 'Too many API key verifications in progress; retry shortly', retryAfter: 1 },
          HttpStatus.SERVICE_UNAVAILABLE,
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
