import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  Max,
  Min,
  registerDecorator,
  ValidateIf,
  ValidationArguments,
} from 'class-validator';
import { ALL_SCOPES, isScope, Scope } from '../../../auth/scopes';

export const MAX_POLICY_DAYS = 3650;

/** Every entry a known scope; the message names the first unknown one and lists the valid ones. */
function AreKnownScopes() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'areKnownScopes',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => !Array.isArray(value) || value.every(isScope),
        defaultMessage: (args?: ValidationArguments) => {
          const value: unknown = args?.value;
          const unknown = Array.isArray(value) ? value.find((s) => !isScope(s)) : value;
          return `unknown scope ${JSON.stringify(unknown)} in ${propertyName}; valid scopes: ${ALL_SCOPES.join(', ')}`;
        },
      },
    });
}

const dedupe = ({ value }: { value: unknown }) => (Array.isArray(value) ? [...new Set(value)] : value);
const days = (field: string) => `${field} must be an integer from 1 to ${MAX_POLICY_DAYS}, or null`;

/** Any non-empty subset of the policy's fields; null clears a limit. */
export class UpdateKeyPolicyDto {
  @ApiPropertyOptional({ type: 'boolean', example: true, description: 'every new key must have expires_at' })
  // null is not "no change" here: a boolean has no "unset", so null is refused like any non-boolean.
  @ValidateIf((dto: UpdateKeyPolicyDto) => dto.require_expiry !== undefined)
  @IsBoolean({ message: 'require_expiry must be true or false' })
  require_expiry?: boolean;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: MAX_POLICY_DAYS,
    example: 90,
    description: 'a new key must expire within this many days of its creation; null: no limit',
  })
  @IsOptional()
  @IsInt({ message: days('max_lifetime_days') })
  @Min(1, { message: days('max_lifetime_days') })
  @Max(MAX_POLICY_DAYS, { message: days('max_lifetime_days') })
  max_lifetime_days?: number | null;

  @ApiPropertyOptional({
    enum: ALL_SCOPES,
    isArray: true,
    nullable: true,
    minItems: 1,
    example: ['agents:read', 'deployments:read'],
    description: 'the scopes a new key may hold (`x:write` allows `x:read` too); null: any scope',
  })
  @IsOptional()
  @Transform(dedupe)
  @IsArray({ message: 'allowed_scopes must be a non-empty array of scopes, or null' })
  @ArrayNotEmpty({ message: 'allowed_scopes must be a non-empty array of scopes, or null' })
  @ArrayMaxSize(ALL_SCOPES.length)
  @AreKnownScopes()
  allowed_scopes?: Scope[] | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: MAX_POLICY_DAYS,
    example: 90,
    description: 'keys unused (or, never used, not created) for this many days are revoked (reason `unused`); null: never',
  })
  @IsOptional()
  @IsInt({ message: days('auto_revoke_unused_days') })
  @Min(1, { message: days('auto_revoke_unused_days') })
  @Max(MAX_POLICY_DAYS, { message: days('auto_revoke_unused_days') })
  auto_revoke_unused_days?: number | null;
}
