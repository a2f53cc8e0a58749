import { PartialType } from '@nestjs/swagger';
import { CreateGatewayDto } from './create-gateway.dto';

/** Every field optional; none may be null. */
export class UpdateGatewayDto extends PartialType(CreateGatewayDto, { skipNullProperties: false }) {}
