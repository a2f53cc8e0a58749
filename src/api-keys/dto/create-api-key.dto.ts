import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  registerDecorator,
  ValidationArguments,
} from 'class-validator';
import { NOT_BLANK, trim } from '../../common/transforms';
import { ALL_SCOPES, isScope, Scope } from '../../auth/scopes';
import { IsFutureIsoDateTime } from '../../common/iso-date-time.validator';
import { IpAllowlistField, MetadataField } from './key-fields';

export const MAX_RATE_LIMIT = 1_000_000;

/** Every entry must be a known scope; the message names the first unknown one and lists the valid ones. */
export function AreKnownScopes() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'areKnownScopes',
      target: object.constructor,
      propertyName,
      validator: {
        // Non-arrays are IsArray's to report.
        validate: (value: unknown) => !Array.isArray(value) || value.every(isScope),
        defaultMessage: (args?: ValidationArguments) => {
          const value: unknown = args?.value;
          const unknown = Array.isArray(value) ? value.find((s) => !isScope(s)) : value;
          return `unknown scope ${JSON.stringify(unknown)} in ${propertyName}; valid scopes: ${ALL_SCOPES.join(', ')}`;
        },
      },
    });
}

export const dedupe = ({ value }: { value: unknown }) => (Array.isArray(value) ? [...new Set(value)] : value);

export class CreateApiKeyDto {
  @ApiProperty({ example: 'CI/CD Pipeline', minLength: 1, maxLength: 100, pattern: NOT_BLANK })
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;

  @ApiProperty({
    example: ['agents:read', 'deployments:write'],
    enum: ALL_SCOPES,
    isArray: true,
    minItems: 1,
    description: 'repeated scopes count once',
  })
  @Transform(dedupe)
  @IsArray({ message: 'scopes must be a non-empty array of scopes' })
  @ArrayNotEmpty({ message: 'scopes must be a non-empty array of scopes' })
  @ArrayMaxSize(ALL_SCOPES.length)
  @AreKnownScopes()
  scopes: Scope[];

  @ApiPropertyOptional({ type: 'integer', example: 100, default: 100, minimum: 1, maximum: MAX_RATE_LIMIT, description: 'requests per minute' })
  @IsOptional()
  @IsInt({ message: 'rate_limit must be an integer' })
  @Min(1, { message: `rate_limit must be between 1 and ${MAX_RATE_LIMIT}` })
  @Max(MAX_RATE_LIMIT, { message: `rate_limit must be between 1 and ${MAX_RATE_LIMIT}` })
  rate_limit?: number;

  @ApiPropertyOptional({ example: '2030-12-31T23:59:59Z', format: 'date-time' })
  @IsOptional()
  @IsFutureIsoDateTime()
  expires_at?: string;

  @IpAllowlistField('client addresses the key may be used from; empty or omitted: any address')
  ip_allowlist?: string[] | null;

  @MetadataField('a JSON object returned with the key and handed to the code that checks it.')
  metadata?: Record<string, unknown> | null;
}
