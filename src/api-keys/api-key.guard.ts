import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { actorOf } from '../audit/actor.decorator';
import { AuditService } from '../audit/audit.service';
import { readCredential } from '../auth/credentials';
import { ApiKeyPrincipal } from '../auth/principal';
import { assertRouteAllows } from '../auth/route-policy';
import { MembershipCache } from '../organizations/membership-cache';
import { capScopes } from '../organizations/role';
import { ThrottlerException } from '@nestjs/throttler';
import { ApiKeyThrottlerGuard } from './rate-limit/api-key-throttler.guard';
import { RateLimitedNotices } from './rate-limit/rate-limited-notices';
import { ApiKeysService } from './api-keys.service';
import { KeyAddressRefusedError, KeyRefusedError } from './verification/key-verifier';
import { UsageRecorder } from './usage/usage-recorder';

/**
 * Lets in a caller presenting an API key (`Authorization: Bearer sk_live_...` or `X-API-Key`):
 * verifies the key, counts the request against the key's rate limit, then applies the route's
 * @Scopes(). The global guard hands every key-bearing request to it.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly throttler: ApiKeyThrottlerGuard,
    private readonly usage: UsageRecorder,
    private readonly audit: AuditService,
    private readonly memberships: MembershipCache,
    private readonly rateLimited: RateLimitedNotices,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const credential = readCredential(ctx.switchToHttp().getRequest<Request>());
    if (credential?.kind !== 'api_key') {
      throw new UnauthorizedException('API key required: send Authorization: Bearer sk_live_... or X-API-Key');
    }
    return this.admit(ctx, credential.value);
  }

  /** The check itself, for a caller that has already read the key from the request (the global guard). */
  async admit(ctx: ExecutionContext, plainKey: string): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request>();
    // req.ip re-parses X-Forwarded-For on every read; a verified key without an allow-list never needs it.
    const principal = await this.apiKeys.authenticate(plainKey, () => req.ip ?? 'unknown').catch((err: unknown) => {
      if (err instanceof KeyRefusedError && err.reason !== 'disabled') this.auditRefusal(req, err);
      if (err instanceof KeyAddressRefusedError) this.refuseAddress(ctx, req, err);
      throw err;
    });
    await this.capToHolderRole(principal);
    req.principal = principal;
    // Every request the key makes is counted by its answer, whatever refuses it from here on.
    this.usage.track(ctx.switchToHttp().getResponse<Response>(), principal.keyId, principal.organizationId);
    // Counted before the scope check, so every key-authenticated response carries X-RateLimit-*.
    await this.throttler.canActivate(ctx).catch((err: unknown) => {
      if (err instanceof ThrottlerException) this.rateLimited.notice(principal, actorOf(req));
      throw err;
    });
    assertRouteAllows(this.reflector, ctx, principal);
    return true;
  }

  /**
   * A key never grants more than its holder's role allows now: a developer demoted to viewer has a
   * read-only key from their next request. The role comes from MembershipCache (no query per request).
   */
  private async capToHolderRole(principal: ApiKeyPrincipal): Promise<void> {
    const role = await this.memberships.role(principal.organizationId, principal.createdBy);
    // A removed member's keys are revoked with the removal; this covers a key created while its
    // creator was being removed.
    if (!role) throw new UnauthorizedException("API key's holder is no longer a member of this organization");
    principal.scopes = capScopes(principal.scopes, role);
  }

  /**
   * The genuine key from an address outside its allow-list: counted as denied usage and audited (at
   * most once a minute per key), but not against the key's rate limit, so a leaked key used from
   * elsewhere cannot spend its owner's budget.
   */
  private refuseAddress(ctx: ExecutionContext, req: Request, refusal: KeyAddressRefusedError): void {
    const { id, organizationId } = refusal.state;
    this.usage.track(ctx.switchToHttp().getResponse<Response>(), id, organizationId);
    this.audit.recordRefusedUse({
      organizationId,
      action: 'api_key.refused_address',
      actor: { ...actorOf(req), type: 'api_key', id },
      targetType: 'api_key',
      targetId: id,
      metadata: { path: req.path, method: req.method },
    });
  }

  /** A genuine key used after revocation or expiry: worth an audit entry (at most one a minute per key). */
  private auditRefusal(req: Request, refusal: KeyRefusedError): void {
    this.audit.recordRefusedUse({
      organizationId: refusal.state.organizationId,
      action: refusal.reason === 'revoked' ? 'api_key.refused_revoked' : 'api_key.refused_expired',
      actor: { ...actorOf(req), type: 'api_key', id: refusal.state.id },
      targetType: 'api_key',
      targetId: refusal.state.id,
      metadata: { path: req.path, method: req.method },
    });
  }
}
