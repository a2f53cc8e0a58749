import { BeforeApplicationShutdown, HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditActor } from '../../audit/audit.service';
import { clientKey } from '../../common/client-address';
import { LeakedKeys } from './leaked-keys';

/** Reports accepted but not yet worked through, per process; past it a report is refused with 429. */
export const MAX_PENDING_REPORTS = 64;
/** bcrypt compares one public report may cost (candidates no cache or verifier knows). */
export const REPORT_MAX_COMPARES = 10;
/** How long shutdown waits for accepted reports to be worked through. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Public leak reports, answered before they are worked on: the answer (202, how many strings) and
 * its timing are the same whether a report held genuine keys or not, so a report is no oracle.
 * Reports are then worked through one at a time per process, at most MAX_PENDING_REPORTS waiting.
 */
@Injectable()
export class LeakReports implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LeakReports.name);
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly leaked: LeakedKeys) {}

  /** Queues a report (429 when too many wait); resolves at once, before any of it is looked at. */
  accept(keys: string[], url: string | undefined, actor: AuditActor): void {
    if (this.pending >= MAX_PENDING_REPORTS) {
      throw new HttpException(
        { message: 'Too many leak reports waiting; try again in 5 seconds', retryAfter: 5 },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    this.pending += 1;
    const candidates = keys.map((value) => ({ value, url }));
    const context = { source: 'report' as const, actor, line: `leak-report:${clientKey(actor.clientIp)}`, maxCompares: REPORT_MAX_COMPARES };
    this.queue = this.queue
      .then(() => this.leaked.handle(candidates, context))
      .then(
        () => undefined,
        // A report is retried by no one: say so, without what it held (it may hold keys).
        (err: unknown) => this.logger.warn(`A leak report could not be worked through: ${(err as Error).message}`),
      )
      .finally(() => {
        this.pending -= 1;
      });
  }

  /** Resolves once every report accepted so far has been worked through. */
  idle(): Promise<void> {
    return this.queue;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.race([this.queue, sleep(SHUTDOWN_WAIT_MS)]);
  }
}
