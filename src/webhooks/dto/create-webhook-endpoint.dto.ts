import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../webhook-events';

const dedupe = ({ value }: { value: unknown }) => (Array.isArray(value) ? [...new Set(value)] : value);
/** The URLs documented: http(s), a host of letters, digits, dots and dashes, an optional port and path (the server also takes IP literals). */
export const URL_PATTERN = '^https?://[a-z0-9-]+(\\.[a-z0-9-]+)*(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]*)*$';
export const URL_DESCRIPTION =
  'http or https (https only in production); refused (400) when its host resolves to a private, loopback, link-local, ' +
  'unique-local, CGNAT or unspecified address, unless the server sets WEBHOOK_ALLOW_PRIVATE_URLS';
export const EVENTS_MESSAGE = `events must be a non-empty list of: ${WEBHOOK_EVENT_TYPES.join(', ')}`;

export class CreateWebhookEndpointDto {
  @ApiProperty({
    example: 'https://hooks.example.com/kaizen',
    maxLength: 2048,
    format: 'uri',
    pattern: URL_PATTERN,
    description: URL_DESCRIPTION,
  })
  @IsString({ message: 'url must be a string' })
  @MaxLength(2048, { message: 'url must be at most 2048 characters' })
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, minItems: 1, example: ['api_key.created', 'api_key.revoked'] })
  @Transform(dedupe)
  @IsArray({ message: EVENTS_MESSAGE })
  @ArrayNotEmpty({ message: EVENTS_MESSAGE })
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length, { message: EVENTS_MESSAGE })
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: EVENTS_MESSAGE })
  events: WebhookEventType[];

  @ApiPropertyOptional({ example: 'Security alerts', maxLength: 500, nullable: true, type: String })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(500, { message: 'description must be at most 500 characters' })
  description?: string | null;
}
