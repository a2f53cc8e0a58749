import { ApiProperty } from '@nestjs/swagger';
import { AGENT_STATUSES, AgentStatus } from '../agent.entity';

export class AgentResponse {
  @ApiProperty({ format: 'uuid', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }) id: string;
  @ApiProperty({ example: 'Support triage' }) name: string;
  @ApiProperty({ example: 'Routes incoming tickets', type: String, nullable: true }) description: string | null;
  @ApiProperty({ example: 'gpt-4o', type: String, nullable: true }) model: string | null;
  @ApiProperty({ enum: AGENT_STATUSES, example: 'active' }) status: AgentStatus;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) updated_at: string;
}

export class AgentPageResponse {
  @ApiProperty({ type: [AgentResponse] }) data: AgentResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page; null on the last page' })
  next_cursor: string | null;
}
