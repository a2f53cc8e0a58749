import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditActor, AuditService } from '../../audit/audit.service';
import { grants, Scope } from '../../auth/scopes';
import { Clock } from '../../common/clock';
import { KeyPolicyResponse } from './dto/key-policy.response';
import { UpdateKeyPolicyDto } from './dto/update-key-policy.dto';
import { KeyPolicyCache } from './key-policy-cache';
import { KeyPolicy } from './key-policy.entity';

/** An organization's key policy as the checks read it. */
export type KeyPolicyRules = Pick<KeyPolicy, 'requireExpiry' | 'maxLifetimeDays' | 'allowedScopes' | 'autoRevokeUnusedDays'> & {
  updatedAt: Date | null;
};

/** What an organization without a policy row has: no rule at all. */
export const DEFAULT_POLICY: KeyPolicyRules = {
  requireExpiry: false,
  maxLifetimeDays: null,
  allowedScopes: null,
  autoRevokeUnusedDays: null,
  updatedAt: null,
};

const DAY_MS = 86_400_000;
const FIELDS = ['require_expiry', 'max_lifetime_days', 'allowed_scopes', 'auto_revoke_unused_days'] as const;

/** Reads, changes and enforces organizations' key policies. */
@Injectable()
export class KeyPolicyService {
  constructor(
    @InjectRepository(KeyPolicy) private readonly policies: Repository<KeyPolicy>,
    private readonly cache: KeyPolicyCache<KeyPolicyRules>,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** The organization's policy, read at most once a second per process (see KeyPolicyCache). */
  rules(organizationId: string): Promise<KeyPolicyRules> {
    return this.cache.get(organizationId, async () => {
      const row = await this.policies.findOne({ where: { organizationId } });
      return row ? toRules(row) : DEFAULT_POLICY;
    });
  }

  /** The policy as GET answers it. */
  async get(organizationId: string): Promise<KeyPolicyResponse> {
    const row = await this.policies.findOne({ where: { organizationId } });
    return toResponse(row ? toRules(row) : DEFAULT_POLICY);
  }

  /**
   * Changes the fields sent (null clears a limit), audited as key_policy.updated with the before and
   * after of the fields that changed; a change to nothing (an empty body, as for the other PATCH
   * routes, or the current values) records nothing. Every instance drops its cached copy once this
   * has committed.
   */
  async update(organizationId: string, dto: UpdateKeyPolicyDto, actor: AuditActor): Promise<KeyPolicyResponse> {
    const sent = FIELDS.filter((field) => dto[field] !== undefined);
    if (!sent.length) return this.get(organizationId);
    const saved = await this.policies.manager.transaction(async (tx) => {
      // The row exists from here on and is locked, so concurrent changes apply one after the other
      // and each audit entry's "before" is what that change replaced.
      await tx.query(`INSERT INTO organization_key_policies (organization_id) VALUES ($1) ON CONFLICT DO NOTHING`, [organizationId]);
      const current = await tx.findOneOrFail(KeyPolicy, { where: { organizationId }, lock: { mode: 'pessimistic_write' } });
      const before = toResponse(toRules(current));
      const after = { ...before, ...Object.fromEntries(sent.map((field) => [field, dto[field]])) } as KeyPolicyResponse;
      const changed = sent.filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]));
      if (!changed.length) return current;
      await tx.update(
        KeyPolicy,
        { organizationId },
        {
          requireExpiry: after.require_expiry,
          maxLifetimeDays: after.max_lifetime_days,
          allowedScopes: after.allowed_scopes,
          autoRevokeUnusedDays: after.auto_revoke_unused_days,
        },
      );
      await this.audit.record(
        {
          organizationId,
          action: 'key_policy.updated',
          actor,
          targetType: 'organization',
          targetId: organizationId,
          metadata: {
            changes: Object.fromEntries(changed.map((field) => [field, { before: before[field], after: after[field] }])),
          },
        },
        tx,
      );
      return tx.findOneOrFail(KeyPolicy, { where: { organizationId } });
    });
    await this.cache.changed(organizationId);
    return toResponse(toRules(saved));
  }

  /**
   * Throws 400 naming the rule when a key with these scopes and expiry may not be created (or
   * rotated into, or edited to) in this organization. Cheap: the policy is cached, no bcrypt here.
   */
  async assertAllows(organizationId: string, key: { scopes?: readonly Scope[]; expiresAt?: Date | null }): Promise<void> {
    const policy = await this.rules(organizationId);
    // A field left out is not being set (a PATCH of other fields): a policy adopted after the key was
    // made does not stop its owner from renaming or disabling it.
    if (key.expiresAt !== undefined) this.assertExpiryAllowed(policy, key.expiresAt);
    if (key.scopes !== undefined) this.assertScopesAllowed(policy, key.scopes);
  }

  private assertExpiryAllowed(policy: KeyPolicyRules, expiresAt: Date | null): void {
    if (policy.requireExpiry && !expiresAt) {
      throw new BadRequestException('key policy requires expires_at (require_expiry)');
    }
    if (policy.maxLifetimeDays !== null) {
      const limit = `key policy limits keys to ${policy.maxLifetimeDays} days`;
      if (!expiresAt) {
        throw new BadRequestException(`${limit}, so a key without expires_at is refused too (max_lifetime_days)`);
      }
      const latest = new Date(this.clock.now().getTime() + policy.maxLifetimeDays * DAY_MS);
      if (expiresAt > latest) {
        throw new BadRequestException(`${limit}: expires_at must be no later than ${latest.toISOString()} (max_lifetime_days)`);
      }
    }
  }

  private assertScopesAllowed(policy: KeyPolicyRules, scopes: readonly Scope[]): void {
    if (policy.allowedScopes !== null) {
      const allowed = policy.allowedScopes;
      // `x:write` allowed lets a key hold `x:read`, which grants less.
      const refused = scopes.find((scope) => !grants(allowed, scope));
      if (refused) {
        throw new BadRequestException(`key policy does not allow scope '${refused}' (allowed_scopes: ${allowed.join(', ')})`);
      }
    }
  }
}

function toRules(row: KeyPolicy): KeyPolicyRules {
  return {
    requireExpiry: row.requireExpiry,
    maxLifetimeDays: row.maxLifetimeDays,
    allowedScopes: row.allowedScopes,
    autoRevokeUnusedDays: row.autoRevokeUnusedDays,
    updatedAt: row.updatedAt,
  };
}

function toResponse(rules: KeyPolicyRules): KeyPolicyResponse {
  return {
    require_expiry: rules.requireExpiry,
    max_lifetime_days: rules.maxLifetimeDays,
    allowed_scopes: rules.allowedScopes,
    auto_revoke_unused_days: rules.autoRevokeUnusedDays,
    updated_at: rules.updatedAt ? rules.updatedAt.toISOString() : null,
  };
}
