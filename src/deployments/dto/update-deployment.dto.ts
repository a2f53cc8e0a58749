import { PartialType } from '@nestjs/swagger';
import { CreateDeploymentDto } from './create-deployment.dto';

/** Every field optional; none may be null. */
export class UpdateDeploymentDto extends PartialType(CreateDeploymentDto, { skipNullProperties: false }) {}
