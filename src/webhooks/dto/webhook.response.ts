import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { DELIVERY_STATUSES, DeliveryStatus } from '../webhook-delivery.entity';
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES } from '../webhook-events';

const DATE = { type: String, format: 'date-time', example: '2024-01-15T10:00:00.000Z' };

export class WebhookEndpointResponse {
  @ApiProperty({ format: 'uuid', example: '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }) id: string;
  @ApiProperty({ example: 'https://hooks.example.com/kaizen' }) url: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['api_key.created'] }) events: string[];
  @ApiProperty({ type: String, nullable: true, example: 'Security alerts' }) description: string | null;
  @ApiProperty({ example: true }) enabled: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'why the service disabled the endpoint (repeated failures) or that a user did',
  })
  disabled_reason: string | null;
  @ApiProperty(DATE) created_at: string;
  @ApiProperty(DATE) updated_at: string;
}

export class CreatedWebhookEndpointResponse extends WebhookEndpointResponse {
  @ApiProperty({
    pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The Standard Webhooks signing secret. Shown only in this response: store it now.',
  })
  secret: string;
}

export class WebhookSecretResponse {
  @ApiProperty({
    pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The new signing secret, shown only here; the old one stops signing at once.',
  })
  secret: string;
}

export class WebhookEndpointPageResponse {
  @ApiProperty({ type: [WebhookEndpointResponse] }) data: WebhookEndpointResponse[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

export class WebhookDeliveryResponse {
  @ApiProperty({ format: 'uuid', example: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' }) id: string;
  @ApiProperty({ example: 'msg_2b6c1f0e9d8a4b7c8e5f3a2d1c0b9a8e', description: 'sent as webhook-id; kept by a redelivery' })
  event_id: string;
  @ApiProperty({ enum: [...WEBHOOK_EVENT_TYPES, TEST_EVENT_TYPE], example: 'api_key.created' }) event_type: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'succeeded' }) status: DeliveryStatus;
  @ApiProperty({ type: 'integer', example: 1 }) attempts: number;
  @ApiProperty({ type: 'integer', nullable: true, example: 200 }) last_status_code: number | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'why the last attempt failed' })
  last_error: string | null;
  @ApiProperty({ ...DATE, description: 'when the next attempt is due (pending deliveries)' }) next_attempt_at: string;
  @ApiProperty(DATE) created_at: string;
  @ApiProperty({ ...DATE, nullable: true }) delivered_at: string | null;
}

export class WebhookDeliveryPageResponse {
  @ApiProperty({ type: [WebhookDeliveryResponse] }) data: WebhookDeliveryResponse[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

export class DeliveryAcceptedResponse {
  @ApiProperty({ format: 'uuid', example: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' }) delivery_id: string;
}

/** `data` of an event: listed fields always present (target and actor for audit events), plus the event's metadata. */
const EVENT_DATA_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  required: ['organization_id'],
  additionalProperties: true,
  properties: {
    organization_id: { type: 'string', format: 'uuid' },
    target_type: { type: 'string', enum: ['api_key', 'member', 'organization', 'webhook_endpoint'] },
    target_id: { type: 'string', format: 'uuid', nullable: true },
    endpoint_id: { type: 'string', format: 'uuid', description: 'webhook.test only' },
    actor: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'id'],
      properties: {
        type: { type: 'string', enum: ['user', 'api_key', 'system'] },
        id: { type: 'string', format: 'uuid', nullable: true },
      },
    },
  },
};

/**
 * What an endpoint receives (POST, application/json), signed per Standard Webhooks: headers
 * webhook-id (the event id), webhook-timestamp and webhook-signature. `data` also carries the
 * event's metadata, as the audit log records it (e.g. name, key_prefix, reason, role).
 */
export class WebhookEventPayloadSchema {
  @ApiProperty({ enum: [...WEBHOOK_EVENT_TYPES, TEST_EVENT_TYPE], example: 'api_key.revoked' }) type: string;
  @ApiProperty({ ...DATE, description: 'when the event happened' }) timestamp: string;
  @ApiProperty({
    ...EVENT_DATA_SCHEMA,
    description: "organization_id, the target, the actor, and the event's metadata (e.g. name, key_prefix, reason)",
    example: {
      organization_id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
      target_type: 'api_key',
      target_id: '3f0e8d4c-9a1b-4c2d-8e7f-5a6b7c8d9e0f',
      name: 'CI/CD Pipeline',
      key_prefix: 'sk_live_a1b2c3d4',
      reason: 'user',
      actor: { type: 'user', id: '9b2f7c1e-4d3a-4f5b-8c6d-7e8f9a0b1c2d' },
    },
  })
  data: Record<string, unknown>;
}
