import { createParamDecorator, ExecutionContext, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import { Principal, UserPrincipal } from './principal';

/** The caller the global guard authenticated. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<Request>().principal;
  if (!principal) throw new UnauthorizedException('Authentication required');
  return principal;
});

/** The signed-in user; only on routes marked @UsersOnly(), where the guard guarantees one. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): UserPrincipal => {
  const principal = ctx.switchToHttp().getRequest<Request>().principal;
  if (principal?.kind !== 'user') throw new UnauthorizedException('Authentication required');
  return principal;
});
