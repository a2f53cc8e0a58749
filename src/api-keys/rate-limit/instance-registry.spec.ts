import { Logger } from '@nestjs/common';
import type { RedisService } from '../../redis/redis.service';
import { INSTANCE_STALE_MS, InstanceRegistry } from './instance-registry';

/** A registry whose heartbeats answer `counts` in turn, or fail when the value is an Error. */
function registryAnswering(counts: Array<number | Error>) {
  const redis = { available: true, client: { kaizenHeartbeat: jest.fn() } };
  for (const count of counts) {
    redis.client.kaizenHeartbeat.mockImplementationOnce(async () => {
      if (count instanceof Error) throw count;
      return count;
    });
  }
  return { redis, registry: new InstanceRegistry(redis as unknown as RedisService) };
}

describe('InstanceRegistry', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());
  afterEach(() => jest.useRealTimers());

  it('is 1 before any heartbeat, then what Redis counted', async () => {
    const { registry } = registryAnswering([3]);
    expect(registry.instances).toBe(1);
    await registry.beat();
    expect(registry.instances).toBe(3);
  });

  it('keeps the last count while Redis fails or is away', async () => {
    const { redis, registry } = registryAnswering([2, new Error('connection closed')]);
    await registry.beat();
    await registry.beat();
    expect(registry.instances).toBe(2);
    redis.available = false;
    await registry.beat();
    expect(registry.instances).toBe(2);
  });

  it('counts fewer instances only after they have been fewer for the stale period', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { registry } = registryAnswering([2, 1, 2, 1, 1]);
    await registry.beat();
    // Redis came back empty: only this instance has beaten yet.
    await registry.beat();
    expect(registry.instances).toBe(2);
    await registry.beat();
    // An instance really gone.
    await registry.beat();
    jest.setSystemTime(1_000_000 + INSTANCE_STALE_MS);
    await registry.beat();
    expect(registry.instances).toBe(1);
  });
});
