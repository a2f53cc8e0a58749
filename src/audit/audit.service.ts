import { BadRequestException, BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { EntityManager, QueryDeepPartialEntity, Repository } from 'typeorm';
import { redactKeys } from '../common/key-redaction';
import { Page, paginate } from '../common/pagination';
import { ActorType, AuditAction, AuditLog, TargetType } from './audit-log.entity';
import { AuditLogResponse } from './dto/audit-log.response';
import { ListAuditLogsQuery } from './dto/list-audit-logs.query';

export type { AuditAction } from './audit-log.entity';

/** Who acted, and from where. */
export interface AuditActor {
  type: ActorType;
  id: string | null;
  clientIp: string | null;
  userAgent: string | null;
}

export interface AuditEntry {
  organizationId: string;
  action: AuditAction;
  actor: AuditActor;
  targetType: TargetType;
  targetId: string | null;
  metadata?: Record<string, unknown>;
}

/**
 * Called with every entry inside the transaction that writes it (webhooks write their outbox rows
 * here), so what a listener writes commits or rolls back with the change. A listener that throws
 * rolls the change back: keep listeners to a few indexed statements.
 */
export type AuditListener = (entry: AuditEntry, tx: EntityManager) => Promise<void>;

export type RefusedUseAction = Extract<AuditAction, 'api_key.refused_revoked' | 'api_key.refused_expired' | 'api_key.refused_address'>;

export const REDACTED = '[REDACTED]';
const MAX_USER_AGENT = 512;
const MAX_CLIENT_IP = 64;
const MAX_METADATA_DEPTH = 8;
/** At most one refused-use entry per key and action in this window, per process. */
const REFUSED_USE_WINDOW_MS = 60_000;

// A metadata key is secret when any of its words is one of these, or its last word is "key"
// (`key`, `plainKey`, `api_key`), so `key_prefix` and `key_id` stay readable.
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'token',
  'tokens',
  'secret',
  'secrets',
  'hash',
  'authorization',
  'credential',
  'credentials',
]);
// A bare key prefix (`sk_live_a1b2c3d4`) is shown in every key listing and names the key an entry is about.
const KEY_PREFIX = /^sk_live_[a-z0-9]{8}$/;

function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words[words.length - 1];
  return words.some((word) => SECRET_WORDS.has(word)) || last === 'key' || last === 'keys';
}

/**
 * A copy of `value` safe to store: secret-named properties are dropped and any string containing
 * `sk_live_` (other than a bare key prefix) becomes '[REDACTED]'. Callers should not pass secrets;
 * this is the second line of defence.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('sk_live_') && !KEY_PREFIX.test(value) ? REDACTED : value;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_METADATA_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([name]) => !isSecretName(name))
      .map(([name, item]) => [name, redactSecrets(item, depth + 1)]),
  );
}

/** At most `max` characters (code points, as PostgreSQL counts them). */
function truncate(value: string | null, max: number): string | null {
  if (value === null) return null;
  const chars = Array.from(value);
  return chars.length > max ? chars.slice(0, max).join('') : value;
}

/** The row an entry becomes; nothing secret and nothing longer than its column. */
export function toAuditRow(entry: AuditEntry): Omit<AuditLog, 'id' | 'createdAt' | 'organization'> {
  const userAgent = entry.actor.userAgent ? redactKeys(entry.actor.userAgent) : null;
  return {
    organizationId: entry.organizationId,
    action: entry.action,
    actorType: entry.actor.type,
    actorId: entry.actor.id,
    targetType: entry.targetType,
    targetId: entry.targetId,
    clientIp: truncate(entry.actor.clientIp || null, MAX_CLIENT_IP),
    userAgent: truncate(userAgent || null, MAX_USER_AGENT),
    metadata: redactSecrets(entry.metadata ?? {}) as Record<string, unknown>,
  };
}

/** The one place an audit row becomes a response. */
function toAuditLogResponse(log: AuditLog): AuditLogResponse {
  return {
    id: log.id,
    action: log.action,
    actor_type: log.actorType,
    actor_id: log.actorId,
    target_type: log.targetType,
    target_id: log.targetId,
    client_ip: log.clientIp,
    user_agent: log.userAgent,
    metadata: log.metadata,
    created_at: log.createdAt.toISOString(),
  };
}

/** Records who did what to keys and members, and reads it back per organization. */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private readonly recentRefusals = new LRUCache<string, true>({ max: 10_000, ttl: REFUSED_USE_WINDOW_MS });
  private readonly inFlight = new Set<Promise<void>>();
  private readonly listeners: Array<{ listener: AuditListener; wants: (action: AuditAction) => boolean }> = [];

  constructor(@InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>) {}

  /**
   * Registers a listener for the entries recorded from now on whose action it `wants` (the seam
   * webhooks subscribe through, so this module never imports them).
   */
  onRecorded(listener: AuditListener, wants: (action: AuditAction) => boolean = () => true): void {
    this.listeners.push({ listener, wants });
  }

  /**
   * Stores one entry; with `manager`, inside that transaction, so it commits or rolls back with the
   * change. Without one, the entry and what its listeners write share a transaction of their own.
   */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const interested = this.listeners.filter(({ wants }) => wants(entry.action));
    // An entry no listener wants (a refused use, say) costs one insert, no transaction.
    if (!manager && interested.length === 0) return this.insert(entry, this.logs);
    if (!manager) return this.logs.manager.transaction((tx) => this.record(entry, tx));
    await this.insert(entry, manager.getRepository(AuditLog));
    for (const { listener } of interested) await listener(entry, manager);
  }

  private async insert(entry: AuditEntry, repo: Repository<AuditLog>): Promise<void> {
    // The cast only widens metadata's type: TypeORM's deep-partial type has no room for `unknown` values.
    await repo.insert(toAuditRow(entry) as QueryDeepPartialEntity<AuditLog>);
  }

  /**
   * Records a refused use of a revoked or expired key (or of a key from an address outside its
   * allow-list), at most once per key and action per minute
   * in this process. Fire-and-forget: never throws and never waits for the database.
   */
  recordRefusedUse(entry: AuditEntry & { action: RefusedUseAction }): void {
    try {
      const throttleKey = `${entry.targetId ?? entry.actor.id}:${entry.action}`;
      if (this.recentRefusals.has(throttleKey)) return;
      this.recentRefusals.set(throttleKey, true);
      const write: Promise<void> = this.record(entry)
        .catch((err: unknown) => {
          // Let the next refusal try again rather than lose the minute.
          this.recentRefusals.delete(throttleKey);
          this.logger.warn(`Could not record ${entry.action} for key ${entry.targetId}: ${(err as Error)?.message ?? err}`);
        })
        .finally(() => this.inFlight.delete(write));
      this.inFlight.add(write);
    } catch (err) {
      this.logger.warn(`Could not record ${entry?.action}: ${(err as Error)?.message ?? err}`);
    }
  }

  /** Resolves once every refused-use entry started so far is stored (or has failed). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  /** Lets pending refused-use writes finish before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  /** The organization's entries, newest first, filtered by action, actor, target and time. */
  list(orgId: string, query: ListAuditLogsQuery = {}): Promise<Page<AuditLogResponse>> {
    if (query.from && query.to && Date.parse(query.from) >= Date.parse(query.to)) {
      throw new BadRequestException('from must be before to');
    }
    const qb = this.logs.createQueryBuilder('log').where('log.organizationId = :orgId', { orgId });
    if (query.action) qb.andWhere('log.action = :action', { action: query.action });
    if (query.actor_type) qb.andWhere('log.actorType = :actorType', { actorType: query.actor_type });
    if (query.actor_id) qb.andWhere('log.actorId = :actorId', { actorId: query.actor_id });
    if (query.target_id) qb.andWhere('log.targetId = :targetId', { targetId: query.target_id });
    // Compared as timestamptz in PostgreSQL, so sub-millisecond bounds are not rounded by a JS Date.
    if (query.from) qb.andWhere('log.createdAt >= CAST(:from AS timestamptz)', { from: query.from });
    if (query.to) qb.andWhere('log.createdAt < CAST(:to AS timestamptz)', { to: query.to });
    return paginate(qb, query, toAuditLogResponse);
  }
}
