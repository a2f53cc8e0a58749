import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, IsUUID, Length } from 'class-validator';
import { NOT_BLANK, trim } from '../../common/transforms';
import { IsOmittable } from '../../common/validation';
import { DEPLOYMENT_STATUSES, DeploymentStatus, Environment, ENVIRONMENTS } from '../deployment.entity';

export class CreateDeploymentDto {
  @ApiProperty({
    format: 'uuid',
    description: 'an agent of the same organization',
    example: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  })
  @IsUUID(undefined, { message: 'agent_id must be a UUID' })
  agent_id: string;

  @ApiProperty({ enum: ENVIRONMENTS, example: 'production' })
  @IsIn(ENVIRONMENTS, { message: `environment must be one of: ${ENVIRONMENTS.join(', ')}` })
  environment: Environment;

  @ApiProperty({ example: '1.4.2', minLength: 1, maxLength: 50, pattern: NOT_BLANK })
  @Transform(trim)
  @IsString({ message: 'version must be a string' })
  @Length(1, 50, { message: 'version must be 1 to 50 characters' })
  version: string;

  @ApiPropertyOptional({ enum: DEPLOYMENT_STATUSES, description: 'pending when omitted on create' })
  @IsOmittable()
  @IsIn(DEPLOYMENT_STATUSES, { message: `status must be one of: ${DEPLOYMENT_STATUSES.join(', ')}` })
  status?: DeploymentStatus;
}
