import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisService } from '../../redis/redis.service';
import { KeyPolicyCache, POLICY_FRESH_MS } from './key-policy-cache';

const noRedis = { subscriber: undefined, client: undefined, available: false } as unknown as RedisService;

describe('KeyPolicyCache', () => {
  it('reads an organization once for concurrent and later callers, until a change drops it', async () => {
    const cache = new KeyPolicyCache<string>(noRedis);
    let value = 'v1';
    const load = jest.fn(async () => value);
    expect(await Promise.all(Array.from({ length: 5 }, () => cache.get('org', load)))).toEqual(Array(5).fill('v1'));
    expect(await cache.get('org', load)).toBe('v1');
    expect(load).toHaveBeenCalledTimes(1);
    value = 'v2';
    await cache.changed('org');
    expect(await cache.get('org', load)).toBe('v2');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not remember a read that started before a change', async () => {
    const cache = new KeyPolicyCache<string>(noRedis);
    let release!: () => void;
    const slow = cache.get('org', () => new Promise<string>((resolve) => (release = () => resolve('old'))));
    await cache.changed('org');
    release();
    expect(await slow).toBe('old');
    expect(await cache.get('org', async () => 'new')).toBe('new');
  });

  it(`serves nothing older than ${POLICY_FRESH_MS} ms, even when a change was missed`, async () => {
    const cache = new KeyPolicyCache<string>(noRedis);
    await cache.get('org', async () => 'before');
    await sleep(POLICY_FRESH_MS + 50);
    expect(await cache.get('org', async () => 'after')).toBe('after');
  });
});
