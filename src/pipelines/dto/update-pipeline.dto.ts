import { PartialType } from '@nestjs/swagger';
import { CreatePipelineDto } from './create-pipeline.dto';

/** Every field optional; null clears description, and is refused for the others. */
export class UpdatePipelineDto extends PartialType(CreatePipelineDto, { skipNullProperties: false }) {}
