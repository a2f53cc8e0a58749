import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { API_KEY_AUTHENTICATOR, ApiKeyAuthenticator } from './api-key-authenticator';
import { readCredential } from './credentials';
import { IS_PUBLIC_KEY } from './public.decorator';
import { assertRouteAllows } from './route-policy';
import { UserTokensService } from './user-tokens.service';

/**
 * The one global guard (default deny): every route needs a caller unless it is @Public().
 * A user's token is checked here; an `sk_live_` key is handed to ApiKeyGuard, the second kind of
 * caller (through the ApiKeyAuthenticator seam). Either way the same @UsersOnly() / @Scopes() policy decides.
 */
@Injectable()
export class GlobalAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly userTokens: UserTokensService,
    @Inject(API_KEY_AUTHENTICATOR) private readonly apiKeys: ApiKeyAuthenticator,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()])) {
      return true;
    }
    const req = ctx.switchToHttp().getRequest<Request>();
    const credential = readCredential(req);
    if (!credential) {
      throw new UnauthorizedException('Authentication required: send Authorization: Bearer <token> or X-API-Key');
    }
    if (credential.kind === 'api_key') return this.apiKeys.admit(ctx, credential.value);
    req.principal = await this.userTokens.authenticate(credential.value);
    assertRouteAllows(this.reflector, ctx, req.principal);
    return true;
  }
}
