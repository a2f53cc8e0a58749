import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { SCOPES_KEY } from '../api-keys/scopes.decorator';
import { missingScope, Scope } from '../api-keys/scopes';
import { Role } from '../organizations/role';
import { readCredential } from './credentials';
import { Principal } from './principal';
import { IS_PUBLIC_KEY } from './public.decorator';
import { UserTokensService } from './user-tokens.service';
import { USERS_ONLY_KEY } from './users-only.decorator';

/**
 * The one global guard (default deny): every route needs a caller unless it is @Public().
 * Identifies the caller (a user's token or an API key), then enforces @UsersOnly() and @Scopes().
 * An API key reaches only routes that declare the scopes they need.
 */
@Injectable()
export class GlobalAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly userTokens: UserTokensService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;

    const req = ctx.switchToHttp().getRequest<Request>();
    const principal = await this.authenticate(req);
    req.principal = principal;

    const usersOnly = this.reflector.getAllAndOverride<Role[] | undefined>(USERS_ONLY_KEY, targets);
    const scopes = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets);
    if (principal.kind === 'api_key' && (usersOnly || !scopes)) {
      throw new ForbiddenException('API keys cannot call this route; it is for signed-in users');
    }
    if (usersOnly?.length && principal.kind === 'user' && !usersOnly.includes(principal.role)) {
      throw new ForbiddenException(`Requires role ${usersOnly.join(' or ')}; you are ${principal.role}`);
    }
    const missing = scopes && missingScope(principal.scopes, scopes);
    if (missing) throw new ForbiddenException(`Missing scope '${missing}'`);
    return true;
  }

  private authenticate(req: Request): Promise<Principal> {
    const credential = readCredential(req);
    if (!credential) {
      throw new UnauthorizedException('Authentication required: send Authorization: Bearer <token> or X-API-Key');
    }
    return credential.kind === 'api_key'
      ? this.apiKeys.authenticate(credential.value, req)
      : this.userTokens.authenticate(credential.value);
  }
}
