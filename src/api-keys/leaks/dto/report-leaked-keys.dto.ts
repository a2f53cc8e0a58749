import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';

export const MAX_LEAKED_KEYS = 1000;
export const MAX_LEAKED_KEY_LENGTH = 256;
export const MAX_LEAK_URL_LENGTH = 2048;

/** An absolute http(s) URL, as a browser would follow it; a host without a dot (localhost) is allowed. */
export const IS_HTTP_URL: NonNullable<Parameters<typeof IsUrl>[0]> = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** POST /api-keys/leaked: strings found somewhere public, and where. */
export class ReportLeakedKeysDto {
  @ApiProperty({
    type: String,
    isArray: true,
    minItems: 1,
    maxItems: MAX_LEAKED_KEYS,
    items: { type: 'string', maxLength: MAX_LEAKED_KEY_LENGTH },
    example: ['sk_live_a1b2c3d4_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    description: `1 to ${MAX_LEAKED_KEYS} strings of at most ${MAX_LEAKED_KEY_LENGTH} characters; anything may be sent, only genuine keys are acted on`,
  })
  @IsArray({ message: `keys must be an array of 1 to ${MAX_LEAKED_KEYS} strings` })
  @ArrayMinSize(1, { message: `keys must be an array of 1 to ${MAX_LEAKED_KEYS} strings` })
  @ArrayMaxSize(MAX_LEAKED_KEYS, { message: `keys must be an array of 1 to ${MAX_LEAKED_KEYS} strings` })
  @IsString({ each: true, message: 'each of keys must be a string' })
  @MaxLength(MAX_LEAKED_KEY_LENGTH, { each: true, message: `each of keys must be at most ${MAX_LEAKED_KEY_LENGTH} characters` })
  keys: string[];

  @ApiPropertyOptional({
    format: 'uri',
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
    maxLength: MAX_LEAK_URL_LENGTH,
    example: 'https://github.com/example/repo/blob/main/.env',
    description: 'where the strings were found (http or https)',
  })
  @IsOptional()
  @IsString({ message: 'url must be an http or https URL' })
  @MaxLength(MAX_LEAK_URL_LENGTH, { message: `url must be at most ${MAX_LEAK_URL_LENGTH} characters` })
  @IsUrl(IS_HTTP_URL, { message: 'url must be an http or https URL' })
  url?: string;
}

/** 202: how many strings were received; never which were keys, or whose. */
export class LeakReportResponse {
  @ApiProperty({ type: 'integer', example: 1, description: 'how many strings the report held (duplicates included)' })
  received: number;
}
