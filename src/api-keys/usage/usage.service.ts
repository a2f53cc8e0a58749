import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../api-keys.service';
import { UsageHistoryResponse } from '../dto/api-key.response';
import { UsageHistoryQuery } from '../dto/usage-history.query';
import { UsageRecorder } from './usage-recorder';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const DEFAULT_SPAN = { hour: DAY_MS, day: 30 * DAY_MS };
const MAX_SPAN = { hour: 31 * DAY_MS, day: 366 * DAY_MS };

export interface UsageTotals {
  request_count: number;
  refused_count: number;
}

/** Reads recorded key usage: what is stored plus what is counted but not yet written. */
@Injectable()
export class UsageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeysService,
    private readonly recorder: UsageRecorder,
  ) {}

  /** Served and refused requests of one key per hour or day (UTC), oldest first. */
  async history(orgId: string, keyId: string, query: UsageHistoryQuery): Promise<UsageHistoryResponse> {
    const key = await this.apiKeys.get(orgId, keyId);
    const granularity = query.granularity ?? 'hour';
    const to = query.to ? Date.parse(query.to) : Date.now();
    const from = query.from ? Date.parse(query.from) : to - DEFAULT_SPAN[granularity];
    if (from >= to) throw new BadRequestException('from must be before to');
    if (to - from > MAX_SPAN[granularity]) {
      throw new BadRequestException(
        `from and to may be at most ${MAX_SPAN[granularity] / DAY_MS} days apart for granularity=${granularity}`,
      );
    }
    const unit = granularity === 'hour' ? HOUR_MS : DAY_MS;
    const start = from - (from % unit);
    const rows: { bucket: Date; served: string; refused: string }[] = await this.dataSource.query(
      `SELECT date_trunc($1, bucket_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket,
              SUM(request_count) AS served, SUM(refused_count) AS refused
       FROM api_key_usage
       WHERE key_id = $2 AND organization_id = $3 AND bucket_start >= $4 AND bucket_start < $5
       GROUP BY 1`,
      [granularity, key.id, orgId, new Date(start).toISOString(), new Date(to).toISOString()],
    );
    const buckets = new Map<number, { served: number; refused: number }>();
    for (const row of rows) {
      buckets.set(new Date(row.bucket).getTime(), { served: Number(row.served), refused: Number(row.refused) });
    }
    for (const pending of this.recorder.pending({ keyId: key.id })) {
      if (pending.bucketStart < start || pending.bucketStart >= to) continue;
      const at = pending.bucketStart - (pending.bucketStart % unit);
      const bucket = buckets.get(at) ?? { served: 0, refused: 0 };
      bucket.served += pending.served;
      bucket.refused += pending.refused;
      buckets.set(at, bucket);
    }
    return {
      data: [...buckets.entries()]
        .sort(([a], [b]) => a - b)
        .map(([at, b]) => ({ bucket_start: new Date(at).toISOString(), request_count: b.served, refused_count: b.refused })),
    };
  }

  /** All requests made with the organization's keys, ever. */
  async totals(orgId: string): Promise<UsageTotals> {
    const [row]: { served: string | null; refused: string | null }[] = await this.dataSource.query(
      `SELECT SUM(request_count) AS served, SUM(refused_count) AS refused FROM api_key_usage WHERE organization_id = $1`,
      [orgId],
    );
    const totals = { request_count: Number(row?.served ?? 0), refused_count: Number(row?.refused ?? 0) };
    for (const pending of this.recorder.pending({ organizationId: orgId })) {
      totals.request_count += pending.served;
      totals.refused_count += pending.refused;
    }
    return totals;
  }
}
