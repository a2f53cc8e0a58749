import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import type { Request, Response } from 'express';
import { ApiKeyPrincipal } from '../../auth/principal';
import { RATE_LIMIT_WINDOW_MS, rateLimitKey, RateLimitStorage } from './rate-limit.storage';

const keyOf = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<Request>().principal as ApiKeyPrincipal;

/** Throttler options: one counter per API key across all routes, limited by the key's rate_limit. */
export function keyThrottlerOptions(storage: RateLimitStorage): ThrottlerModuleOptions {
  return {
    storage,
    throttlers: [{ name: 'default', ttl: RATE_LIMIT_WINDOW_MS, limit: (ctx) => keyOf(ctx).rateLimit }],
    skipIf: (ctx) => ctx.switchToHttp().getRequest<Request>().principal?.kind !== 'api_key',
    getTracker: (req) => (req as Request & { principal: ApiKeyPrincipal }).principal.keyId,
    generateKey: (_ctx, keyId) => rateLimitKey(keyId),
    errorMessage: (_ctx, detail) =>
      `Rate limit of ${detail.limit} requests per minute exceeded for this API key; retry in ${detail.timeToBlockExpire} seconds`,
  };
}

/**
 * @nestjs/throttler's guard, run by ApiKeyGuard once the key is known. Refused requests also carry
 * the X-RateLimit-* headers, so a client always sees where it stands.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(ctx: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const res = ctx.switchToHttp().getResponse<Response>();
    res.setHeader('X-RateLimit-Limit', detail.limit);
    res.setHeader('X-RateLimit-Remaining', 0);
    res.setHeader('X-RateLimit-Reset', detail.timeToExpire);
    return super.throwThrottlingException(ctx, detail);
  }
}
