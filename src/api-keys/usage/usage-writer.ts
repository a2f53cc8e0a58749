import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OutcomeCounts } from './usage-outcome';

/** Requests of one key in one hour, by outcome. */
export interface UsageRow extends OutcomeCounts {
  keyId: string;
  organizationId: string;
  bucketStart: number;
  /** The key's latest use in this batch (ms), for last_used_at. */
  lastUsedAt: number;
}

/**
 * Writes a batch of usage in one transaction: the hourly buckets, the organization's all-time totals
 * (so /metrics never sums history) and last_used_at. A batch with an id is written at most once: a
 * flusher that died after the commit and before clearing its batch cannot write it twice.
 */
@Injectable()
export class UsageWriter {
  private prunedAt = 0;
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Writes the rows; false when the batch id was already applied (nothing written). */
  async write(rows: UsageRow[], batchId?: string): Promise<boolean> {
    if (!rows.length) return true;
    return this.dataSource.transaction(async (tx) => {
      if (batchId) {
        const applied: unknown[] = await tx.query(
          `INSERT INTO usage_flush_batches (id) VALUES ($1) ON CONFLICT (id) DO NOTHING RETURNING id`,
          [batchId],
        );
        if (!applied.length) return false;
      }
      const column = <K extends keyof UsageRow>(name: K) => rows.map((r) => r[name]);
      // Keys deleted meanwhile (their organization was) are skipped by the join.
      await tx.query(
        `WITH u AS (
           SELECT u.* FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
             AS u(key_id, organization_id, bucket_start, served, refused, denied, failed, rejected)
           JOIN api_keys k ON k.id = u.key_id
         ), buckets AS (
           INSERT INTO api_key_usage (key_id, organization_id, bucket_start, served_count, refused_count, denied_count, failed_count, rejected_count)
           SELECT key_id, organization_id, bucket_start, served, refused, denied, failed, rejected FROM u
           ON CONFLICT (key_id, bucket_start) DO UPDATE SET
             served_count = api_key_usage.served_count + EXCLUDED.served_count,
             refused_count = api_key_usage.refused_count + EXCLUDED.refused_count,
             denied_count = api_key_usage.denied_count + EXCLUDED.denied_count,
             failed_count = api_key_usage.failed_count + EXCLUDED.failed_count,
             rejected_count = api_key_usage.rejected_count + EXCLUDED.rejected_count
         )
         INSERT INTO organization_usage_totals (organization_id, served_count, refused_count, denied_count, failed_count, rejected_count)
         SELECT organization_id, SUM(served), SUM(refused), SUM(denied), SUM(failed), SUM(rejected) FROM u GROUP BY organization_id
         ON CONFLICT (organization_id) DO UPDATE SET
           served_count = organization_usage_totals.served_count + EXCLUDED.served_count,
           refused_count = organization_usage_totals.refused_count + EXCLUDED.refused_count,
           denied_count = organization_usage_totals.denied_count + EXCLUDED.denied_count,
           failed_count = organization_usage_totals.failed_count + EXCLUDED.failed_count,
           rejected_count = organization_usage_totals.rejected_count + EXCLUDED.rejected_count`,
        [
          column('keyId'),
          column('organizationId'),
          rows.map((r) => new Date(r.bucketStart).toISOString()),
          column('served'),
          column('refused'),
          column('denied'),
          column('failed'),
          column('rejected'),
        ],
      );
      const lastUsed = new Map<string, number>();
      for (const r of rows) lastUsed.set(r.keyId, Math.max(r.lastUsedAt, lastUsed.get(r.keyId) ?? 0));
      await tx.query(
        `UPDATE api_keys k SET last_used_at = GREATEST(COALESCE(k.last_used_at, u.used_at), u.used_at)
         FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, used_at)
         WHERE k.id = u.id`,
        [[...lastUsed.keys()], [...lastUsed.values()].map((t) => new Date(t).toISOString())],
      );
      if (batchId && Date.now() - this.prunedAt > PRUNE_EVERY_MS) {
        this.prunedAt = Date.now();
        await tx.query(`DELETE FROM usage_flush_batches WHERE applied_at < now() - interval '1 day'`);
      }
      return true;
    });
  }
}

/** Batch ids are needed only while a batch may be retried (seconds); older ones are deleted hourly. */
const PRUNE_EVERY_MS = 3_600_000;
