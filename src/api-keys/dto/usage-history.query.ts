import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsIsoDateTime } from '../../common/iso-date-time.validator';

export class UsageHistoryQuery {
  @ApiPropertyOptional({ enum: ['hour', 'day'], default: 'hour' })
  @IsOptional()
  @IsIn(['hour', 'day'], { message: 'granularity must be hour or day' })
  granularity?: 'hour' | 'day';

  @ApiPropertyOptional({ format: 'date-time', description: 'inclusive; default: 24 hours (hour) or 30 days (day) before `to`' })
  @IsOptional()
  @IsIsoDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'exclusive; default: now' })
  @IsOptional()
  @IsIsoDateTime()
  to?: string;
}
