import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHash, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { appConfig } from '../../config/app.config';
import { RedisService } from '../../redis/redis.service';
import { USAGE_OUTCOMES, UsageOutcome } from './usage-outcome';
import { UsageRow } from './usage-writer';

const LOCK_MS = 30_000;

// Moves what has been counted so far into a new batch (atomically: a count lands either in the
// batch or in the next pending hash, never in neither) and returns every batch not yet cleared,
// leftovers of a flusher that died included.
const SEAL = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], ARGV[1])
  redis.call('SADD', KEYS[2], ARGV[1])
end
return redis.call('SMEMBERS', KEYS[2])`;

const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface UsageCommands {
  kaizenUsageSeal(pending: string, batches: string, batchKey: string): Promise<string[]>;
  kaizenUsageUnlock(lock: string, token: string): Promise<number>;
}

function usageCommands(client: Redis): Redis & UsageCommands {
  const commands = client as Redis & Partial<UsageCommands>;
  if (!commands.kaizenUsageSeal) {
    client.defineCommand('kaizenUsageSeal', { numberOfKeys: 2, lua: SEAL });
    client.defineCommand('kaizenUsageUnlock', { numberOfKeys: 1, lua: UNLOCK });
  }
  return commands as Redis & UsageCommands;
}

/**
 * Usage counts kept in Redis as they happen (one HINCRBY per request, sent with the response), so an
 * API process that is killed loses nothing it answered; one flusher at a time, on any instance, moves
 * them to the database in sealed batches.
 */
@Injectable()
export class RedisUsageLog {
  private readonly pendingKey: string;
  private readonly batchesKey: string;
  private readonly lockKey: string;
  private readonly batchPrefix: string;

  constructor(
    private readonly redis: RedisService,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
  ) {
    // Counts belong to one database: instances of another deployment sharing this Redis (or test apps
    // on their own in-memory databases) keep theirs apart, or a flusher would drop keys it cannot find.
    const database = config.DATABASE_URL ?? (config.PGLITE_DATA_DIR === 'memory://' ? randomUUID() : config.PGLITE_DATA_DIR);
    const ns = `kaizen:usage:${createHash('sha256').update(database).digest('hex').slice(0, 12)}`;
    this.pendingKey = `${ns}:pending`;
    this.batchesKey = `${ns}:batches`;
    this.lockKey = `${ns}:flush-lock`;
    this.batchPrefix = `${ns}:batch:`;
  }

  get available(): boolean {
    return this.redis.available;
  }

  /** Counts one request; rejects when Redis did not take it (the caller counts it in memory). */
  count(keyId: string, organizationId: string, bucketStart: number, outcome: UsageOutcome): Promise<unknown> {
    return this.redis.client!.hincrby(this.pendingKey, `${keyId}|${organizationId}|${bucketStart}|${outcome}`, 1);
  }

  /**
   * Counts not yet moved to the database, as sealed batches with their ids: the pending counts are
   * sealed first, so every count read here is in a batch whose id the reader can look up among the
   * applied ones, in the same database snapshot as the stored counts (no count missed, none twice).
   */
  async unwritten(filter: { organizationId?: string; keyId?: string }): Promise<{ id: string; rows: UsageRow[] }[]> {
    const client = this.redis.client;
    if (!client || !this.redis.available) return [];
    const batches = await usageCommands(client).kaizenUsageSeal(this.pendingKey, this.batchesKey, `${this.batchPrefix}${randomUUID()}`);
    const match = filter.keyId ? `${filter.keyId}|*` : `*|${filter.organizationId}|*`;
    return Promise.all(
      batches.map(async (batch) => {
        const fields: Record<string, string> = {};
        let cursor = '0';
        do {
          const [next, pairs] = await client.hscan(batch, cursor, 'MATCH', match, 'COUNT', 1000);
          for (let i = 0; i < pairs.length; i += 2) fields[pairs[i]] = pairs[i + 1];
          cursor = next;
        } while (cursor !== '0');
        return { id: batch.slice(this.batchPrefix.length), rows: rowsOf(fields) };
      }),
    );
  }

  /**
   * Runs `write` on every sealed batch while holding the cluster-wide flush lock, and clears each
   * batch once written. Returns false when another instance holds the lock (it is flushing).
   */
  async drain(write: (rows: UsageRow[], batchId: string) => Promise<unknown>): Promise<boolean> {
    const client = this.redis.client;
    if (!client || !this.redis.available) return false;
    const commands = usageCommands(client);
    const token = randomUUID();
    if ((await client.set(this.lockKey, token, 'PX', LOCK_MS, 'NX')) !== 'OK') return false;
    try {
      const batches = await commands.kaizenUsageSeal(this.pendingKey, this.batchesKey, `${this.batchPrefix}${randomUUID()}`);
      for (const batch of batches) {
        const fields = await client.hgetall(batch);
        // The batch id is recorded in the same transaction as its counts: written once, whatever happens next.
        await write(rowsOf(fields), batch.slice(this.batchPrefix.length));
        await client.multi().del(batch).srem(this.batchesKey, batch).exec();
      }
      return true;
    } finally {
      await commands.kaizenUsageUnlock(this.lockKey, token).catch(() => undefined);
    }
  }
}

/** `keyId|orgId|bucketStart|outcome -> n` fields as one row per key and hour. */
function rowsOf(fields: Record<string, string>): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  const sealedAt = Date.now();
  for (const [field, value] of Object.entries(fields)) {
    const [keyId, organizationId, bucket, outcome] = field.split('|');
    if (!USAGE_OUTCOMES.includes(outcome as UsageOutcome)) continue;
    const id = `${keyId}|${bucket}`;
    let row = rows.get(id);
    if (!row) {
      // Redis keeps counts, not times: the batch's seal time stands for the key's last use (within a flush interval).
      row = { keyId, organizationId, bucketStart: Number(bucket), served: 0, refused: 0, denied: 0, failed: 0, rejected: 0, lastUsedAt: Math.min(sealedAt, Number(bucket) + 3_600_000 - 1) };
      rows.set(id, row);
    }
    row[outcome as UsageOutcome] += Number(value);
  }
  return [...rows.values()];
}
