import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { API_KEY_AUTHENTICATOR, ApiKeyAuthenticator } from './api-key-authenticator';
import { readCredential } from './credentials';
import { OrganizationFairShare } from './organization-fair-share';
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
    private readonly fairShare: OrganizationFairShare,
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
    if (credential.kind === 'api_key') {
      await this.apiKeys.admit(ctx, credential.value);
    } else {
      req.principal = await this.userTokens.authenticate(credential.value);
      assertRouteAllows(this.reflector, ctx, req.principal);
    }
    await this.takeTurn(req, ctx.switchToHttp().getResponse<Response>());
    return true;
  }

  /**
   * The caller's organization is known from here on: its request runs within the organization's
   * fair share of the process (one tenant must not slow another), and its turn ends with the response.
   */
  private async takeTurn(req: Request, res: Response): Promise<void> {
    let closed = false;
    const turn = this.fairShare.enter(req.principal!.organizationId, (gone) => {
      // Only a request that has to wait gets here (off the hot path).
      res.once('close', () => (closed = true));
      res.once('close', gone);
    });
    if (typeof turn === 'function') {
      // A response always ends with 'close' (after 'finish', or when the connection drops).
      res.once('close', turn);
      return;
    }
    const leave = await turn;
    // A client that went away just as its turn came: the turn ends at once, not never.
    if (closed) return leave();
    res.once('close', leave);
  }
}
