import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { IsIsoDateTime } from '../../common/iso-date-time.validator';
import { PageQueryDto } from '../../common/pagination';
import { ACTOR_TYPES, ActorType, AUDIT_ACTIONS, AuditAction } from '../audit-log.entity';

export class ListAuditLogsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, example: 'api_key.revoked' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `action must be one of: ${AUDIT_ACTIONS.join(', ')}` })
  action?: AuditAction;

  @ApiPropertyOptional({ format: 'uuid', description: 'the user or API key that acted' })
  @IsOptional()
  @IsUUID('all', { message: 'actor_id must be a UUID' })
  actor_id?: string;

  @ApiPropertyOptional({ enum: ACTOR_TYPES })
  @IsOptional()
  @IsIn(ACTOR_TYPES, { message: `actor_type must be one of: ${ACTOR_TYPES.join(', ')}` })
  actor_type?: ActorType;

  @ApiPropertyOptional({ format: 'uuid', description: 'the key or member (user id) acted upon' })
  @IsOptional()
  @IsUUID('all', { message: 'target_id must be a UUID' })
  target_id?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2024-01-15T00:00:00Z', description: 'inclusive' })
  @IsOptional()
  @IsIsoDateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2024-01-16T00:00:00Z', description: 'exclusive' })
  @IsOptional()
  @IsIsoDateTime()
  to?: string;
}
