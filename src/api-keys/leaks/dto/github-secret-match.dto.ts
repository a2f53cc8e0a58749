import { ArgumentMetadata, BadRequestException, ParseArrayPipe } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { MAX_LEAKED_KEYS } from './report-leaked-keys.dto';

export const GITHUB_TOKEN_TYPE_EXAMPLE = 'kaizen_studio_api_key';

/** One match in a GitHub secret-scanning alert (the body is a JSON array of these). */
export class GithubSecretMatchDto {
  @ApiProperty({ maxLength: 256, example: 'sk_live_a1b2c3d4_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', description: 'the matched string' })
  @IsString({ message: 'token must be a string' })
  @MaxLength(256, { message: 'token must be at most 256 characters' })
  token: string;

  @ApiProperty({ maxLength: 256, example: GITHUB_TOKEN_TYPE_EXAMPLE, description: 'the secret type registered with GitHub' })
  @IsString({ message: 'type must be a string' })
  @MaxLength(256, { message: 'type must be at most 256 characters' })
  type: string;

  @ApiProperty({ maxLength: 2048, example: 'https://github.com/example/repo/blob/abc123/.env#L3', description: 'where it was found (may be empty)' })
  @IsString({ message: 'url must be a string' })
  @MaxLength(2048, { message: 'url must be at most 2048 characters' })
  url: string;

  @ApiProperty({ maxLength: 64, example: 'content', description: 'what GitHub found it in: content, commit, pull_request_title, ...' })
  @IsString({ message: 'source must be a string' })
  @MaxLength(64, { message: 'source must be at most 64 characters' })
  source: string;
}

export type GithubLabel = 'true_positive' | 'false_positive';

/** One entry of the answer, per token, as GitHub's partner program reads it. */
export class GithubSecretLabelResponse {
  @ApiProperty({ example: 'sk_live_a1b2c3d4_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', description: 'the token as GitHub sent it' })
  token_raw: string;

  @ApiProperty({ example: GITHUB_TOKEN_TYPE_EXAMPLE, description: 'the type GitHub sent' })
  token_type: string;

  @ApiProperty({
    enum: ['true_positive', 'false_positive'],
    example: 'true_positive',
    description: 'true_positive: a genuine key of this service (revoked now if it was active); false_positive: anything else',
  })
  label: GithubLabel;
}

/** The body GitHub sends: a JSON array of 1 to MAX_LEAKED_KEYS matches, each validated as the other bodies are. */
export class GithubSecretMatchesPipe extends ParseArrayPipe {
  constructor() {
    super({ items: GithubSecretMatchDto, whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (!Array.isArray(value) || value.length < 1 || value.length > MAX_LEAKED_KEYS) {
      throw new BadRequestException(`The body must be an array of 1 to ${MAX_LEAKED_KEYS} { token, type, url, source }`);
    }
    return super.transform(value, metadata);
  }
}
