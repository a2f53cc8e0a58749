import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { AuditActor } from './audit.service';

/**
 * The request's caller as an audit actor: the authenticated user or API key, its address and user
 * agent. Without an authenticated caller (a refused request) the actor is `system` with no id.
 */
export function actorOf(req: Request): AuditActor {
  const principal = req.principal;
  const userAgent = req.headers['user-agent'];
  return {
    type: principal?.kind ?? 'system',
    id: principal ? (principal.kind === 'user' ? principal.userId : principal.keyId) : null,
    clientIp: req.ip ?? null,
    userAgent: typeof userAgent === 'string' && userAgent !== '' ? userAgent : null,
  };
}

/** Controller parameter: `@Actor() actor: AuditActor`, to pass on to a service that records. */
export const Actor = createParamDecorator((_: unknown, ctx: ExecutionContext): AuditActor =>
  actorOf(ctx.switchToHttp().getRequest<Request>()),
);
