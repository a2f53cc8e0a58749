import { BadRequestException, ConflictException, ForbiddenException, Injectable, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isDeepStrictEqual } from 'node:util';
import { EntityManager, QueryDeepPartialEntity, Repository } from 'typeorm';
import { AuditActor, AuditAction, AuditEntry, AuditService } from '../audit/audit.service';
import { ApiKeyPrincipal, UserPrincipal } from '../auth/principal';
import { isUniqueViolation } from '../common/database-errors';
import { Page, paginate } from '../common/pagination';
import { Membership } from '../organizations/membership.entity';
import { scopesOfRole } from '../organizations/role';
import { BcryptScheduler } from '../bcrypt/bcrypt-scheduler';
import { ApiKey } from './api-key.entity';
import { RotatedKey } from './issued-key';
import { statusOf, toApiKeyResponse } from './api-key.mapper';
import { ApiKeyResponse, KeyUsageResponse } from './dto/api-key.response';
import { ListApiKeysQuery } from './dto/list-api-keys.query';
import { GeneratedKey, generateKey } from './verification/key-format';
import { KeyEvent, KeyEvents } from './verification/key-events';
import { KeyAddressRefusedError, KeyVerifier, stateOf } from './verification/key-verifier';
import { allowsAddress, canonicalAllowlist } from './verification/ip-allowlist';
import { UPDATABLE_FIELDS } from './dto/update-api-key.dto';
import { RATE_LIMIT_WINDOW_MS, rateLimitKey, RateLimitStorage } from './rate-limit/rate-limit.storage';
import { grants, Scope, SCOPE_DESCRIPTIONS } from '../auth/scopes';
import { KeyPolicyService } from './policy/key-policy.service';

export interface CreateKeyInput {
  name: string;
  scopes: Scope[];
  rateLimit?: number;
  expiresAt?: Date | null;
  /** Addresses and CIDRs (validated: see isAllowlistEntry); stored canonical. Empty: any address. */
  ipAllowlist?: string[];
  metadata?: Record<string, unknown>;
}

/** What a PATCH changes: each field left undefined stays as it is. */
export interface UpdateKeyInput {
  name?: string;
  scopes?: Scope[];
  rateLimit?: number;
  expiresAt?: Date | null;
  ipAllowlist?: string[];
  metadata?: Record<string, unknown>;
  enabled?: boolean;
}

/** One changed field of a PATCH, as the audit entry records it (wire names and values). */
type FieldChange = { before: unknown; after: unknown };

export interface RotateKeyInput {
  gracePeriodSeconds: number;
  expiresAt?: Date | null;
}


export type { RotatedKey } from './issued-key';

/** Why a key was revoked, as its audit entry records it. */
export type RevocationReason = 'user' | 'member_removed' | 'unused' | 'leaked';

/** A committed change to a key that every instance must hear about (see announce()). */
export type KeyChange = KeyEvent;

interface KeyRow {
  id: string;
  name: string;
  key_prefix: string;
}

export const DEFAULT_RATE_LIMIT = 100;

/** Issues, verifies and revokes API keys; every read is scoped by organization. */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly bcrypt: BcryptScheduler,
    private readonly rateLimits: RateLimitStorage,
    private readonly verifier: KeyVerifier,
    private readonly events: KeyEvents,
    private readonly audit: AuditService,
    private readonly policies: KeyPolicyService,
  ) {}

  /** The scopes a key can hold, with what each allows. */
  scopes(): { scope: Scope; description: string }[] {
    return Object.entries(SCOPE_DESCRIPTIONS).map(([scope, description]) => ({ scope: scope as Scope, description }));
  }

  /** Creates a key; the plain key is returned here and nowhere else, ever. */
  async create(
    orgId: string,
    input: CreateKeyInput,
    userId: string,
    actor: AuditActor = userActor(userId),
  ): Promise<{ record: ApiKey; plainKey: string }> {
    // Before any bcrypt work: a key the organization's policy refuses costs nothing.
    await this.policies.assertAllows(orgId, { scopes: input.scopes, expiresAt: input.expiresAt ?? null });
    const created = await this.withNewKey((key) =>
      this.keys.manager.transaction(async (tx) => {
        await this.lockHolder(tx, orgId, userId);
        const result = await this.insertKey(tx, key, {
          organizationId: orgId,
          name: input.name,
          scopes: input.scopes,
          rateLimit: input.rateLimit ?? DEFAULT_RATE_LIMIT,
          expiresAt: input.expiresAt ?? null,
          createdBy: userId,
          ipAllowlist: canonicalAllowlist(input.ipAllowlist ?? []),
          metadata: input.metadata ?? {},
        });
        await this.audit.record(keyAudit('api_key.created', result.record, actor), tx);
        return result;
      }),
    );
    // Clears any cached miss for this prefix here and on every instance: the key works at once.
    await this.events.publish({ type: 'created', keyId: created.record.id, keyPrefix: created.record.keyPrefix });
    await this.issued(created);
    return created;
  }

  /**
   * Replaces a key in one step: a new key with the same name, scopes and rate limit, while the old
   * one keeps working until now + grace period (or its own earlier expiry), and no longer.
   */
  async rotate(keyId: string, by: UserPrincipal, input: RotateKeyInput, actor: AuditActor = userActor(by.userId)): Promise<RotatedKey> {
    const current = await this.get(by.organizationId, keyId);
    this.assertMayChange(current, by);
    // Answered before bcrypt is spent on a successor; the locked read below is what decides.
    if (current.replacedById) await this.refuseRotated(this.keys.manager, current.replacedById);
    // The successor inherits the scopes and gets the expiry asked for: both must pass the policy, before bcrypt.
    await this.policies.assertAllows(by.organizationId, { scopes: current.scopes, expiresAt: input.expiresAt ?? null });
    const rotated = await this.withNewKey((key) =>
      this.keys.manager.transaction(async (tx) => {
        await this.lockHolder(tx, by.organizationId, by.userId);
        // Locked, so two rotations or a rotation and a revocation cannot interleave.
        const old = await tx.findOne(ApiKey, {
          where: { id: keyId, organizationId: by.organizationId },
          lock: { mode: 'pessimistic_write' },
        });
        if (!old) throw new NotFoundException('API key not found');
        // A key has at most one successor: of concurrent rotations, the first to take the lock wins.
        if (old.replacedById) await this.refuseRotated(tx, old.replacedById);
        const status = statusOf(old);
        if (status !== 'active') throw new ConflictException(`API key is ${status} and cannot be rotated`);
        // Again on the locked row, whose scopes an edit may have changed since the check above (the policy is cached).
        await this.policies.assertAllows(by.organizationId, { scopes: old.scopes, expiresAt: input.expiresAt ?? null });
        const graceEnds = new Date(Date.now() + input.gracePeriodSeconds * 1000);
        const oldExpiresAt = old.expiresAt && old.expiresAt < graceEnds ? old.expiresAt : graceEnds;
        const created = await this.insertKey(tx, key, {
          organizationId: old.organizationId,
          name: old.name,
          scopes: old.scopes,
          rateLimit: old.rateLimit,
          expiresAt: input.expiresAt ?? null,
          createdBy: by.userId,
          // Read under the lock: a PATCH committed before this rotation is inherited, a later one is not.
          ipAllowlist: old.ipAllowlist,
          metadata: old.metadata,
        });
        await tx.update(ApiKey, { id: old.id }, { expiresAt: oldExpiresAt, replacedById: created.record.id });
        await this.audit.record(
          keyAudit('api_key.rotated', old, actor, {
            new_key_id: created.record.id,
            new_key_prefix: created.record.keyPrefix,
            old_key_expires_at: oldExpiresAt.toISOString(),
          }),
          tx,
        );
        return { ...created, rotatedFrom: { id: old.id, keyPrefix: old.keyPrefix, expiresAt: oldExpiresAt } };
      }),
    );
    await this.events.publish({ type: 'changed', keyId, keyPrefix: rotated.rotatedFrom.keyPrefix });
    await this.events.publish({ type: 'created', keyId: rotated.record.id, keyPrefix: rotated.record.keyPrefix });
    await this.issued(rotated);
    await this.verifier.rotated(rotated.rotatedFrom.keyPrefix, rotated.rotatedFrom.expiresAt);
    return rotated;
  }

  /** The plain key is in hand only now: its first use costs no bcrypt on any instance. */
  private issued({ record, plainKey }: { record: ApiKey; plainKey: string }): Promise<void> {
    return this.verifier.issued(record.keyPrefix, plainKey, stateOf({ ...record, status: 'active' }));
  }

  /** Draws a key and hashes it outside any transaction (bcrypt must not hold a connection); retries a prefix collision. */
  private async withNewKey<T>(work: (key: GeneratedKey & { keyHash: string }) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const key = generateKey();
      const keyHash = await this.bcrypt.hash(key.plainKey, 'api-keys');
      try {
        return await work({ ...key, keyHash });
      } catch (err) {
        // A prefix collision (1 in 36^8 per pair) rolled its transaction back: draw another key.
        if (!isUniqueViolation(err, 'UQ_api_keys_key_prefix') || attempt >= 3) throw err;
        this.logger.warn('Key prefix collision; drawing another key');
      }
    }
  }

  private async insertKey(
    tx: EntityManager,
    key: GeneratedKey & { keyHash: string },
    fields: Pick<ApiKey, 'organizationId' | 'name' | 'scopes' | 'rateLimit' | 'expiresAt' | 'createdBy' | 'ipAllowlist' | 'metadata'>,
  ): Promise<{ record: ApiKey; plainKey: string }> {
    // A new key (a rotation's successor too) starts enabled.
    const saved = await tx.save(
      tx.create(ApiKey, { ...fields, enabled: true, keyHash: key.keyHash, keyPrefix: key.keyPrefix, checksummed: true }),
    );
    const { keyHash: _hash, ...record } = saved;
    return { record: record as ApiKey, plainKey: key.plainKey };
  }

  /**
   * The new key's holder must still be a member, checked under a share lock on their membership (taken
   * first, before any key row, in the order a member's removal takes its locks): a removal running at
   * the same time either waits for this key and revokes it, or has committed and this is refused.
   */
  private async lockHolder(tx: EntityManager, organizationId: string, userId: string): Promise<void> {
    const member = await tx
      .createQueryBuilder(Membership, 'membership')
      .setLock('pessimistic_read')
      .select('membership.id')
      .where('membership.userId = :userId AND membership.organizationId = :organizationId', { userId, organizationId })
      .getOne();
    if (!member) throw new UnauthorizedException('Access token is no longer valid for this organization');
  }

  /** 409 for a key that already has a successor, naming it, so the caller knows which key to rotate instead. */
  private async refuseRotated(manager: EntityManager, successorId: string): Promise<never> {
    const successor = await manager.findOne(ApiKey, { select: { id: true, keyPrefix: true }, where: { id: successorId } });
    throw new ConflictException(
      successor
        ? `API key was already rotated; its successor is ${successor.keyPrefix}`
        : 'API key was already rotated; its successor no longer exists',
    );
  }

  /** Owners and admins may change any key of their organization; developers only the keys they created. */
  private assertMayChange(key: Pick<ApiKey, 'createdBy'>, by: UserPrincipal): void {
    if (by.role === 'developer' && key.createdBy !== by.userId) {
      throw new ForbiddenException('Developers can change, rotate or revoke only the keys they created');
    }
  }

  /** A caller gives a key only scopes their own role holds (as every key is capped by its holder's role). */
  private assertMayGrant(scopes: readonly Scope[], by: UserPrincipal): void {
    const allowed = scopesOfRole(by.role);
    const beyond = scopes.find((scope) => !grants(allowed, scope));
    if (beyond) throw new ForbiddenException(`Role ${by.role} cannot grant scope '${beyond}'`);
  }

  /**
   * Changes a key's editable fields (PATCH), under the key's row lock so that concurrent changes,
   * rotations and revocations apply one after another. Audited with the before and after of the
   * fields that changed (a change to nothing records nothing) and announced to every instance, whose
   * caches re-read the key before its next request.
   */
  async update(keyId: string, by: UserPrincipal, input: UpdateKeyInput, actor: AuditActor = userActor(by.userId)): Promise<ApiKey> {
    if (Object.values(input).every((value) => value === undefined)) {
      throw new BadRequestException(`the body must name at least one field to change: ${UPDATABLE_FIELDS.join(', ')}`);
    }
    if (input.scopes) this.assertMayGrant(input.scopes, by);
    // Only the fields this PATCH sets are held to the organization's key policy.
    await this.policies.assertAllows(by.organizationId, { scopes: input.scopes, expiresAt: input.expiresAt });
    const wanted = input.ipAllowlist && { ...input, ipAllowlist: canonicalAllowlist(input.ipAllowlist) };
    const { key, changed } = await this.keys.manager.transaction(async (tx) => {
      const current = await tx.findOne(ApiKey, {
        where: { id: keyId, organizationId: by.organizationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current) throw new NotFoundException('API key not found');
      this.assertMayChange(current, by);
      if (current.status === 'revoked') throw new ConflictException('API key is revoked and cannot be changed');
      // A rotated key ends with its grace period; moving that end would undo the rotation.
      if (input.expiresAt !== undefined && current.replacedById) {
        throw new ConflictException('API key was rotated: its expiry is the end of its grace period; change its successor instead');
      }
      const { patch, changes } = changesOf(current, wanted ?? input);
      if (Object.keys(changes).length === 0) return { key: current, changed: false };
      // The cast only widens metadata's type: TypeORM's deep-partial type has no room for `unknown` values.
      await tx.update(ApiKey, { id: current.id }, patch as QueryDeepPartialEntity<ApiKey>);
      const updated = Object.assign(current, patch);
      await this.audit.record(keyAudit('api_key.updated', updated, actor, { changes }), tx);
      return { key: updated, changed: true };
    });
    if (changed) await this.events.publish({ type: 'changed', keyId: key.id, keyPrefix: key.keyPrefix });
    return key;
  }

  /** The key's record (metadata included) when the plain key is valid, active, enabled and unexpired; otherwise null. */
  async validate(plainKey: string): Promise<ApiKey | null> {
    try {
      const state = await this.verifier.verify(plainKey);
      return await this.keys.findOne({ where: { id: state.id } });
    } catch (err) {
      if (err instanceof UnauthorizedException) return null;
      throw err;
    }
  }

  /** Whether the key's scopes allow `scope` (`x:write` includes `x:read`). */
  checkScope(record: Pick<ApiKey, 'scopes'>, scope: Scope): boolean {
    return grants(record.scopes, scope);
  }

  /**
   * Turns a presented key into the caller of the request, or throws 401 saying why. The client
   * address is asked for only when the key is not one this process has verified already.
   */
  async authenticate(plainKey: string, clientIp: () => string): Promise<ApiKeyPrincipal> {
    const state = await this.verifier.verify(plainKey, clientIp);
    // A key without an allow-list (most keys) never reads the address here.
    if (state.allowlist.length !== 0 && !allowsAddress(state.allowlist, clientIp())) throw new KeyAddressRefusedError(state);
    return {
      kind: 'api_key',
      keyId: state.id,
      organizationId: state.organizationId,
      scopes: state.scopes,
      rateLimit: state.rateLimit,
      createdBy: state.createdBy,
      metadata: state.metadata,
    };
  }

  /** The organization's keys, newest first, optionally by status. */
  list(orgId: string, query: ListApiKeysQuery = {}): Promise<Page<ApiKeyResponse>> {
    const qb = this.keys.createQueryBuilder('key').where('key.organizationId = :orgId', { orgId });
    if (query.status === 'revoked') qb.andWhere("key.status = 'revoked'");
    if (query.status === 'active') {
      qb.andWhere("key.status = 'active' AND (key.expiresAt IS NULL OR key.expiresAt > now())");
    }
    if (query.status === 'expired') qb.andWhere("key.status = 'active' AND key.expiresAt <= now()");
    if (query.unused_for_days !== undefined) {
      // Never used counts from creation: a key made yesterday is not "unused for 30 days".
      qb.andWhere("COALESCE(key.lastUsedAt, key.createdAt) < now() - make_interval(days => :days)", {
        days: query.unused_for_days,
      });
    }
    return paginate(qb, query, toApiKeyResponse);
  }

  /** One key of the organization; another organization's key is 404, as if it did not exist. */
  async get(orgId: string, id: string): Promise<ApiKey> {
    const record = await this.keys.findOne({ where: { id, organizationId: orgId } });
    if (!record) throw new NotFoundException('API key not found');
    return record;
  }

  /**
   * Revokes a key at once; revoking a revoked key changes nothing. With `by`, the key must belong to
   * that user's organization, and a developer may revoke only the keys they created. The audit
   * entry records why (`reason`), with `details` (a leak's `url` and `source`).
   */
  async revoke(
    keyId: string,
    by?: UserPrincipal,
    actor: AuditActor = userActor(by?.userId ?? null),
    reason: RevocationReason = 'user',
    details: Record<string, unknown> = {},
  ): Promise<void> {
    const key = await this.keys.findOne({
      select: { id: true, organizationId: true, name: true, createdBy: true, status: true, keyPrefix: true },
      where: by ? { id: keyId, organizationId: by.organizationId } : { id: keyId },
    });
    if (!key) throw new NotFoundException('API key not found');
    if (by) this.assertMayChange(key, by);
    if (key.status === 'revoked') return;
    await this.keys.manager.transaction(async (tx) => {
      const result = await tx
        .createQueryBuilder()
        .update(ApiKey)
        .set({ status: 'revoked', revokedAt: () => 'now()', revokedBy: by?.userId ?? null })
        .where('id = :id AND status = :active', { id: keyId, active: 'active' })
        .execute();
      // A concurrent revocation got there first: one entry is enough.
      if (result.affected) await this.audit.record(keyAudit('api_key.revoked', key, actor, { reason, ...details }), tx);
    });
    await this.events.publish({ type: 'revoked', keyId, keyPrefix: key.keyPrefix });
  }

  /**
   * Inside the caller's transaction (a member's removal): revokes every key `userId` holds that is
   * not revoked yet, each audited as api_key.revoked with `reason`. Pass the result to announce()
   * once the transaction has committed.
   */
  async revokeKeysOf(
    tx: EntityManager,
    organizationId: string,
    userId: string,
    actor: AuditActor,
    reason: RevocationReason,
  ): Promise<KeyChange[]> {
    const { raw } = await tx
      .createQueryBuilder()
      .update(ApiKey)
      .set({ status: 'revoked', revokedAt: () => 'now()', revokedBy: actor.type === 'user' ? actor.id : null })
      .where('organization_id = :organizationId AND created_by = :userId AND status = :active', {
        organizationId,
        userId,
        active: 'active',
      })
      .returning('id, name, key_prefix')
      .execute();
    const keys = (raw as KeyRow[]).map((row) => ({ id: row.id, organizationId, name: row.name, keyPrefix: row.key_prefix }));
    for (const key of keys) await this.audit.record(keyAudit('api_key.revoked', key, actor, { reason }), tx);
    return keys.map((key) => ({ type: 'revoked', keyId: key.id, keyPrefix: key.keyPrefix }));
  }

  /**
   * Inside the caller's transaction (a member's removal): hands every key `fromUserId` holds that is
   * not revoked to `toUserId`, who must be a member allowed to hold keys (the caller checks), each
   * audited as api_key.transferred. Pass the result to announce() once the transaction has committed.
   */
  async transferKeysOf(
    tx: EntityManager,
    organizationId: string,
    fromUserId: string,
    toUserId: string,
    actor: AuditActor,
  ): Promise<KeyChange[]> {
    const { raw } = await tx
      .createQueryBuilder()
      .update(ApiKey)
      .set({ createdBy: toUserId })
      .where('organization_id = :organizationId AND created_by = :fromUserId AND status = :active', {
        organizationId,
        fromUserId,
        active: 'active',
      })
      .returning('id, name, key_prefix')
      .execute();
    const keys = (raw as KeyRow[]).map((row) => ({ id: row.id, organizationId, name: row.name, keyPrefix: row.key_prefix }));
    for (const key of keys) {
      await this.audit.record(
        keyAudit('api_key.transferred', key, actor, { from_user_id: fromUserId, to_user_id: toUserId, reason: 'member_removed' }),
        tx,
      );
    }
    // The holder changed, so the role that caps the key did: every instance re-reads the key.
    return keys.map((key) => ({ type: 'changed', keyId: key.id, keyPrefix: key.keyPrefix }));
  }

  /** Tells this and every other instance about committed key changes (their caches drop or re-read the keys). */
  async announce(changes: KeyChange[]): Promise<void> {
    for (const change of changes) await this.events.publish(change);
  }

  /** The key's current rate-limit window, read from the same counters the throttler uses. */
  async usage(orgId: string, id: string): Promise<KeyUsageResponse> {
    const key = await this.get(orgId, id);
    const window = await this.rateLimits.peek(rateLimitKey(key.id), RATE_LIMIT_WINDOW_MS);
    const start = window?.startedAt ?? Date.now();
    const count = window?.hits ?? 0;
    return {
      key_id: key.id,
      window_start: new Date(start).toISOString(),
      request_count: count,
      rate_limit: key.rateLimit,
      remaining: Math.max(0, key.rateLimit - count),
      reset_at: new Date(window?.endsAt ?? start + RATE_LIMIT_WINDOW_MS).toISOString(),
    };
  }
}

/** The columns a PATCH changes, and the before/after (wire names and values) of each that really changes. */
function changesOf(key: ApiKey, input: UpdateKeyInput): { patch: Partial<ApiKey>; changes: Record<string, FieldChange> } {
  const patch: Partial<ApiKey> = {};
  const changes: Record<string, FieldChange> = {};
  const sameSet = (a: readonly string[], b: readonly string[]) => isDeepStrictEqual([...new Set(a)].sort(), [...new Set(b)].sort());
  const time = (date: Date | null) => date?.getTime() ?? null;
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  if (input.name !== undefined && input.name !== key.name) {
    changes.name = { before: key.name, after: input.name };
    patch.name = input.name;
  }
  if (input.scopes !== undefined && !sameSet(input.scopes, key.scopes)) {
    changes.scopes = { before: key.scopes, after: input.scopes };
    patch.scopes = input.scopes;
  }
  if (input.rateLimit !== undefined && input.rateLimit !== key.rateLimit) {
    changes.rate_limit = { before: key.rateLimit, after: input.rateLimit };
    patch.rateLimit = input.rateLimit;
  }
  if (input.expiresAt !== undefined && time(input.expiresAt) !== time(key.expiresAt)) {
    changes.expires_at = { before: iso(key.expiresAt), after: iso(input.expiresAt) };
    patch.expiresAt = input.expiresAt;
  }
  if (input.ipAllowlist !== undefined && !sameSet(input.ipAllowlist, key.ipAllowlist)) {
    changes.ip_allowlist = { before: key.ipAllowlist, after: input.ipAllowlist };
    patch.ipAllowlist = input.ipAllowlist;
  }
  if (input.metadata !== undefined && !isDeepStrictEqual(input.metadata, key.metadata)) {
    changes.metadata = { before: key.metadata, after: input.metadata };
    patch.metadata = input.metadata;
  }
  if (input.enabled !== undefined && input.enabled !== key.enabled) {
    changes.enabled = { before: key.enabled, after: input.enabled };
    patch.enabled = input.enabled;
  }
  return { patch, changes };
}

/** The actor when a caller of the service gives none: the user, with no request to tell where from. */
function userActor(userId: string | null): AuditActor {
  return { type: userId ? 'user' : 'system', id: userId, clientIp: null, userAgent: null };
}

function keyAudit(
  action: AuditAction,
  key: Pick<ApiKey, 'id' | 'organizationId' | 'name' | 'keyPrefix'>,
  actor: AuditActor,
  extra: Record<string, unknown> = {},
): AuditEntry {
  return {
    organizationId: key.organizationId,
    action,
    actor,
    targetType: 'api_key',
    targetId: key.id,
    metadata: { name: key.name, key_prefix: key.keyPrefix, ...extra },
  };
}
