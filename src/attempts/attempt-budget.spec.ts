import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisService } from '../redis/redis.service';
import { AttemptBudget } from './attempt-budget';
import { attemptCommands } from './redis-attempts';

const redisUrl = process.env.REDIS_URL;
const describeRedis = redisUrl ? describe : describe.skip;
const WINDOW = 60_000;

function redisService(url: string | undefined): RedisService {
  return new RedisService({ REDIS_URL: url, REDIS_NAMESPACE: 'kaizen' } as never);
}

async function ready(redis: RedisService): Promise<void> {
  for (let i = 0; i < 100 && !redis.available; i++) await sleep(20);
  expect(redis.available).toBe(true);
}

/** The behaviour every store must show; `budgets` are instances sharing one set of counters. */
function sharedBehaviour(budgets: () => AttemptBudget[]) {
  const bucket = () => `spec-${randomUUID()}`;

  it('grants exactly the limit to 200 reservations arriving together', async () => {
    const all = budgets();
    const b = bucket();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => all[i % all.length].reserve(b, 'alice@example.com', 10, WINDOW)),
    );
    expect(answers.filter((a) => a.granted)).toHaveLength(10);
    expect((await all[0].peek(b, 'alice@example.com', 10)).count).toBe(10);
    const refused = answers.find((a) => !a.granted)!;
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(WINDOW);
    expect(refused.limits).toEqual([]);
  });

  it('counts a refused attempt nowhere and reports the remaining budget of a granted one', async () => {
    const [budget] = budgets();
    const b = bucket();
    expect((await budget.reserve(b, 'x', 2, WINDOW)).remaining).toBe(1);
    expect((await budget.reserve(b, 'x', 2, WINDOW)).remaining).toBe(0);
    expect((await budget.reserve(b, 'x', 2, WINDOW)).granted).toBe(false);
    expect(await budget.peek(b, 'x', 2)).toMatchObject({ count: 2, exhausted: true });
    // Other ids and other buckets have their own budgets.
    expect((await budget.reserve(b, 'y', 2, WINDOW)).granted).toBe(true);
    expect((await budget.reserve(bucket(), 'x', 2, WINDOW)).granted).toBe(true);
  });

  it('gives a released attempt back once, however often it is released', async () => {
    const [first, second] = [budgets()[0], budgets().at(-1)!];
    const b = bucket();
    const held = await first.reserve(b, 'x', 2, WINDOW);
    await first.reserve(b, 'x', 2, WINDOW);
    expect((await second.reserve(b, 'x', 2, WINDOW)).granted).toBe(false);
    await first.release(held);
    await first.release(held);
    expect(await second.peek(b, 'x', 2)).toMatchObject({ count: 1, exhausted: false });
    expect((await second.reserve(b, 'x', 2, WINDOW)).granted).toBe(true);
    expect((await second.reserve(b, 'x', 2, WINDOW)).granted).toBe(false);
  });

  it('reserves several budgets all or nothing', async () => {
    const [budget] = budgets();
    const b = bucket();
    const email = { bucket: `${b}-email`, id: 'alice@example.com', limit: 1, windowMs: WINDOW };
    const address = { bucket: `${b}-address`, id: '203.0.113.9', limit: 5, windowMs: WINDOW };
    const both = await budget.reserveAll([email, address]);
    expect(both).toMatchObject({ granted: true, remaining: 0 });
    // The email's budget is spent: nothing is counted for the address either.
    expect((await budget.reserveAll([email, address])).granted).toBe(false);
    expect((await budget.peek(address.bucket, address.id, 5)).count).toBe(1);
    await budget.release(both);
    expect((await budget.peek(email.bucket, email.id, 1)).count).toBe(0);
    expect((await budget.peek(address.bucket, address.id, 5)).count).toBe(0);
  });

  it('forgets an id on clear, and opens a new window when the old one ends', async () => {
    const [budget] = budgets();
    const b = bucket();
    await budget.reserve(b, 'x', 1, WINDOW);
    await budget.clear(b, 'x');
    expect(await budget.peek(b, 'x', 1)).toEqual({ count: 0, exhausted: false, retryAfterMs: 0 });
    expect((await budget.reserve(b, 'short', 1, 150)).granted).toBe(true);
    expect((await budget.reserve(b, 'short', 1, 150)).granted).toBe(false);
    await sleep(400);
    expect((await budget.reserve(b, 'short', 1, 150)).granted).toBe(true);
  });

  it('refuses a budget that could never grant anything', async () => {
    await expect(budgets()[0].reserve(bucket(), 'x', 0, WINDOW)).rejects.toThrow(RangeError);
  });
}

describe('AttemptBudget without Redis (in-process)', () => {
  const budget = new AttemptBudget(redisService(undefined));
  sharedBehaviour(() => [budget]);

  it('reserves in-process', async () => {
    expect((await budget.reserve('spec', randomUUID(), 1, WINDOW)).store).toBe('in-process');
  });
});

describe('AttemptBudget while Redis is unreachable', () => {
  // Configured but disconnected (ioredis reconnecting): RedisService says it is not available.
  const redis = { available: false, client: { status: 'reconnecting' } } as unknown as RedisService;
  const budget = new AttemptBudget(redis);
  sharedBehaviour(() => [budget]);

  it('falls back to in-process counters', async () => {
    expect((await budget.reserve('spec', randomUUID(), 1, WINDOW)).store).toBe('in-process');
  });
});

describe('AttemptBudget when a Redis command fails', () => {
  // Connected, but the script times out or errors: the attempt is still counted, in-process.
  const failing = () => Promise.reject(new Error('Command timed out'));
  const redis = {
    available: true,
    client: { defineCommand: () => undefined, kaizenAttemptReserve: failing, kaizenAttemptPeek: failing, kaizenAttemptRelease: failing, del: failing },
  } as unknown as RedisService;
  const budget = new AttemptBudget(redis);
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));
  sharedBehaviour(() => [budget]);
});

describeRedis('AttemptBudget with Redis, two instances sharing it', () => {
  const redisA = redisService(redisUrl);
  const redisB = redisService(redisUrl);
  const a = new AttemptBudget(redisA);
  const b = new AttemptBudget(redisB);
  beforeAll(async () => {
    await ready(redisA);
    await ready(redisB);
  });
  afterAll(async () => {
    await redisA.onApplicationShutdown();
    await redisB.onApplicationShutdown();
  });
  sharedBehaviour(() => [a, b]);

  it('grants no more than the limit in one process when Redis answers are lost (timeouts)', async () => {
    // Every other reservation is counted by Redis but its answer never arrives, as when the
    // command times out: the ambiguous ones must not be granted a second budget in-process.
    const redis = redisService(redisUrl);
    await ready(redis);
    const commands = attemptCommands(redis.client!);
    let calls = 0;
    const lossyReserve = async (...args: Parameters<typeof commands.kaizenAttemptReserve>) => {
      const answer = await commands.kaizenAttemptReserve(...args);
      if (calls++ % 2 === 0) throw new Error('Command timed out');
      return answer;
    };
    const lossy = new Proxy(commands, {
      get: (target, name) => (name === 'kaizenAttemptReserve' ? lossyReserve : Reflect.get(target, name)),
    });
    Logger.overrideLogger(false);
    try {
      const budget = new AttemptBudget({ available: true, client: lossy, namespace: 'kaizen' } as unknown as RedisService);
      const bucket = `spec-${randomUUID()}`;
      const answers = await Promise.all(Array.from({ length: 200 }, () => budget.reserve(bucket, 'x', 10, WINDOW)));
      expect(answers.filter((a) => a.granted)).toHaveLength(10);
      // The other instance, which heard every answer, grants nothing more either.
      expect((await a.reserve(bucket, 'x', 10, WINDOW)).granted).toBe(false);
    } finally {
      Logger.overrideLogger(['log', 'error', 'warn']);
      await redis.onApplicationShutdown();
    }
  });

  it('reserves in Redis, with a window that ends', async () => {
    const bucket = `spec-${randomUUID()}`;
    expect((await a.reserve(bucket, 'x', 1, WINDOW)).store).toBe('redis');
    const ttl = await redisA.client!.pttl(`kaizen:attempts:${bucket}:x`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WINDOW);
  });
});
