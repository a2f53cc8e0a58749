import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { RedisService } from '../../redis/redis.service';

const CHANNEL = 'kaizen:key-policies:events';
/**
 * The longest a policy is served without re-reading it. A change reaches every instance through
 * Redis at once; this bounds how stale an instance can be when it misses the message (Redis down,
 * or none configured with several instances). Policies are read only when a key is created, rotated
 * or edited, so re-reading at most once a second per organization costs nothing worth saving.
 */
export const POLICY_FRESH_MS = 1_000;

/**
 * Per-process cache of organizations' key policies, dropped here and on every instance (Redis
 * pub/sub, like MembershipCache) when a policy changes, and never older than POLICY_FRESH_MS.
 */
@Injectable()
export class KeyPolicyCache<T = unknown> implements OnModuleInit {
  private readonly logger = new Logger(KeyPolicyCache.name);
  private readonly entries = new LRUCache<string, { value: T }>({ max: 10_000, ttl: POLICY_FRESH_MS });
  private readonly loading = new Map<string, Promise<T>>();
  /** Bumped by every change: a read that started before a change is answered but not remembered. */
  private epoch = 0;

  constructor(private readonly redis: RedisService) {}

  onModuleInit(): void {
    const subscriber = this.redis.subscriber;
    if (!subscriber) return;
    subscriber.on('message', (channel: string, organizationId: string) => {
      if (channel === CHANNEL) this.forget(organizationId);
    });
    // Changes published while the connection was down are lost: start afresh after every (re)connect.
    subscriber.on('ready', () => this.clear());
    subscriber.subscribe(CHANNEL).catch((err: Error) => this.logger.warn(`Key policy events not subscribed: ${err.message}`));
  }

  /** The organization's cached value, or `load()`'s (one load per organization at a time). */
  get(organizationId: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(organizationId);
    if (entry) return Promise.resolve(entry.value);
    const inFlight = this.loading.get(organizationId);
    if (inFlight) return inFlight;
    const epoch = this.epoch;
    const pending = load()
      .then((value) => {
        if (this.epoch === epoch) this.entries.set(organizationId, { value });
        return value;
      })
      .finally(() => {
        if (this.loading.get(organizationId) === pending) this.loading.delete(organizationId);
      });
    this.loading.set(organizationId, pending);
    return pending;
  }

  /** Call once a change has committed: drops the entry here and on every instance. */
  async changed(organizationId: string): Promise<void> {
    this.forget(organizationId);
    if (!this.redis.available) return;
    try {
      await this.redis.client!.publish(CHANNEL, organizationId);
    } catch (err) {
      this.logger.warn(`Key policy change not published (other instances catch up within ${POLICY_FRESH_MS} ms): ${(err as Error).message}`);
    }
  }

  private forget(organizationId: string): void {
    this.epoch += 1;
    this.entries.delete(organizationId);
    this.loading.delete(organizationId);
  }

  private clear(): void {
    this.epoch += 1;
    this.entries.clear();
    this.loading.clear();
  }
}
