import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import { KeyObject, verify } from 'node:crypto';
import { rawBodyOf } from '../../common/raw-body';
import { appConfig } from '../../config/app.config';
import { parseGithubScanningKeys } from '../../config/github-scanning-keys';

export const GITHUB_KEY_ID_HEADER = 'Github-Public-Key-Identifier';
export const GITHUB_SIGNATURE_HEADER = 'Github-Public-Key-Signature';

/**
 * Lets in a request only when it carries GitHub's signature: `Github-Public-Key-Signature`, a
 * base64 ECDSA P-256 / SHA-256 signature (DER) over the raw body bytes, made with the key named by
 * `Github-Public-Key-Identifier`, one of GITHUB_SECRET_SCANNING_KEYS. Unset: the route does not
 * exist here (404). Checked before the body is validated, so an unsigned request learns nothing.
 */
@Injectable()
export class GithubSignatureGuard implements CanActivate {
  private readonly keys?: Map<string, KeyObject>;

  constructor(@Inject(appConfig.KEY) config: ConfigType<typeof appConfig>) {
    // Validated at start-up (validateEnvironment): parsing again cannot fail here.
    if (config.GITHUB_SECRET_SCANNING_KEYS) this.keys = parseGithubScanningKeys(config.GITHUB_SECRET_SCANNING_KEYS);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.keys) {
      throw new NotFoundException('GitHub secret scanning is not configured on this server (GITHUB_SECRET_SCANNING_KEYS)');
    }
    const req = ctx.switchToHttp().getRequest<Request>();
    const keyId = req.get(GITHUB_KEY_ID_HEADER);
    const signature = req.get(GITHUB_SIGNATURE_HEADER);
    const body = rawBodyOf(req);
    const key = keyId === undefined ? undefined : this.keys.get(keyId);
    if (!key || !signature || !body || !verifies(key, body, signature)) {
      throw new UnauthorizedException(`${GITHUB_SIGNATURE_HEADER} is missing or invalid for ${GITHUB_KEY_ID_HEADER}`);
    }
    return true;
  }
}

function verifies(key: KeyObject, body: Buffer, signature: string): boolean {
  try {
    return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    // Not DER at all: simply not a valid signature.
    return false;
  }
}
