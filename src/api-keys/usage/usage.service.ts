import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../api-keys.service';
import { UsageCountsResponse, UsageHistoryResponse } from '../dto/api-key.response';
import { UsageHistoryQuery } from '../dto/usage-history.query';
import { noOutcomes, OutcomeCounts, USAGE_OUTCOMES, UsageOutcome } from './usage-outcome';
import { UsageRecorder } from './usage-recorder';
import { UsageRow } from './usage-writer';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const DEFAULT_SPAN = { hour: DAY_MS, day: 30 * DAY_MS };
const MAX_SPAN = { hour: 31 * DAY_MS, day: 366 * DAY_MS };

/** Reads recorded key usage: what is stored plus what this process has counted but not yet written. */
@Injectable()
export class UsageService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeysService,
    private readonly recorder: UsageRecorder,
  ) {}

  /** Requests of one key per hour or day (UTC) by outcome, oldest first; from the key's hourly rows (primary key range). */
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
    const unwritten = await this.recorder.unwritten({ keyId: key.id });
    // One statement, one snapshot: the stored counts and which of the unwritten batches they already include.
    const rows: (StoredCounts & { bucket: Date | null; applied: string[] })[] = await this.dataSource.query(
      `SELECT date_trunc($1, bucket_start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, ${SUMS},
              ARRAY(SELECT id FROM usage_flush_batches WHERE id = ANY($6::varchar[])) AS applied
       FROM (SELECT NULL) AS one
       LEFT JOIN api_key_usage
         ON key_id = $2 AND organization_id = $3 AND bucket_start >= $4 AND bucket_start < $5
       GROUP BY 1`,
      [granularity, key.id, orgId, new Date(start).toISOString(), new Date(to).toISOString(), unwritten.batches.map((b) => b.id)],
    );
    const buckets = new Map<number, OutcomeCounts>();
    for (const row of rows) if (row.bucket) buckets.set(new Date(row.bucket).getTime(), countsOf(row));
    for (const pending of notYetStored(unwritten, rows[0]?.applied ?? [])) {
      if (pending.bucketStart < start || pending.bucketStart >= to) continue;
      const at = pending.bucketStart - (pending.bucketStart % unit);
      buckets.set(at, add(buckets.get(at) ?? noOutcomes(), pending));
    }
    return {
      data: [...buckets.entries()]
        .sort(([a], [b]) => a - b)
        .map(([at, counts]) => ({ bucket_start: new Date(at).toISOString(), ...toResponse(counts) })),
    };
  }

  /** All requests made with the organization's keys, ever: one row of a rollup the usage writer keeps. */
  async totals(orgId: string): Promise<UsageCountsResponse> {
    const unwritten = await this.recorder.unwritten({ organizationId: orgId });
    const [row]: (StoredCounts & { applied: string[] })[] = await this.dataSource.query(
      `SELECT ${SUMS}, ARRAY(SELECT id FROM usage_flush_batches WHERE id = ANY($2::varchar[])) AS applied
       FROM (SELECT NULL) AS one LEFT JOIN organization_usage_totals ON organization_id = $1`,
      [orgId, unwritten.batches.map((b) => b.id)],
    );
    let totals = countsOf(row);
    for (const pending of notYetStored(unwritten, row.applied)) totals = add(totals, pending);
    return toResponse(totals);
  }
}

/** This process's unwritten counts and the Redis batches the stored counts do not include yet. */
function notYetStored(unwritten: { local: UsageRow[]; batches: { id: string; rows: UsageRow[] }[] }, applied: string[]): UsageRow[] {
  return [...unwritten.local, ...unwritten.batches.filter((b) => !applied.includes(b.id)).flatMap((b) => b.rows)];
}

const SUMS = USAGE_OUTCOMES.map((o) => `SUM(${o}_count) AS ${o}`).join(', ');

type StoredCounts = Record<UsageOutcome, string | null>;

function countsOf(row: StoredCounts): OutcomeCounts {
  const counts = noOutcomes();
  for (const outcome of USAGE_OUTCOMES) counts[outcome] = Number(row[outcome] ?? 0);
  return counts;
}

function add(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  const sum = noOutcomes();
  for (const outcome of USAGE_OUTCOMES) sum[outcome] = a[outcome] + b[outcome];
  return sum;
}

function toResponse(c: OutcomeCounts): UsageCountsResponse {
  return {
    request_count: USAGE_OUTCOMES.reduce((n, o) => n + c[o], 0),
    served_count: c.served,
    refused_count: c.refused,
    denied_count: c.denied,
    failed_count: c.failed,
    rejected_count: c.rejected,
  };
}
