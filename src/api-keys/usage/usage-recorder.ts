import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { appConfig } from '../../config/app.config';

const HOUR_MS = 3_600_000;

interface Bucket {
  keyId: string;
  organizationId: string;
  bucketStart: number;
  served: number;
  refused: number;
}

export interface PendingTotals {
  served: number;
  refused: number;
}

/**
 * Counts key use in memory where the request is admitted and writes it in batches: every
 * USAGE_FLUSH_MS and at shutdown, one upsert of hourly buckets and one update of last_used_at per
 * batch, never a write per request. A failed write keeps the counts for the next batch.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(UsageRecorder.name);
  private buckets = new Map<string, Bucket>();
  private lastUsed = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
    private readonly adapterHost: HttpAdapterHost,
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

  served(keyId: string, organizationId: string): void {
    this.count(keyId, organizationId, 'served');
  }

  refused(keyId: string, organizationId: string): void {
    this.count(keyId, organizationId, 'refused');
  }

  /** Counts not yet written, for readers that add them to what is stored. */
  pending(filter: { organizationId?: string; keyId?: string }): Bucket[] {
    return [...this.buckets.values()].filter(
      (b) =>
        (!filter.organizationId || b.organizationId === filter.organizationId) &&
        (!filter.keyId || b.keyId === filter.keyId),
    );
  }

  /** Writes what has been counted so far; concurrent calls run one after another. True when all is stored. */
  flush(): Promise<boolean> {
    const done = this.flushing.then(() => this.write());
    this.flushing = done.then(() => undefined);
    return done;
  }

  private count(keyId: string, organizationId: string, kind: 'served' | 'refused'): void {
    const now = Date.now();
    const bucketStart = now - (now % HOUR_MS);
    const id = `${keyId}|${bucketStart}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = { keyId, organizationId, bucketStart, served: 0, refused: 0 };
      this.buckets.set(id, bucket);
    }
    bucket[kind] += 1;
    this.lastUsed.set(keyId, now);
  }

  private async write(): Promise<boolean> {
    if (this.buckets.size === 0 && this.lastUsed.size === 0) return true;
    const buckets = this.buckets;
    const lastUsed = this.lastUsed;
    this.buckets = new Map();
    this.lastUsed = new Map();
    const rows = [...buckets.values()];
    try {
      await this.dataSource.transaction(async (tx) => {
        if (rows.length) {
          // Keys deleted meanwhile (their organization was) are skipped by the join.
          await tx.query(
            `INSERT INTO api_key_usage (key_id, organization_id, bucket_start, request_count, refused_count)
             SELECT u.key_id, u.organization_id, u.bucket_start, u.served, u.refused
             FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::bigint[], $5::bigint[])
               AS u(key_id, organization_id, bucket_start, served, refused)
             JOIN api_keys k ON k.id = u.key_id
             ON CONFLICT (key_id, bucket_start) DO UPDATE SET
               request_count = api_key_usage.request_count + EXCLUDED.request_count,
               refused_count = api_key_usage.refused_count + EXCLUDED.refused_count`,
            [
              rows.map((r) => r.keyId),
              rows.map((r) => r.organizationId),
              rows.map((r) => new Date(r.bucketStart).toISOString()),
              rows.map((r) => r.served),
              rows.map((r) => r.refused),
            ],
          );
        }
        if (lastUsed.size) {
          await tx.query(
            `UPDATE api_keys k SET last_used_at = GREATEST(COALESCE(k.last_used_at, u.used_at), u.used_at)
             FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, used_at)
             WHERE k.id = u.id`,
            [[...lastUsed.keys()], [...lastUsed.values()].map((t) => new Date(t).toISOString())],
          );
        }
      });
    } catch (err) {
      // Nothing counted is lost: merge this batch back and try again with the next one.
      this.logger.warn(`Usage flush failed, will retry: ${(err as Error).message}`);
      for (const [id, bucket] of buckets) {
        const current = this.buckets.get(id);
        if (current) {
          current.served += bucket.served;
          current.refused += bucket.refused;
        } else {
          this.buckets.set(id, bucket);
        }
      }
      for (const [keyId, at] of lastUsed) this.lastUsed.set(keyId, Math.max(at, this.lastUsed.get(keyId) ?? 0));
      return false;
    }
    return true;
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
