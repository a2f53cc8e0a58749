import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import { RedisService } from '../../redis/redis.service';

/** How often an instance says it is alive. */
export const HEARTBEAT_MS = 2_000;
/** An instance not heard from in this long is no longer counted (three missed heartbeats). */
export const INSTANCE_STALE_MS = 3 * HEARTBEAT_MS;

// One round trip: mark this instance alive, forget the silent ones, count the rest. Redis's own
// clock scores the entries, so instances with skewed clocks still agree on who is stale.
const HEARTBEAT = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZADD', KEYS[1], ms, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('ZCARD', KEYS[1])`;

interface HeartbeatCommand {
  kaizenHeartbeat(key: string, instanceId: string, staleMs: number): Promise<number>;
}

function heartbeatCommand(client: Redis): Redis & HeartbeatCommand {
  const commands = client as Redis & Partial<HeartbeatCommand>;
  if (!commands.kaizenHeartbeat) client.defineCommand('kaizenHeartbeat', { numberOfKeys: 1, lua: HEARTBEAT });
  return commands as Redis & HeartbeatCommand;
}

/**
 * The instances sharing this Redis, counted by heartbeat (a sorted set of instance ids scored by
 * last-seen time). The count is remembered, so while Redis is unreachable each instance still
 * knows how many share a key's limit. Before the first heartbeat (or without Redis) it is 1.
 */
@Injectable()
export class InstanceRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(InstanceRegistry.name);
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private seen = 1;
  private fewerSince?: number;
  private timer?: NodeJS.Timeout;

  constructor(private readonly redis: RedisService) {}

  /** REDIS_NAMESPACE first: deployments sharing one Redis count only their own instances. */
  private get registryKey(): string {
    return `${this.redis.namespace}:instances`;
  }

  /** Instances alive at the last heartbeat Redis answered (this one included). */
  get instances(): number {
    return this.seen;
  }

  onModuleInit(): void {
    if (!this.redis.client) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    // Leave at once rather than after INSTANCE_STALE_MS, so the others' shares grow sooner.
    if (this.redis.client && this.redis.available) await this.redis.client.zrem(this.registryKey, this.instanceId).catch(() => undefined);
  }

  /** One heartbeat; a failed one keeps the last count (that is the point of remembering it). */
  async beat(): Promise<void> {
    const client = this.redis.client;
    if (!client || !this.redis.available) return;
    try {
      const count = Math.max(1, Number(await heartbeatCommand(client).kaizenHeartbeat(this.registryKey, this.instanceId, INSTANCE_STALE_MS)));
      this.observe(count);
    } catch {
      // Redis failing is reported by RedisService and the rate-limit storage; keep the last count.
    }
  }

  /**
   * More instances count at once; fewer only once they have been fewer for INSTANCE_STALE_MS, as
   * long as Redis itself takes to forget one. A Redis that restarted empty has heard from this
   * instance alone until the others' next heartbeats: an outage then must not find the count at 1.
   */
  private observe(count: number): void {
    const now = Date.now();
    if (count < this.seen) {
      this.fewerSince ??= now;
      if (now - this.fewerSince < INSTANCE_STALE_MS) return;
    }
    this.fewerSince = undefined;
    if (count !== this.seen) this.logger.log(`${count} instance(s) share the rate limits`);
    this.seen = count;
  }
}
