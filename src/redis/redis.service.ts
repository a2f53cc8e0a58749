import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import Redis from 'ioredis';
import { appConfig } from '../config/app.config';

/**
 * The shared Redis connections when REDIS_URL is set: one for commands, one for pub/sub.
 * Commands fail fast while Redis is unreachable (callers fall back to in-process state), and
 * ioredis reconnects by itself with backoff.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client?: Redis;
  readonly subscriber?: Redis;
  /** REDIS_NAMESPACE: the start of this deployment's keys. */
  readonly namespace: string;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    this.namespace = config.REDIS_NAMESPACE;
    if (!config.REDIS_URL) return;
    const options = {
      // Fail fast instead of queueing while disconnected: requests must not wait on Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2_000),
    };
    // A Redis that stops answering without closing the socket must not stall requests either.
    // Auto-pipelining sends the commands of one event-loop turn (the rate-limit counts of the
    // requests that arrived together) in one write, and reads their answers in one: each command
    // is still atomic on its own.
    this.client = new Redis(config.REDIS_URL, {
      ...options,
      commandTimeout: 500,
      connectionName: 'kaizen-commands',
      enableAutoPipelining: true,
    });
    // The subscriber queues its SUBSCRIBE until connected, so it re-subscribes after outages.
    this.subscriber = new Redis(config.REDIS_URL, {
      ...options,
      enableOfflineQueue: true,
      connectionName: 'kaizen-events',
    });
    for (const [name, conn] of [['commands', this.client], ['events', this.subscriber]] as const) {
      conn.on('ready', () => this.logger.log(`Redis ${name} connection ready`));
      conn.on('error', (err: Error) => this.logger.warn(`Redis ${name} connection: ${err.message}`));
    }
  }

  /** True when Redis is configured and the command connection is usable right now. */
  get available(): boolean {
    return this.client?.status === 'ready';
  }

  async onApplicationShutdown(): Promise<void> {
    // QUIT waits for an answer: on a connection that is down (the subscriber queues commands
    // while reconnecting) it would never come, and shutdown would hang. Cut those at once.
    await Promise.all(
      [this.client, this.subscriber].map((conn) =>
        conn?.status === 'ready' ? conn.quit().catch(() => conn.disconnect()) : conn?.disconnect(),
      ),
    );
  }
}
