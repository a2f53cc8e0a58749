import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { Response } from 'express';
import type { Server } from 'node:http';
import onHeaders from 'on-headers';
import { appConfig } from '../../config/app.config';
import { DatabaseAvailability } from '../../database/database-availability';
import { RedisUsageLog } from './redis-usage-log';
import { noOutcomes, outcomeOf, UsageOutcome } from './usage-outcome';
import { UsageRow, UsageWriter } from './usage-writer';

const HOUR_MS = 3_600_000;

/**
 * Counts every request made with a key by what its response was, when the response is sent. With
 * Redis the count goes to Redis at once (a killed process loses nothing it answered) and one flusher
 * in the cluster moves counts to the database; without Redis (or while it is down) counts wait in
 * memory and this process writes them every USAGE_FLUSH_MS, and at shutdown.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private buckets = new Map<string, UsageRow>();
  /** The memory batch being written right now: still counted by readers until its write is done. */
  private inFlight?: UsageRow[];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
    private readonly adapterHost: HttpAdapterHost,
    private readonly writer: UsageWriter,
    private readonly redisLog: RedisUsageLog,
    @Optional() private readonly database?: DatabaseAvailability,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.USAGE_FLUSH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** On SIGTERM / app.close(): stop accepting, let in-flight requests finish, then write everything. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.stopAccepting();
    // The database may be blinking as we stop: retry a few times before giving up.
    for (let attempt = 1; attempt <= 5 && !(await this.flush()); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }

  /** Counts the request when its response starts, by the response's status. */
  track(res: Response, keyId: string, organizationId: string): void {
    onHeaders(res, () => this.count(keyId, organizationId, outcomeOf(res.statusCode)));
  }

  /** Counts one request of a key. */
  count(keyId: string, organizationId: string, outcome: UsageOutcome): void {
    const now = Date.now();
    const bucketStart = now - (now % HOUR_MS);
    if (this.redisLog.available) {
      this.redisLog.count(keyId, organizationId, bucketStart, outcome).catch((err: Error) => {
        // A command that timed out may still be applied when Redis wakes: counting it here too would
        // count it twice, so only a command that never reached Redis is counted in memory.
        if (!/timed out/i.test(err.message)) this.countInMemory(keyId, organizationId, bucketStart, outcome, now);
      });
      return;
    }
    this.countInMemory(keyId, organizationId, bucketStart, outcome, now);
  }

  /**
   * Counts not yet in the database, for readers that add them to what is stored: this process's
   * (the batch being written included, until it is) and Redis's as sealed batches with their ids
   * (see RedisUsageLog.unwritten).
   */
  async unwritten(filter: { organizationId?: string; keyId?: string }): Promise<{ local: UsageRow[]; batches: { id: string; rows: UsageRow[] }[] }> {
    const matches = (b: UsageRow) =>
      (!filter.organizationId || b.organizationId === filter.organizationId) && (!filter.keyId || b.keyId === filter.keyId);
    const batches = await this.redisLog.unwritten(filter).catch(() => []);
    const local = [...this.buckets.values(), ...(this.inFlight ?? [])].filter(matches);
    return { local, batches };
  }

  /** Writes what has been counted so far; concurrent calls run one after another. True when all is stored. */
  flush(): Promise<boolean> {
    const done = this.flushing.then(() => this.write());
    this.flushing = done;
    return done;
  }

  private countInMemory(keyId: string, organizationId: string, bucketStart: number, outcome: UsageOutcome, now: number): void {
    const id = `${keyId}|${bucketStart}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = { keyId, organizationId, bucketStart, ...noOutcomes(), lastUsedAt: now };
      this.buckets.set(id, bucket);
    }
    bucket[outcome] += 1;
    bucket.lastUsedAt = now;
  }

  private async write(): Promise<boolean> {
    let ok = await this.writeMemory();
    try {
      await this.redisLog.drain((rows, batchId) => this.writer.write(rows, batchId));
    } catch (err) {
      // The batch stays sealed in Redis; the next flush (here or on another instance) writes it.
      if (!this.database?.absorbs(err)) this.logger.warn(`Usage flush from Redis failed, will retry: ${(err as Error).message}`);
      ok = false;
    }
    return ok;
  }

  private async writeMemory(): Promise<boolean> {
    if (this.buckets.size === 0) return true;
    const buckets = this.buckets;
    this.buckets = new Map();
    this.inFlight = [...buckets.values()];
    try {
      await this.writer.write(this.inFlight);
      return true;
    } catch (err) {
      // Nothing counted is lost: merge this batch back and try again with the next one.
      // An outage is logged once, by DatabaseAvailability; the counts wait in memory meanwhile.
      if (!this.database?.absorbs(err)) this.logger.warn(`Usage flush failed, will retry: ${(err as Error).message}`);
      for (const [id, bucket] of buckets) {
        const current = this.buckets.get(id);
        if (!current) {
          this.buckets.set(id, bucket);
          continue;
        }
        for (const outcome of Object.keys(noOutcomes()) as UsageOutcome[]) current[outcome] += bucket[outcome];
        current.lastUsedAt = Math.max(current.lastUsedAt, bucket.lastUsedAt);
      }
      return false;
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Closes the listening socket and waits (bounded) for requests in flight, so their counts make the last batch. */
  private async stopAccepting(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server?.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([closed, timeout]);
    server.closeAllConnections();
  }
}
