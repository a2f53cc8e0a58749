import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { KeyStatus } from './api-key.response';

export class ListApiKeysQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'expired', 'revoked'] })
  @IsOptional()
  @IsIn(['active', 'expired', 'revoked'], { message: 'status must be one of: active, expired, revoked' })
  status?: KeyStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 3650, description: 'only keys not used (or, if never used, not created) in the last N days' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'unused_for_days must be an integer between 1 and 3650' })
  @Min(1, { message: 'unused_for_days must be an integer between 1 and 3650' })
  @Max(3650, { message: 'unused_for_days must be an integer between 1 and 3650' })
  unused_for_days?: number;
}
