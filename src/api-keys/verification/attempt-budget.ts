import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import { RedisService } from '../../redis/redis.service';

// Check and count in one step, so concurrent attempts on any number of instances cannot take
// more than the limit between them. Returns {reserved (1/0), used, ms until the window ends}.
const RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return {0, used, redis.call('PTTL', KEYS[1])} end
used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {1, used, redis.call('PTTL', KEYS[1])}`;

// Gives back a reservation; never below zero, never resurrecting an ended window.
const RELEASE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

interface BudgetCommands {
  kaizenBudgetReserve(key: string, limit: number, windowMs: number): Promise<[number, number, number]>;
  kaizenBudgetRelease(key: string): Promise<number>;
}

function budgetCommands(client: Redis): Redis & BudgetCommands {
  const commands = client as Redis & Partial<BudgetCommands>;
  if (!commands.kaizenBudgetReserve) {
    client.defineCommand('kaizenBudgetReserve', { numberOfKeys: 1, lua: RESERVE });
    client.defineCommand('kaizenBudgetRelease', { numberOfKeys: 1, lua: RELEASE });
  }
  return commands as Redis & BudgetCommands;
}

export interface Reservation {
  reserved: boolean;
  /** Attempts counted in the window, this one included when reserved. */
  used: number;
  /** Milliseconds until the window ends (for Retry-After). */
  retryAfterMs: number;
}

interface Window {
  used: number;
  endsAt: number;
}

/**
 * A number of attempts per id per window, reserved before the work they pay for and given back
 * when the work turns out not to be a failure. In Redis (the rate limits' storage) when it is
 * configured and answering, so the budget is the cluster's; in-process otherwise, so an outage
 * makes the budget per instance rather than failing requests.
 */
export class AttemptBudget {
  private readonly logger = new Logger(AttemptBudget.name);
  private readonly local = new LRUCache<string, Window>({ max: 100_000 });
  private warnedAt = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly namespace: string,
    readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Takes one attempt if any is left in the id's window. */
  async reserve(id: string): Promise<Reservation> {
    const remote = await this.run((r) => r.kaizenBudgetReserve(this.key(id), this.limit, this.windowMs));
    if (remote) return { reserved: remote[0] === 1, used: remote[1], retryAfterMs: Math.max(0, remote[2]) };
    const window = this.window(id);
    const reserved = window.used < this.limit;
    if (reserved) window.used += 1;
    return { reserved, used: window.used, retryAfterMs: window.endsAt - Date.now() };
  }

  /** Gives back a reserved attempt (the work found no failure). */
  async release(id: string): Promise<void> {
    if ((await this.run((r) => r.kaizenBudgetRelease(this.key(id)))) !== undefined) return;
    const window = this.local.get(id);
    if (window && window.endsAt > Date.now() && window.used > 0) window.used -= 1;
  }

  /** Attempts counted in the id's current window (in Redis: one GET). */
  async used(id: string): Promise<number> {
    const remote = await this.run((r) => r.get(this.key(id)));
    if (remote !== undefined) return Number(remote ?? 0);
    const window = this.local.get(id);
    return window && window.endsAt > Date.now() ? window.used : 0;
  }

  private window(id: string): Window {
    const now = Date.now();
    let window = this.local.get(id);
    if (!window || window.endsAt <= now) {
      window = { used: 0, endsAt: now + this.windowMs };
      this.local.set(id, window);
    }
    return window;
  }

  private key(id: string): string {
    return `${this.redis.namespace}:${this.namespace}:${id}`;
  }

  /** The command's result, or undefined when Redis is absent or failed (the caller falls back). */
  private async run<T>(command: (redis: Redis & BudgetCommands) => Promise<T>): Promise<T | undefined> {
    const client = this.redis.client;
    if (!client || !this.redis.available) return undefined;
    try {
      return await command(budgetCommands(client));
    } catch (err) {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`Redis ${this.namespace} budget failed, counting in-process: ${(err as Error).message}`);
      }
      return undefined;
    }
  }
}
