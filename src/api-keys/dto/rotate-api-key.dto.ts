import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsFutureIsoDateTime } from '../../common/iso-date-time.validator';

export const MAX_GRACE_PERIOD_SECONDS = 604_800;
export const DEFAULT_GRACE_PERIOD_SECONDS = 86_400;

export class RotateApiKeyDto {
  @ApiPropertyOptional({
    type: 'integer',
    example: 86400,
    default: DEFAULT_GRACE_PERIOD_SECONDS,
    minimum: 0,
    maximum: MAX_GRACE_PERIOD_SECONDS,
    description: 'how long the old key keeps working; 0 ends it now',
  })
  @IsOptional()
  @IsInt({ message: 'grace_period_seconds must be an integer' })
  @Min(0, { message: `grace_period_seconds must be between 0 and ${MAX_GRACE_PERIOD_SECONDS}` })
  @Max(MAX_GRACE_PERIOD_SECONDS, { message: `grace_period_seconds must be between 0 and ${MAX_GRACE_PERIOD_SECONDS}` })
  grace_period_seconds?: number;

  @ApiPropertyOptional({ example: '2030-12-31T23:59:59Z', format: 'date-time', description: "the new key's expiry; none when omitted" })
  @IsOptional()
  @IsFutureIsoDateTime()
  expires_at?: string;
}
