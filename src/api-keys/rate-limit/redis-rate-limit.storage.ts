import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type Redis from 'ioredis';
import { RedisService } from '../../redis/redis.service';
import { InMemoryRateLimitStorage, RateLimitStorage, RateWindow, toRecord } from './rate-limit.storage';

// One round trip, atomic: count the request and start the window on its first hit, so any number
// of instances together admit exactly the limit (no read-then-write race as in nestjs/throttler#1303).
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {hits, ttl}`;

const PEEK = `
local hits = redis.call('GET', KEYS[1])
if not hits then return nil end
return {tonumber(hits), redis.call('PTTL', KEYS[1])}`;

type Counter = [hits: number, ttlMs: number];

/** The scripts as ioredis commands: sent by SHA (EVALSHA), the text only when Redis lacks it. */
interface CounterCommands {
  kaizenRateHit(key: string, ttlMs: number): Promise<Counter>;
  kaizenRatePeek(key: string): Promise<Counter | null>;
}

function counterCommands(client: Redis): Redis & CounterCommands {
  const commands = client as Redis & Partial<CounterCommands>;
  if (!commands.kaizenRateHit) {
    client.defineCommand('kaizenRateHit', { numberOfKeys: 1, lua: INCREMENT });
    client.defineCommand('kaizenRatePeek', { numberOfKeys: 1, lua: PEEK });
  }
  return commands as Redis & CounterCommands;
}

/**
 * Rate-limit counters in Redis when it is configured and reachable; the in-process counters
 * otherwise, so an outage degrades limits to per-instance instead of failing requests.
 */
@Injectable()
export class ResilientRateLimitStorage implements RateLimitStorage, OnModuleInit {
  private readonly logger = new Logger(ResilientRateLimitStorage.name);
  private warnedAt = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly local: InMemoryRateLimitStorage,
  ) {}

  /**
   * Defines the scripts before the first request: with auto-pipelining, a script defined while a
   * pipeline of the same tick is open is missing from it, and ioredis then throws outside any promise.
   */
  onModuleInit(): void {
    if (this.redis.client) counterCommands(this.redis.client);
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const counter = await this.run((redis) => redis.kaizenRateHit(`kaizen:${key}`, ttl));
    return counter ? toRecord(windowOf(counter, ttl), limit) : this.local.increment(key, ttl, limit);
  }

  async peek(key: string, ttl: number): Promise<RateWindow | undefined> {
    const counter = await this.run((redis) => redis.kaizenRatePeek(`kaizen:${key}`));
    if (counter === undefined) return this.local.peek(key, ttl);
    return counter ? windowOf(counter, ttl) : undefined;
  }

  /** The command's result, or undefined when Redis is absent or failed (the caller falls back). */
  private async run<T>(command: (redis: CounterCommands) => Promise<T>): Promise<T | undefined> {
    const client = this.redis.client;
    if (!client || !this.redis.available) return undefined;
    try {
      return await command(counterCommands(client));
    } catch (err) {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`Redis rate limiting failed, using in-process counters: ${(err as Error).message}`);
      }
      return undefined;
    }
  }
}

function windowOf([hits, ttlMs]: Counter, ttl: number): RateWindow {
  const endsAt = Date.now() + Math.max(0, Number(ttlMs));
  return { hits: Number(hits), startedAt: endsAt - ttl, endsAt };
}
