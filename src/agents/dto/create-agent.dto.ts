import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { NOT_BLANK, trim } from '../../common/transforms';
import { IsOmittable } from '../../common/validation';
import { AGENT_STATUSES, AgentStatus } from '../agent.entity';

export class CreateAgentDto {
  @ApiProperty({ example: 'Support triage', minLength: 1, maxLength: 100, pattern: NOT_BLANK })
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;

  @ApiPropertyOptional({ type: String, example: 'Routes incoming tickets', maxLength: 1000, nullable: true })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(1000, { message: 'description must be at most 1000 characters' })
  description?: string | null;

  @ApiPropertyOptional({ type: String, example: 'gpt-4o', maxLength: 100, nullable: true })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'model must be a string' })
  @MaxLength(100, { message: 'model must be at most 100 characters' })
  model?: string | null;

  @ApiPropertyOptional({ enum: AGENT_STATUSES, description: 'active when omitted on create' })
  @IsOmittable()
  @IsIn(AGENT_STATUSES, { message: `status must be one of: ${AGENT_STATUSES.join(', ')}` })
  status?: AgentStatus;
}
