import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisService } from '../redis/redis.service';
import { AttemptLimit, AttemptStatus, Reservation } from './attempt';
import { InProcessAttempts } from './in-process-attempts';
import { attemptCommands, AttemptCommands } from './redis-attempts';

/**
 * Counts attempts (failed logins, registrations, failed key checks...) BEFORE the work they buy
 * is done: `reserve` counts one attempt and answers whether it was within budget, in one atomic
 * step, so any number of requests arriving together get exactly the budget, no more. An attempt
 * that turns out not to count (a success, or work that never happened) is given back with
 * `release`. With Redis the counters are shared by every instance (one Lua script per call);
 * without Redis, or while it is unreachable, they live in this process with the same semantics.
 *
 * Several budgets reserved together (`reserveAll`) are all-or-nothing: a refusal by one counts
 * in none. Every grant is also counted in this process, so an instance never grants more than a
 * budget even while Redis answers late or not at all. The counters are meant for single-node
 * Redis (REDIS_URL); a Redis Cluster would need the keys of one call in one hash slot.
 */
@Injectable()
export class AttemptBudget implements OnModuleInit {
  private readonly logger = new Logger(AttemptBudget.name);
  private readonly local = new InProcessAttempts();
  // A reservation is given back at most once, however many code paths try.
  private readonly released = new WeakSet<Reservation>();
  private warnedAt = 0;

  constructor(private readonly redis: RedisService) {}

  /**
   * Defines the scripts before the first request: with auto-pipelining, a script defined while a
   * pipeline of the same tick is open is missing from it, and ioredis then throws outside any promise.
   */
  onModuleInit(): void {
    if (this.redis.client) attemptCommands(this.redis.client);
  }

  /** REDIS_NAMESPACE first, so deployments (or test runs) sharing one Redis keep their counts apart. */
  private readonly keyOf = ({ bucket, id }: Pick<AttemptLimit, 'bucket' | 'id'>) =>
    `${this.redis.namespace}:attempts:${bucket}:${id}`;

  /** Counts one attempt of `id` in `bucket` if fewer than `limit` were counted in its window. */
  reserve(bucket: string, id: string, limit: number, windowMs: number): Promise<Reservation> {
    return this.reserveAll([{ bucket, id, limit, windowMs }]);
  }

  /** Counts one attempt in every budget if none of them is spent; otherwise counts nothing. */
  async reserveAll(limits: readonly AttemptLimit[]): Promise<Reservation> {
    for (const { limit, windowMs } of limits) {
      if (!(limit >= 1 && windowMs >= 1)) throw new RangeError(`attempt budget needs limit >= 1 and windowMs >= 1`);
    }
    // This process's own counters are asked first, and always: a Redis answer that times out is
    // ambiguous (the script may have counted), and falling back to counters that knew nothing of
    // it would grant the budget a second time. So each instance never grants more than the limit,
    // whatever Redis does, and Redis keeps all instances together to the limit when it answers.
    const local = this.local.reserve(limits, this.keyOf);
    if (!local.granted) return { ...local, limits: [], store: 'in-process' };
    const answer = await this.onRedis((redis) =>
      redis.kaizenAttemptReserve(limits.length, ...limits.map(this.keyOf), ...limits.flatMap(({ limit, windowMs }) => [limit, Math.ceil(windowMs)])),
    );
    if (!answer) return { ...local, limits, store: 'in-process' };
    if (Number(answer[0]) !== 1) {
      this.local.release(limits.map(this.keyOf));
      return { granted: false, retryAfterMs: Number(answer[1]), remaining: 0, limits: [], store: 'redis' };
    }
    return { granted: true, retryAfterMs: 0, remaining: Number(answer[2]), limits, store: 'redis' };
  }

  /** Gives a granted reservation's attempts back (it succeeded, or its work never happened). */
  async release(reservation: Reservation): Promise<void> {
    if (!reservation.granted || this.released.has(reservation)) return;
    this.released.add(reservation);
    const keys = reservation.limits.map(this.keyOf);
    this.local.release(keys);
    if (reservation.store === 'in-process') return;
    // Redis unreachable now: the attempt stays counted there until its window ends (the safe side).
    await this.onRedis((redis) => redis.kaizenAttemptRelease(keys.length, ...keys));
  }

  /**
   * Whether `id` has used up `limit` attempts in its window, without counting one: spent when
   * either this process's count or the shared one is (a reservation needs both).
   */
  async peek(bucket: string, id: string, limit: number): Promise<AttemptStatus> {
    const key = this.keyOf({ bucket, id });
    const local = this.local.peek(key, limit);
    if (local.exhausted) return local;
    const answer = await this.onRedis((redis) => redis.kaizenAttemptPeek(key));
    if (!answer) return local;
    const count = Number(answer[0]);
    return { count, exhausted: count >= limit, retryAfterMs: count > 0 ? Math.max(0, Number(answer[1])) : 0 };
  }

  /** Forgets every attempt of `id` in `bucket`, in this process and in Redis. */
  async clear(bucket: string, id: string): Promise<void> {
    const key = this.keyOf({ bucket, id });
    this.local.clear(key);
    await this.onRedis((redis) => redis.del(key));
  }

  /** The command's answer, or undefined when Redis is absent or failed (the caller counts in-process). */
  private async onRedis<T>(command: (redis: Redis & AttemptCommands) => Promise<T>): Promise<T | undefined> {
    const client = this.redis.client;
    if (!client || !this.redis.available) return undefined;
    try {
      return await command(attemptCommands(client));
    } catch (err) {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`Redis attempt counters failed, counting in-process: ${(err as Error).message}`);
      }
      return undefined;
    }
  }
}
