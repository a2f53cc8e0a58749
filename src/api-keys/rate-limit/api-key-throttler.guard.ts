import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import { ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler/dist/throttler.guard.interface';
import type { Request, Response } from 'express';
import { ApiKeyPrincipal } from '../../auth/principal';
import { setIetfRateLimitHeaders, setRateLimitHeaders } from './rate-limit-headers';
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
 * @nestjs/throttler's guard, run by ApiKeyGuard once the key is known. Every counted request, refused
 * ones too, carries the X-RateLimit-* headers and the IETF RateLimit / RateLimit-Policy pair
 * (rate-limit-headers.ts), so a client always sees where it stands.
 */
@Injectable()
export class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const admitted = await super.handleRequest(props);
    // The base class has just set X-RateLimit-* from the storage's answer (it hands that answer to no
    // hook on this path): the IETF fields are written from the same numbers, so they cannot disagree.
    const res = props.context.switchToHttp().getResponse<Response>();
    setIetfRateLimitHeaders(res, {
      limit: props.limit,
      remaining: Number(res.getHeader('X-RateLimit-Remaining')),
      reset: Number(res.getHeader('X-RateLimit-Reset')),
    });
    return admitted;
  }

  protected override async throwThrottlingException(ctx: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    setRateLimitHeaders(ctx.switchToHttp().getResponse<Response>(), {
      limit: detail.limit,
      remaining: 0,
      reset: detail.timeToExpire,
    });
    return super.throwThrottlingException(ctx, detail);
  }
}
