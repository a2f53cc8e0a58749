import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { ALL_SCOPES, Scope } from '../../auth/scopes';
import { NonEmptyBody } from '../../common/non-empty-body';
import { IsFutureIsoDateTime } from '../../common/iso-date-time.validator';
import { NOT_BLANK, trim } from '../../common/transforms';
import { AreKnownScopes, dedupe, MAX_RATE_LIMIT } from './create-api-key.dto';
import { IpAllowlistField, MetadataField } from './key-fields';

/** Present in the body (null included): these fields may be left out, but not sent as null. */
const sent = (_: object, value: unknown) => value !== undefined;

/** The fields a PATCH may change; at least one. A field left out is not changed. */
export const UPDATABLE_FIELDS = ['name', 'scopes', 'rate_limit', 'expires_at', 'ip_allowlist', 'metadata', 'enabled'] as const;

/** PATCH /api-keys/{id}: any non-empty subset of the key's editable fields. */
@NonEmptyBody()
export class UpdateApiKeyDto {
  @ApiPropertyOptional({ example: 'CI/CD Pipeline', minLength: 1, maxLength: 100, pattern: NOT_BLANK })
  @Transform(trim)
  @ValidateIf(sent)
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name?: string;

  @ApiPropertyOptional({
    example: ['agents:read'],
    enum: ALL_SCOPES,
    isArray: true,
    minItems: 1,
    description: 'replaces the scopes; repeated scopes count once',
  })
  @Transform(dedupe)
  @ValidateIf(sent)
  @IsArray({ message: 'scopes must be a non-empty array of scopes' })
  @ArrayNotEmpty({ message: 'scopes must be a non-empty array of scopes' })
  @ArrayMaxSize(ALL_SCOPES.length)
  @AreKnownScopes()
  scopes?: Scope[];

  @ApiPropertyOptional({ type: 'integer', example: 1000, minimum: 1, maximum: MAX_RATE_LIMIT, description: 'requests per minute, from the next request on' })
  @ValidateIf(sent)
  @IsInt({ message: 'rate_limit must be an integer' })
  @Min(1, { message: `rate_limit must be between 1 and ${MAX_RATE_LIMIT}` })
  @Max(MAX_RATE_LIMIT, { message: `rate_limit must be between 1 and ${MAX_RATE_LIMIT}` })
  rate_limit?: number;

  @ApiPropertyOptional({ example: '2030-12-31T23:59:59Z', format: 'date-time', nullable: true, type: String, description: 'null: the key does not expire' })
  @IsOptional()
  @IsFutureIsoDateTime()
  expires_at?: string | null;

  @IpAllowlistField('replaces the allow-list; [] or null: any address')
  ip_allowlist?: string[] | null;

  @MetadataField('replaces the metadata; null: {}.')
  metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional({ example: false, description: 'false: the key is refused (401 "API key is disabled") until enabled again' })
  @ValidateIf(sent)
  @IsBoolean({ message: 'enabled must be a boolean' })
  enabled?: boolean;
}
