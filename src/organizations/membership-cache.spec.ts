import { setTimeout as sleep } from 'node:timers/promises';
import type { Repository } from 'typeorm';
import type { RedisService } from '../redis/redis.service';
import { MembershipCache } from './membership-cache';
import type { Membership } from './membership.entity';
import type { Role } from './role';

const ORG = 'org-1';
const USER = 'user-1';

/** A memberships table of one row whose role the test changes behind the cache's back. */
function fakeMemberships(initial: Role | null) {
  const table = { role: initial };
  let release: (() => void) | undefined;
  const repo = {
    reads: 0,
    /** When set, reads wait until the test calls release(). */
    hold: false,
    findOne: jest.fn(async () => {
      repo.reads += 1;
      const seen = table.role; // what the read sees when it runs, before any later change
      if (repo.hold) await new Promise<void>((resolve) => (release = resolve));
      return seen ? ({ role: seen } as Membership) : null;
    }),
  };
  return { table, repo, release: () => release?.() };
}

function cacheOver(repo: unknown, freshMs: number): MembershipCache {
  const noRedis = { subscriber: undefined, client: undefined, available: false } as unknown as RedisService;
  return new MembershipCache(repo as Repository<Membership>, { KEY_CACHE_FRESH_MS: freshMs }, noRedis);
}

describe('MembershipCache', () => {
  it('reads a member once for many requests, including concurrent first ones', async () => {
    const { repo } = fakeMemberships('developer');
    const cache = cacheOver(repo, 60_000);
    const roles = await Promise.all(Array.from({ length: 10 }, () => cache.role(ORG, USER)));
    for (let i = 0; i < 10; i++) roles.push(await cache.role(ORG, USER));
    expect(new Set(roles)).toEqual(new Set(['developer']));
    expect(repo.reads).toBe(1);
  });

  it('remembers that someone is not a member, too', async () => {
    const { repo } = fakeMemberships(null);
    const cache = cacheOver(repo, 60_000);
    expect(await cache.role(ORG, USER)).toBeNull();
    expect(await cache.role(ORG, USER)).toBeNull();
    expect(repo.reads).toBe(1);
  });

  it('answers with the new role right after changed()', async () => {
    const { table, repo } = fakeMemberships('developer');
    const cache = cacheOver(repo, 60_000);
    expect(await cache.role(ORG, USER)).toBe('developer');
    table.role = 'viewer';
    await cache.changed({ organizationId: ORG, userId: USER });
    expect(await cache.role(ORG, USER)).toBe('viewer');
    table.role = null;
    await cache.changed({ organizationId: ORG, userId: USER });
    expect(await cache.role(ORG, USER)).toBeNull();
  });

  it('does not keep a read that started before a change', async () => {
    const { table, repo, release } = fakeMemberships('developer');
    const cache = cacheOver(repo, 60_000);
    repo.hold = true;
    const early = cache.role(ORG, USER); // reads "developer", then waits
    await new Promise((resolve) => setImmediate(resolve));
    table.role = 'viewer';
    await cache.changed({ organizationId: ORG, userId: USER });
    repo.hold = false;
    const late = await cache.role(ORG, USER); // does not join the early read
    release();
    expect(await early).toBe('developer');
    expect(late).toBe('viewer');
    expect(await cache.role(ORG, USER)).toBe('viewer');
  });

  it('never serves an entry older than the freshness bound, when a change was missed', async () => {
    const { table, repo } = fakeMemberships('developer');
    const cache = cacheOver(repo, 200);
    expect(await cache.role(ORG, USER)).toBe('developer');
    table.role = 'viewer'; // changed on another instance; no event reaches this one
    await sleep(450);
    expect(await cache.role(ORG, USER)).toBe('viewer');
  });

  it('re-reads an entry in use in the background, so a busy member never waits on it', async () => {
    const { table, repo } = fakeMemberships('developer');
    const cache = cacheOver(repo, 3000);
    expect(await cache.role(ORG, USER)).toBe('developer');
    table.role = 'admin';
    await sleep(1600); // past half the bound, well before the bound: the next answer comes from memory and starts a re-read
    expect(await cache.role(ORG, USER)).toBe('developer');
    expect(repo.reads).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.role(ORG, USER)).toBe('admin');
    expect(repo.reads).toBe(2);
  });
});
