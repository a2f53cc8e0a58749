import { ApiProperty } from '@nestjs/swagger';
import { DEPLOYMENT_STATUSES, DeploymentStatus, Environment, ENVIRONMENTS } from '../deployment.entity';

export class DeploymentResponse {
  @ApiProperty({ format: 'uuid', example: '0b9c2f3e-5d1a-4e8b-9c7d-2a3b4c5d6e7f' }) id: string;
  @ApiProperty({ format: 'uuid', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }) agent_id: string;
  @ApiProperty({ enum: ENVIRONMENTS, example: 'production' }) environment: Environment;
  @ApiProperty({ example: '1.4.2' }) version: string;
  @ApiProperty({ enum: DEPLOYMENT_STATUSES, example: 'running' }) status: DeploymentStatus;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) updated_at: string;
}

export class DeploymentPageResponse {
  @ApiProperty({ type: [DeploymentResponse] }) data: DeploymentResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page; null on the last page' })
  next_cursor: string | null;
}
