import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { appConfig } from '../config/app.config';
import { MembershipCache } from '../organizations/membership-cache';
import { scopesOfRole } from '../organizations/role';
import { UserPrincipal } from './principal';

interface TokenClaims {
  sub: string;
  org: string;
  exp?: number;
}

/** Issues users' access tokens and turns a presented token into a principal. */
@Injectable()
export class UserTokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly memberships: MembershipCache,
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
  ) {}

  get ttlSeconds(): number {
    return this.config.JWT_TTL;
  }

  sign(userId: string, organizationId: string): Promise<string> {
    const claims: TokenClaims = { sub: userId, org: organizationId };
    return this.jwt.signAsync(claims);
  }

  /**
   * Verifies the token and takes the role from the membership as it is now (MembershipCache, which
   * member changes invalidate on every instance), not from the token, so a removed or demoted member
   * loses the old rights at their next request rather than at the token's expiry.
   */
  async authenticate(token: string): Promise<UserPrincipal> {
    let claims: TokenClaims;
    try {
      claims = await this.jwt.verifyAsync<TokenClaims>(token);
    } catch (err) {
      const expired = (err as { name?: string }).name === 'TokenExpiredError';
      throw new UnauthorizedException(expired ? 'Access token has expired' : 'Access token is invalid');
    }
    // jsonwebtoken accepts a token without `exp` as valid forever; ours always carry one.
    if (typeof claims.sub !== 'string' || typeof claims.org !== 'string' || typeof claims.exp !== 'number') {
      throw new UnauthorizedException('Access token is invalid');
    }
    const role = await this.memberships.role(claims.org, claims.sub);
    if (!role) throw new UnauthorizedException('Access token is no longer valid for this organization');
    return { kind: 'user', userId: claims.sub, organizationId: claims.org, role, scopes: scopesOfRole(role) };
  }
}
