import { PartialType } from '@nestjs/swagger';
import { CreateAgentDto } from './create-agent.dto';

/** Every field optional; null clears description or model, and is refused for the others. */
export class UpdateAgentDto extends PartialType(CreateAgentDto, { skipNullProperties: false }) {}
