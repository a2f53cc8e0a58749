import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { Repository } from 'typeorm';
import { AuditActor, AuditService } from '../../audit/audit.service';
import { ApiKeyPrincipal } from '../../auth/principal';
import { RedisService } from '../../redis/redis.service';
import { ApiKey } from '../api-key.entity';

const HOUR_SECONDS = 3600;

/**
 * Records `api_key.rate_limited` (an audit entry, hence a webhook event) when the throttler refuses
 * a key: at most once per key per hour, cluster-wide through Redis (SET NX EX) when it is there,
 * per process otherwise. Off the request's path: the 429 never waits for it nor fails with it.
 */
@Injectable()
export class RateLimitedNotices implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RateLimitedNotices.name);
  /** Keys this process has already claimed the hour for: a hammered key costs nothing after the first 429. */
  private readonly claimed = new LRUCache<string, true>({ max: 100_000, ttl: HOUR_SECONDS * 1000 });
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly audit: AuditService,
    private readonly redis: RedisService,
  ) {}

  /** Fire-and-forget: never throws, never waits. */
  notice(principal: ApiKeyPrincipal, actor: AuditActor): void {
    if (this.claimed.has(principal.keyId)) return;
    this.claimed.set(principal.keyId, true);
    const work: Promise<void> = this.record(principal, actor)
      .catch((err: unknown) => {
        this.claimed.delete(principal.keyId);
        this.logger.warn(`Could not record api_key.rate_limited for key ${principal.keyId}: ${(err as Error)?.message ?? err}`);
      })
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** Lets entries being written finish before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async record(principal: ApiKeyPrincipal, actor: AuditActor): Promise<void> {
    if (!(await this.claimHour(principal.keyId))) return;
    const key = await this.keys.findOne({
      where: { id: principal.keyId },
      select: { id: true, name: true, keyPrefix: true, organizationId: true },
    });
    if (!key) return;
    await this.audit.record({
      organizationId: key.organizationId,
      action: 'api_key.rate_limited',
      actor: { ...actor, type: 'api_key', id: key.id },
      targetType: 'api_key',
      targetId: key.id,
      metadata: { name: key.name, key_prefix: key.keyPrefix, rate_limit: principal.rateLimit },
    });
  }

  /** True when this instance is the one to record this key's hour (Redis unavailable: this process decides alone). */
  private async claimHour(keyId: string): Promise<boolean> {
    if (!this.redis.client || !this.redis.available) return true;
    try {
      const won = await this.redis.client.set(`${this.redis.namespace}:rate-limited-notice:${keyId}`, '1', 'EX', HOUR_SECONDS, 'NX');
      return won === 'OK';
    } catch {
      return true;
    }
  }
}
