import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Actor } from '../../audit/actor.decorator';
import type { AuditActor } from '../../audit/audit.service';
import { Public } from '../../auth/public.decorator';
import { ApiError, ApiErrors } from '../../common/api-errors.decorator';
import { GithubSecretLabelResponse, GithubSecretMatchDto, GithubSecretMatchesPipe } from './dto/github-secret-match.dto';
import { MAX_LEAKED_KEYS } from './dto/report-leaked-keys.dto';
import { GITHUB_KEY_ID_HEADER, GITHUB_SIGNATURE_HEADER, GithubSignatureGuard } from './github-signature.guard';
import { LeakedKeys } from './leaked-keys';

/** bcrypt compares one GitHub alert may cost: GitHub is authenticated, so it gets more than a public report. */
export const GITHUB_MAX_COMPARES = 50;

/** GitHub's secret-scanning partner program: GitHub reports keys it found in public, signed. */
@ApiTags('secret-scanning')
@ApiExtraModels(GithubSecretMatchDto)
@Controller('secret-scanning')
export class SecretScanningController {
  constructor(private readonly leaked: LeakedKeys) {}

  @Public()
  @Post('github')
  @HttpCode(200)
  @UseGuards(GithubSignatureGuard)
  @ApiOperation({
    summary: "GitHub secret scanning: revoke the genuine keys GitHub found, label each token",
    description:
      "GitHub's secret-scanning partner format. The body is signed by GitHub (ECDSA P-256, SHA-256, over the raw " +
      'body) with a key from GITHUB_SECRET_SCANNING_KEYS; every genuine, active key is revoked (audited as ' +
      "api_key.revoked with reason 'leaked', source 'github'). Answers 404 while GITHUB_SECRET_SCANNING_KEYS is unset.",
  })
  @ApiHeader({ name: GITHUB_KEY_ID_HEADER, required: true, description: 'key_identifier of the GitHub public key that signed the body' })
  @ApiHeader({ name: GITHUB_SIGNATURE_HEADER, required: true, description: 'base64 DER ECDSA P-256 SHA-256 signature of the raw body' })
  @ApiBody({
    schema: { type: 'array', minItems: 1, maxItems: MAX_LEAKED_KEYS, items: { $ref: getSchemaPath(GithubSecretMatchDto) } },
  })
  @ApiOkResponse({ type: GithubSecretLabelResponse, isArray: true, description: 'One label per token, in the order received' })
  @ApiErrors({
    400: 'The body is not an array of 1 to 1000 { token, type, url, source }',
    401: 'The signature is missing or invalid, or names an unknown key',
    404: 'GitHub secret scanning is not configured on this server (GITHUB_SECRET_SCANNING_KEYS)',
  })
  @ApiError(503, { description: 'Too busy to check the keys now; GitHub retries' })
  async github(
    @Body(GithubSecretMatchesPipe) matches: GithubSecretMatchDto[],
    @Actor() actor: AuditActor,
  ): Promise<GithubSecretLabelResponse[]> {
    const genuine = await this.leaked.handle(
      matches.map((match) => ({ value: match.token, url: match.url || undefined })),
      { source: 'github', actor, line: 'github-secret-scanning', maxCompares: GITHUB_MAX_COMPARES },
    );
    return matches.map((match) => ({
      token_raw: match.token,
      token_type: match.type,
      label: genuine.has(match.token) ? 'true_positive' : 'false_positive',
    }));
  }
}
