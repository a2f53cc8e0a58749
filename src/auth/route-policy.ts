import { ExecutionContext, ForbiddenException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { missingScope, Scope, SCOPES_KEY } from './scopes';
import { Role } from '../organizations/role';
import { Principal } from './principal';
import { USERS_ONLY_KEY } from './users-only.decorator';

/**
 * Whether the route lets this caller in: @UsersOnly() routes refuse API keys (and other roles),
 * @Scopes() routes need every listed scope, and an API key reaches only routes that declare scopes.
 */
export function assertRouteAllows(reflector: Reflector, ctx: ExecutionContext, principal: Principal): void {
  const targets = [ctx.getHandler(), ctx.getClass()];
  const usersOnly = reflector.getAllAndOverride<Role[] | undefined>(USERS_ONLY_KEY, targets);
  const scopes = reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets);
  if (principal.kind === 'api_key' && (usersOnly || !scopes)) {
    throw new ForbiddenException('API keys cannot call this route; it is for signed-in users');
  }
  if (usersOnly?.length && principal.kind === 'user' && !usersOnly.includes(principal.role)) {
    throw new ForbiddenException(`Requires role ${usersOnly.join(' or ')}; you are ${principal.role}`);
  }
  const missing = scopes && missingScope(principal.scopes, scopes);
  if (missing) throw new ForbiddenException(`Missing scope '${missing}'`);
}
