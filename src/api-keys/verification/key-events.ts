import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { RedisService } from '../../redis/redis.service';

/** A change to a key that every instance's cache must see. */
export interface KeyEvent {
  type: 'revoked' | 'changed' | 'created';
  keyId: string;
  keyPrefix: string;
}

/**
 * Publishes key changes to this process at once and, through Redis pub/sub, to every other
 * instance. If Redis is down, other instances still notice within their cache refresh interval.
 */
@Injectable()
export class KeyEvents implements OnModuleInit {
  private readonly logger = new Logger(KeyEvents.name);
  private readonly listeners = new Set<(event: KeyEvent) => void>();

  constructor(private readonly redis: RedisService) {}

  /** REDIS_NAMESPACE first: deployments sharing one Redis do not hear each other's keys. */
  private get channel(): string {
    return `${this.redis.namespace}:api-keys:events`;
  }

  async onModuleInit(): Promise<void> {
    const subscriber = this.redis.subscriber;
    if (!subscriber) return;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        this.emitLocally(JSON.parse(message) as KeyEvent);
      } catch (err) {
        this.logger.warn(`Ignored a malformed key event: ${(err as Error).message}`);
      }
    });
    // Not awaited: start-up must not wait on Redis; the offline queue subscribes once connected.
    subscriber.subscribe(this.channel).catch((err: Error) => this.logger.warn(`Key events not subscribed: ${err.message}`));
  }

  on(listener: (event: KeyEvent) => void): void {
    this.listeners.add(listener);
  }

  async publish(event: KeyEvent): Promise<void> {
    this.emitLocally(event);
    if (!this.redis.available) return;
    try {
      await this.redis.client!.publish(this.channel, JSON.stringify(event));
    } catch (err) {
      this.logger.warn(`Key event not published (other instances catch up on refresh): ${(err as Error).message}`);
    }
  }

  private emitLocally(event: KeyEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
