import { Injectable } from '@nestjs/common';
import { RedisService } from './redis.service';

export interface RedisHealth {
  status: 'up' | 'down' | 'not configured';
  response_time_ms?: number;
  message?: string;
}

/**
 * Redis as health reports it. Its being down does not fail the health check: the service still
 * serves (with in-process limits), so the whole is `degraded`.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(private readonly redis: RedisService) {}

  async check(): Promise<RedisHealth> {
    if (!this.redis.client) return { status: 'not configured', message: 'REDIS_URL is not set; limits and key events are per instance' };
    if (this.redis.available) {
      const started = Date.now();
      try {
        await this.redis.client.ping();
        return { status: 'up', response_time_ms: Date.now() - started };
      } catch {
        // fall through
      }
    }
    return { status: 'down', message: 'unreachable or not answering; serving with in-process limits until it is back' };
  }
}
