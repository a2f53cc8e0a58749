import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { RedisService } from '../../redis/redis.service';
import type { InstanceRegistry } from './instance-registry';
import { InMemoryRateLimitStorage } from './rate-limit.storage';
import { ResilientRateLimitStorage } from './redis-rate-limit.storage';

const TTL = 60_000;

/** Sends `n` requests for `key` and returns how many were admitted. */
async function admitted(storage: ResilientRateLimitStorage, key: string, n: number, limit: number): Promise<number> {
  let count = 0;
  for (let i = 0; i < n; i++) if (!(await storage.increment(key, TTL, limit)).isBlocked) count += 1;
  return count;
}

beforeAll(() => {
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
});
afterAll(() => jest.restoreAllMocks());

describe('ResilientRateLimitStorage without Redis', () => {
  it('counts in-process with the whole limit (one instance)', async () => {
    const redis = { client: undefined, available: false } as unknown as RedisService;
    const storage = new ResilientRateLimitStorage(redis, new InMemoryRateLimitStorage(), { instances: 1 } as InstanceRegistry);
    expect(await admitted(storage, 'rl:solo', 15, 10)).toBe(10);
  });
});

// A real Redis (the PostgreSQL + Redis run's); "unreachable" is simulated by `available`, and a
// Redis that came back empty by deleting the key, so the shared server is never stopped or flushed.
(process.env.REDIS_URL ? describe : describe.skip)('ResilientRateLimitStorage around a Redis outage', () => {
  let client: Redis;
  let redis: { client: Redis; available: boolean; namespace: string };
  let storage: ResilientRateLimitStorage;
  let key: string;

  beforeAll(() => {
    client = new Redis(process.env.REDIS_URL!, { lazyConnect: false });
  });
  afterAll(() => client.quit());
  beforeEach(() => {
    redis = { client, available: true, namespace: 'kaizen' };
    storage = new ResilientRateLimitStorage(redis as unknown as RedisService, new InMemoryRateLimitStorage(), {
      instances: 2,
    } as InstanceRegistry);
    key = `rl:test-${randomUUID()}`;
  });
  afterEach(() => client.del(`kaizen:${key}`));

  it('admits this instance share of the limit while Redis is away, and says so in the headers', async () => {
    redis.available = false;
    const first = await storage.increment(key, TTL, 10);
    // 1 of the instance's 5: "remaining" (limit - totalHits) is 4.
    expect(10 - first.totalHits).toBe(4);
    expect(await admitted(storage, key, 9, 10)).toBe(4);
  });

  it('starts the outage from its share of the count Redis had', async () => {
    expect(await admitted(storage, key, 6, 10)).toBe(6);
    redis.available = false;
    // 6 counted in Redis, 3 of them this instance's half: 2 more of its 5.
    expect(await admitted(storage, key, 5, 10)).toBe(2);
  });

  it('puts the outage count back into a Redis that came back empty: no fresh window', async () => {
    expect(await admitted(storage, key, 6, 10)).toBe(6);
    redis.available = false;
    await admitted(storage, key, 5, 10);
    await client.del(`kaizen:${key}`);
    redis.available = true;
    const next = await storage.increment(key, TTL, 10);
    // 6 from before + 5 during + this one.
    expect(next).toMatchObject({ totalHits: 12, isBlocked: true });
    expect(await client.pttl(`kaizen:${key}`)).toBeGreaterThan(TTL - 5_000);
  });

  it('adds only its own outage count to a Redis that kept the window', async () => {
    expect(await admitted(storage, key, 4, 10)).toBe(4);
    redis.available = false;
    await admitted(storage, key, 2, 10);
    redis.available = true;
    // Another instance counted 1 meanwhile.
    await client.incr(`kaizen:${key}`);
    expect(await storage.increment(key, TTL, 10)).toMatchObject({ totalHits: 4 + 1 + 2 + 1, isBlocked: false });
    expect(await storage.peek(key, TTL)).toMatchObject({ hits: 8 });
  });

  it('adds a request counted in-process while the seed was on its way in the next round, once', async () => {
    redis.available = false;
    await admitted(storage, key, 3, 100);
    redis.available = true;
    const seeding = storage.increment(key, TTL, 100);
    // Redis fails again before the seed's answer: this one is counted in-process.
    redis.available = false;
    const during = storage.increment(key, TTL, 100);
    await Promise.all([seeding, during]);
    expect(Number(await client.get(`kaizen:${key}`))).toBe(3);
    redis.available = true;
    expect(await storage.increment(key, TTL, 100)).toMatchObject({ totalHits: 3 + 2 + 1 });
  });

  it('counts a new key outage from zero when Redis never saw it', async () => {
    redis.available = false;
    expect(await admitted(storage, key, 3, 10)).toBe(3);
    redis.available = true;
    expect(await storage.increment(key, TTL, 10)).toMatchObject({ totalHits: 4 });
  });
});
