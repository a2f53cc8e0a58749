import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request } from 'express';
import { actorOf } from '../audit/actor.decorator';
import { AuditService } from '../audit/audit.service';
import { readCredential } from '../auth/credentials';
import { assertRouteAllows } from '../auth/route-policy';
import { ApiKeyThrottlerGuard } from './rate-limit/api-key-throttler.guard';
import { ApiKeysService } from './api-keys.service';
import { KeyRefusedError } from './verification/key-verifier';
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
    // req.ip re-parses X-Forwarded-For on every read; a verified key never needs it.
    const principal = await this.apiKeys.authenticate(plainKey, () => req.ip ?? 'unknown').catch((err: unknown) => {
      if (err instanceof KeyRefusedError) this.auditRefusal(req, err);
      throw err;
    });
    req.principal = principal;
    // Counted before the scope check, so every key-authenticated response carries X-RateLimit-*.
    try {
      await this.throttler.canActivate(ctx);
    } catch (err) {
      if (err instanceof ThrottlerException) this.usage.refused(principal.keyId, principal.organizationId);
      throw err;
    }
    assertRouteAllows(this.reflector, ctx, principal);
    this.usage.served(principal.keyId, principal.organizationId);
    return true;
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
