import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { RedisService } from '../../redis/redis.service';
import { InstanceRegistry } from './instance-registry';
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

// Puts what an instance counted while Redis was away into Redis when it is back: its own hits,
// plus the cluster's count from before the outage when Redis lost it (came back empty). The window
// lasts at least as long as the one counted locally, so the outage's requests are not forgotten.
const SEED = `
local add = ARGV[1]
if redis.call('EXISTS', KEYS[1]) == 0 then add = ARGV[2] end
local hits = redis.call('INCRBY', KEYS[1], add)
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  ttl = tonumber(ARGV[3])
end
return {hits, ttl}`;

type Counter = [hits: number, ttlMs: number];

/** The scripts as ioredis commands: sent by SHA (EVALSHA), the text only when Redis lacks it. */
interface CounterCommands {
  kaizenRateHit(key: string, ttlMs: number): Promise<Counter>;
  kaizenRatePeek(key: string): Promise<Counter | null>;
  kaizenRateSeed(key: string, ownHits: number, hitsIfLost: number, ttlMs: number): Promise<Counter>;
}

function counterCommands(client: Redis): Redis & CounterCommands {
  const commands = client as Redis & Partial<CounterCommands>;
  if (!commands.kaizenRateHit) {
    client.defineCommand('kaizenRateHit', { numberOfKeys: 1, lua: INCREMENT });
    client.defineCommand('kaizenRatePeek', { numberOfKeys: 1, lua: PEEK });
    client.defineCommand('kaizenRateSeed', { numberOfKeys: 1, lua: SEED });
  }
  return commands as Redis & CounterCommands;
}

/** A window counted in-process while Redis is unreachable. */
interface OutageWindow extends RateWindow {
  /**
   * Hits not to add to Redis again: this instance's part of the Redis window open when the outage
   * began, or what it has already added.
   */
  inherited: number;
  /** Redis's count for the whole cluster that those stand for, put back if Redis comes back without it. */
  carried: number;
}

/** Windows moved into Redis per round of seeding: commands of one event-loop turn go in one write. */
const SEED_BATCH = 500;

/**
 * Rate-limit counters in Redis when it is configured and reachable; in-process otherwise, without
 * giving anything away:
 * - while Redis is unreachable, each instance admits its share of a key's limit (the limit divided
 *   by the instances it last saw alive), starting from its share of the count Redis had, so the
 *   cluster still admits about one limit per window;
 * - when Redis is back, what was counted in-process is added to Redis before this instance counts
 *   there again, so a Redis that restarted empty does not hand every key a fresh window.
 */
@Injectable()
export class ResilientRateLimitStorage implements RateLimitStorage, OnModuleInit {
  private readonly logger = new Logger(ResilientRateLimitStorage.name);
  private warnedAt = 0;
  /** The last window Redis reported per key, for an outage to start from. */
  private readonly lastSeen = new LRUCache<string, RateWindow>({ max: 200_000 });
  /** Some requests were counted in-process since Redis was last seeded. */
  private countedLocally = false;
  private seeding?: Promise<void>;
  private warnedShareAt = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly local: InMemoryRateLimitStorage,
    private readonly registry: InstanceRegistry,
  ) {}

  /** REDIS_NAMESPACE first, like every other key this service keeps in Redis. */
  private redisKey(key: string): string {
    return `${this.redis.namespace}:${key}`;
  }

  /**
   * Defines the scripts before the first request: with auto-pipelining, a script defined while a
   * pipeline of the same tick is open is missing from it, and ioredis then throws outside any promise.
   */
  onModuleInit(): void {
    if (this.redis.client) counterCommands(this.redis.client);
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    if (!this.redis.client) return this.local.increment(key, ttl, limit);
    // Requests wait for the seeding rather than count in a Redis window that lacks the outage's hits.
    if ((this.countedLocally || this.seeding) && this.redis.available) await this.seedRedis();
    if (!this.countedLocally) {
      const counter = await this.run((redis) => redis.kaizenRateHit(this.redisKey(key), ttl));
      if (counter) {
        const window = windowOf(counter, ttl);
        this.lastSeen.set(key, window);
        return toRecord(window, limit);
      }
    }
    return this.incrementShare(key, ttl, limit);
  }

  async peek(key: string, ttl: number): Promise<RateWindow | undefined> {
    const counter = this.countedLocally ? undefined : await this.run((redis) => redis.kaizenRatePeek(this.redisKey(key)));
    if (counter === undefined) return this.local.peek(key, ttl);
    return counter ? windowOf(counter, ttl) : undefined;
  }

  /** Counts in-process against this instance's share of the limit. */
  private incrementShare(key: string, ttl: number, limit: number): ThrottlerStorageRecord {
    const instances = this.registry.instances;
    const share = Math.max(1, Math.floor(limit / instances));
    if (!this.countedLocally && Date.now() - this.warnedShareAt > 60_000) {
      this.warnedShareAt = Date.now();
      this.logger.warn(`Rate limits counted in-process while Redis is unavailable: each key gets 1/${instances} of its limit here`);
    }
    this.countedLocally = true;
    const window = this.local.hit<OutageWindow>(key, ttl, (now) => {
      const before = this.lastSeen.get(key);
      if (!before || before.endsAt <= now) return { hits: 0, startedAt: now, endsAt: now + ttl, inherited: 0, carried: 0 };
      const inherited = Math.ceil(before.hits / instances);
      return { hits: inherited, startedAt: before.startedAt, endsAt: before.endsAt, inherited, carried: before.hits };
    });
    // The headers count down this instance's share: "remaining" is what it will still admit.
    const record = toRecord(window, share);
    return { ...record, totalHits: window.hits + (limit - share) };
  }

  /** Adds the in-process windows to Redis, once however many requests are waiting for it. */
  private seedRedis(): Promise<void> {
    this.seeding ??= this.seedOpenWindows().finally(() => (this.seeding = undefined));
    return this.seeding;
  }

  private async seedOpenWindows(): Promise<void> {
    this.countedLocally = false;
    const windows = this.local.openWindows() as [string, OutageWindow][];
    let failed = 0;
    for (let i = 0; i < windows.length; i += SEED_BATCH) {
      const batch = windows.slice(i, i + SEED_BATCH);
      await Promise.all(
        batch.map(async ([key, window]) => {
          const ttlMs = window.endsAt - Date.now();
          if (ttlMs <= 0) return this.local.forget(key, window);
          const sent = window.hits;
          const own = sent - window.inherited;
          const counter = await this.run((redis) => redis.kaizenRateSeed(this.redisKey(key), own, own + window.carried, ttlMs));
          if (!counter) return void (failed += 1);
          this.lastSeen.set(key, windowOf(counter, window.endsAt - window.startedAt));
          if (window.hits === sent) return this.local.forget(key, window);
          // Counted here while the seed was on its way (Redis failed again meanwhile): the window
          // stays, and the next round adds only what Redis does not have yet.
          window.inherited = sent;
          window.carried = Number(counter[0]);
          this.countedLocally = true;
        }),
      );
    }
    if (failed) this.countedLocally = true;
    else if (windows.length) this.logger.log(`Redis is back: ${windows.length} rate-limit window(s) counted in-process were added to it`);
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
