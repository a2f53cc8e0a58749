import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, IsUrl, Length, MaxLength } from 'class-validator';
import { trim } from '../../common/transforms';
import { IsOmittable } from '../../common/validation';
import { GATEWAY_STATUSES, GatewayStatus } from '../gateway.entity';

export class CreateGatewayDto {
  @ApiProperty({ example: 'EU edge', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;

  @ApiProperty({ example: 'https://eu.gateway.example.com', maxLength: 2048, description: 'http or https only' })
  @Transform(trim)
  @IsString({ message: 'url must be a string' })
  @MaxLength(2048, { message: 'url must be at most 2048 characters' })
  // Only http(s): a javascript: or file: URL handed to a client or a fetcher is an injection.
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an http or https URL' },
  )
  url: string;

  @ApiPropertyOptional({ enum: GATEWAY_STATUSES, description: 'active when omitted on create' })
  @IsOmittable()
  @IsIn(GATEWAY_STATUSES, { message: `status must be one of: ${GATEWAY_STATUSES.join(', ')}` })
  status?: GatewayStatus;
}
