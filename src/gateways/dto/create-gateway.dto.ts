import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, IsUrl, Length, MaxLength } from 'class-validator';
import { NOT_BLANK, trim } from '../../common/transforms';
import { IsOmittable } from '../../common/validation';
import { GATEWAY_STATUSES, GatewayStatus } from '../gateway.entity';

/**
 * What @IsUrl() below accepts, as the document says it (a host name whose last label is not all
 * digits, or an IPv4 address; a port from 1 to 65535; no white space or angle brackets after).
 * IPv6 hosts and user:password@ are accepted too but left out of the documented form.
 */
const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?';
const IPV4_PART = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const PORT = '(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])';
export const HTTP_URL_PATTERN =
  `^https?://(?:(?:${LABEL}\\.)*[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?|${IPV4_PART}(?:\\.${IPV4_PART}){3})` +
  `(?::${PORT})?(?:[/?#][^\\s<>]*)?$`;

export class CreateGatewayDto {
  @ApiProperty({ example: 'EU edge', minLength: 1, maxLength: 100, pattern: NOT_BLANK })
  @Transform(trim)
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;

  @ApiProperty({
    example: 'https://eu.gateway.example.com',
    format: 'uri',
    maxLength: 2048,
    pattern: HTTP_URL_PATTERN,
    description: 'an http or https URL: a host name or IPv4 address, an optional port, then any path, query or fragment',
  })
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
