import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Actor } from '../audit/actor.decorator';
import type { AuditActor } from '../audit/audit.service';
import { CurrentUser } from '../auth/current-principal.decorator';
import { UserPrincipal } from '../auth/principal';
import { UsersOnly } from '../auth/users-only.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { Page, PageQueryDto } from '../common/pagination';
import { UuidParam } from '../common/uuid.pipe';
import { CreateWebhookEndpointDto } from './dto/create-webhook-endpoint.dto';
import { UpdateWebhookEndpointDto } from './dto/update-webhook-endpoint.dto';
import {
  CreatedWebhookEndpointResponse,
  DeliveryAcceptedResponse,
  WebhookDeliveryPageResponse,
  WebhookDeliveryResponse,
  WebhookEndpointPageResponse,
  WebhookEndpointResponse,
  WebhookEventPayloadSchema,
  WebhookSecretResponse,
} from './dto/webhook.response';
import { WebhooksService } from './webhooks.service';

const ID = 'id';

const signatureHeader = (name: string, description: string, example: string) => ({
  name,
  in: 'header' as const,
  required: true,
  description,
  schema: { type: 'string' as const },
  example,
});

/** What the registered URL receives: one signed POST per event (Standard Webhooks). */
const EVENT_CALLBACK = {
  '{$request.body#/url}': {
    post: {
      summary: 'An event, POSTed to the endpoint',
      description:
        'Verify it with a Standard Webhooks library and the endpoint secret before trusting it; ' +
        'deduplicate on webhook-id (a retry or redelivery repeats it).',
      parameters: [
        signatureHeader('webhook-id', 'The event id; the same on every retry and redelivery', 'msg_2b6c1f0e9d8a4b7c8e5f3a2d1c0b9a8e'),
        signatureHeader('webhook-timestamp', 'Seconds since the Unix epoch when this attempt was signed', '1705312800'),
        signatureHeader('webhook-signature', 'v1,<base64 HMAC-SHA256 of "id.timestamp.body">', 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4='),
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: getSchemaPath(WebhookEventPayloadSchema) } } },
      },
      responses: {
        '200': { description: 'Any 2xx acknowledges the event; anything else, a redirect or no answer in time is retried' },
      },
    },
  },
};
const DELIVERY_ID = 'delivery_id';

/** Webhook endpoints, for owners and admins signed in (never an API key). */
@ApiTags('webhooks')
@UsersOnly('owner', 'admin')
@ApiExtraModels(WebhookEventPayloadSchema)
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: 'Register an endpoint; its signing secret is in this response only',
    description:
      'Events are POSTed to the url as WebhookEventPayloadSchema (the `event` callback), signed per Standard Webhooks: ' +
      'headers webhook-id, webhook-timestamp and webhook-signature.',
    callbacks: { event: EVENT_CALLBACK },
  })

  @ApiCreatedResponse({ type: CreatedWebhookEndpointResponse })
  @ApiErrors({ 400: 'url is invalid or resolves to a non-public address, or events is empty or names an unknown event' })
  create(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: CreateWebhookEndpointDto,
    @Actor() actor: AuditActor,
  ): Promise<CreatedWebhookEndpointResponse> {
    return this.webhooks.create(user.organizationId, dto, actor);
  }

  @Get()
  @ApiOperation({ summary: "List the organization's endpoints, newest first" })
  @ApiOkResponse({ type: WebhookEndpointPageResponse })
  @ApiErrors({ 400: 'limit or cursor is invalid' })
  list(@CurrentUser() user: UserPrincipal, @Query() query: PageQueryDto): Promise<Page<WebhookEndpointResponse>> {
    return this.webhooks.list(user.organizationId, query);
  }

  @Get(`:${ID}`)
  @ApiOperation({ summary: 'Read an endpoint' })
  @ApiParam({ name: ID, format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'Webhook endpoint not found' })
  get(@CurrentUser() user: UserPrincipal, @Param(ID, UuidParam(ID)) id: string): Promise<WebhookEndpointResponse> {
    return this.webhooks.get(user.organizationId, id);
  }

  @Patch(`:${ID}`)
  @ApiOperation({
    summary: "Change an endpoint's url, events, description or enabled",
    description:
      'enabled: true re-enables an endpoint the service disabled, and resets its failure count. ' +
      'Fields left out keep their value; a change is audited as webhook_endpoint.updated.',
  })
  @ApiParam({ name: ID, format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointResponse })
  @ApiErrors({ 400: 'A field is invalid (see POST)', 404: 'Webhook endpoint not found' })
  update(
    @CurrentUser() user: UserPrincipal,
    @Param(ID, UuidParam(ID)) id: string,
    @Body() dto: UpdateWebhookEndpointDto,
    @Actor() actor: AuditActor,
  ): Promise<WebhookEndpointResponse> {
    return this.webhooks.update(user.organizationId, id, dto, actor);
  }

  @Delete(`:${ID}`)
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an endpoint and its delivery log' })
  @ApiParam({ name: ID, format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'Webhook endpoint not found' })
  remove(@CurrentUser() user: UserPrincipal, @Param(ID, UuidParam(ID)) id: string, @Actor() actor: AuditActor): Promise<void> {
    return this.webhooks.remove(user.organizationId, id, actor);
  }

  @Post(`:${ID}/rotate-secret`)
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the signing secret; the new one is in this response only' })
  @ApiParam({ name: ID, format: 'uuid' })
  @ApiOkResponse({ type: WebhookSecretResponse })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'Webhook endpoint not found' })
  rotateSecret(
    @CurrentUser() user: UserPrincipal,
    @Param(ID, UuidParam(ID)) id: string,
    @Actor() actor: AuditActor,
  ): Promise<WebhookSecretResponse> {
    return this.webhooks.rotateSecret(user.organizationId, id, actor);
  }

  @Post(`:${ID}/test`)
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a webhook.test event to this endpoint' })
  @ApiParam({ name: ID, format: 'uuid' })
  @ApiAcceptedResponse({ type: DeliveryAcceptedResponse })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'Webhook endpoint not found' })
  test(@CurrentUser() user: UserPrincipal, @Param(ID, UuidParam(ID)) id: string): Promise<DeliveryAcceptedResponse> {
    return this.webhooks.test(user.organizationId, id);
  }

  @Get(`:${ID}/deliveries`)
  @ApiOperation({ summary: "The endpoint's delivery log, newest first" })
  @ApiParam({ name: ID, format: 'uuid' })
  @ApiOkResponse({ type: WebhookDeliveryPageResponse })
  @ApiErrors({ 400: 'id, limit or cursor is invalid', 404: 'Webhook endpoint not found' })
  deliveries(
    @CurrentUser() user: UserPrincipal,
    @Param(ID, UuidParam(ID)) id: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<WebhookDeliveryResponse>> {
    return this.webhooks.listDeliveries(user.organizationId, id, query);
  }

  @Post(`:${ID}/deliveries/:${DELIVERY_ID}/redeliver`)
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivered or failed event again (same webhook-id)' })
  @ApiParam({ name: ID, format: 'uuid' })
  @ApiParam({ name: DELIVERY_ID, format: 'uuid' })
  @ApiAcceptedResponse({ type: DeliveryAcceptedResponse })
  @ApiErrors({ 400: 'id or delivery_id is not a UUID', 404: 'Webhook endpoint or delivery not found' })
  redeliver(
    @CurrentUser() user: UserPrincipal,
    @Param(ID, UuidParam(ID)) id: string,
    @Param(DELIVERY_ID, UuidParam(DELIVERY_ID)) deliveryId: string,
  ): Promise<DeliveryAcceptedResponse> {
    return this.webhooks.redeliver(user.organizationId, id, deliveryId);
  }
}
