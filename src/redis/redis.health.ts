import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RedisService } from './redis.service';

/**
 * Reports Redis without failing the health check: while it is unreachable the service still
 * serves (with in-process limits), so it is `degraded`, not down.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: RedisService,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(key = 'redis'): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(key);
    if (!this.redis.client) return session.up({ mode: 'not configured; in-process state' });
    if (this.redis.available) {
      const started = Date.now();
      try {
        await this.redis.client.ping();
        return session.up({ responseTime: Date.now() - started });
      } catch {
        // fall through: reported as degraded below
      }
    }
    return session.up({ degraded: true, message: 'unreachable; serving with in-process limits, reconnecting' });
  }
}
