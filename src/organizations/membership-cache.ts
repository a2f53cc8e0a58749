import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { Repository } from 'typeorm';
import { appConfig } from '../config/app.config';
import { DatabaseAvailability } from '../database/database-availability';
import { RedisService } from '../redis/redis.service';
import { Membership } from './membership.entity';
import { Role } from './role';

/** A member whose role changed or who left; every instance drops what it remembers of them. */
export interface MembershipChange {
  organizationId: string;
  userId: string;
}

interface Entry {
  /** null: not a member (remembered too, so a removed member's requests cost no query either). */
  role: Role | null;
  loadedAt: number;
}

/** Members remembered per process; an entry is a few hundred bytes. */
const MAX_ENTRIES = 100_000;

/**
 * The role of a user in an organization, as every request with a user's token or an API key needs
 * it, without a database query per request. Member changes drop the entry here at once and on every
 * other instance through Redis pub/sub. An entry is never served older than KEY_CACHE_FRESH_MS (the
 * bound when an instance misses a change, e.g. while Redis is down); entries in use are re-read in
 * the background before that, so busy members never wait on the re-read.
 */
@Injectable()
export class MembershipCache implements OnModuleInit {
  private readonly logger = new Logger(MembershipCache.name);
  private readonly entries: LRUCache<string, Entry>;
  private readonly loading = new Map<string, Promise<Role | null>>();
  private readonly freshMs: number;
  /** Bumped by every change: a read that started before a change is answered but not remembered. */
  private epoch = 0;

  constructor(
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
    @Inject(appConfig.KEY) config: Pick<ConfigType<typeof appConfig>, 'KEY_CACHE_FRESH_MS'>,
    private readonly redis: RedisService,
    @Optional() private readonly database?: DatabaseAvailability,
  ) {
    this.freshMs = config.KEY_CACHE_FRESH_MS;
    this.entries = new LRUCache({ max: MAX_ENTRIES, ttl: this.freshMs, updateAgeOnGet: false });
  }

  /** REDIS_NAMESPACE first: deployments sharing one Redis do not hear each other's members. */
  private get channel(): string {
    return `${this.redis.namespace}:memberships:events`;
  }

  onModuleInit(): void {
    const subscriber = this.redis.subscriber;
    if (!subscriber) return;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const change = JSON.parse(message) as MembershipChange;
        this.forget(change.organizationId, change.userId);
      } catch (err) {
        this.logger.warn(`Ignored a malformed membership event: ${(err as Error).message}`);
      }
    });
    // Changes published while the connection was down are lost: start afresh after every (re)connect.
    subscriber.on('ready', () => this.clear());
    subscriber.subscribe(this.channel).catch((err: Error) => this.logger.warn(`Membership events not subscribed: ${err.message}`));
  }

  /** The user's current role in the organization, or null when they are not a member of it. */
  async role(organizationId: string, userId: string): Promise<Role | null> {
    const key = `${organizationId}:${userId}`;
    const entry = this.entries.get(key);
    if (!entry) return this.load(key, organizationId, userId);
    if (Date.now() - entry.loadedAt > this.freshMs / 2 && !this.loading.has(key)) {
      this.load(key, organizationId, userId).catch((err: Error) => {
        // An outage is logged once, by DatabaseAvailability, not once per refresh.
        if (!this.database?.absorbs(err)) this.logger.warn(`Membership refresh failed (the entry expires on its own): ${err.message}`);
      });
    }
    return entry.role;
  }

  /** Call after a member's role change or removal has committed: drops the entry here and on every instance. */
  async changed(change: MembershipChange): Promise<void> {
    this.forget(change.organizationId, change.userId);
    if (!this.redis.available) return;
    try {
      await this.redis.client!.publish(this.channel, JSON.stringify(change));
    } catch (err) {
      this.logger.warn(`Membership change not published (other instances catch up within ${this.freshMs} ms): ${(err as Error).message}`);
    }
  }

  private forget(organizationId: string, userId: string): void {
    const key = `${organizationId}:${userId}`;
    this.epoch += 1;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  private clear(): void {
    this.epoch += 1;
    this.entries.clear();
    this.loading.clear();
  }

  /** One read per member at a time: concurrent requests of a member share it. */
  private load(key: string, organizationId: string, userId: string): Promise<Role | null> {
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    const epoch = this.epoch;
    const pending: Promise<Role | null> = this.memberships
      .findOne({ select: { role: true }, where: { userId, organizationId } })
      .then((membership) => {
        const role = membership?.role ?? null;
        if (this.epoch === epoch) this.entries.set(key, { role, loadedAt: Date.now() });
        return role;
      })
      .finally(() => {
        if (this.loading.get(key) === pending) this.loading.delete(key);
      });
    this.loading.set(key, pending);
    return pending;
  }
}
