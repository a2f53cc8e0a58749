import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Page, PageQueryDto, paginate } from '../common/pagination';
import { appConfig } from '../config/app.config';
import { CreateWebhookEndpointDto } from './dto/create-webhook-endpoint.dto';
import { UpdateWebhookEndpointDto } from './dto/update-webhook-endpoint.dto';
import {
  CreatedWebhookEndpointResponse,
  DeliveryAcceptedResponse,
  WebhookDeliveryResponse,
  WebhookEndpointResponse,
} from './dto/webhook.response';
import { assertSafeWebhookUrl, UnsafeUrlError } from './url-safety';
import { WebhookDelivery } from './webhook-delivery.entity';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { newEventId, testPayload, TEST_EVENT_TYPE } from './webhook-events';
import { WebhookSecrets } from './webhook-secrets';

function toEndpointResponse(e: WebhookEndpoint): WebhookEndpointResponse {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    enabled: e.enabled,
    disabled_reason: e.disabledReason,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

function toDeliveryResponse(d: WebhookDelivery): WebhookDeliveryResponse {
  return {
    id: d.id,
    event_id: d.eventId,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    next_attempt_at: d.nextAttemptAt.toISOString(),
    created_at: d.createdAt.toISOString(),
    delivered_at: d.deliveredAt ? d.deliveredAt.toISOString() : null,
  };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((item, i) => item === b[i]);

/** Organizations' webhook endpoints, their delivery log, test pings and redeliveries. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectRepository(WebhookEndpoint) private readonly endpoints: Repository<WebhookEndpoint>,
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
    private readonly secrets: WebhookSecrets,
    private readonly audit: AuditService,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  /** Registers an endpoint; its signing secret is in the answer only. */
  async create(organizationId: string, dto: CreateWebhookEndpointDto, actor: AuditActor): Promise<CreatedWebhookEndpointResponse> {
    const url = await this.checkUrl(dto.url);
    const id = randomUUID();
    const { secret, sealed } = await this.secrets.issue(id);
    const saved = await this.endpoints.manager.transaction(async (tx) => {
      await tx.getRepository(WebhookEndpoint).insert({
        id,
        organizationId,
        url,
        events: dto.events,
        description: dto.description ?? null,
        secretEncrypted: sealed,
      });
      await this.recordChange(tx, 'webhook_endpoint.created', organizationId, id, actor, { url, events: dto.events });
      return tx.getRepository(WebhookEndpoint).findOneByOrFail({ id });
    });
    return { ...toEndpointResponse(saved), secret };
  }

  list(organizationId: string, query: PageQueryDto): Promise<Page<WebhookEndpointResponse>> {
    const qb = this.endpoints.createQueryBuilder('endpoint').where('endpoint.organizationId = :organizationId', { organizationId });
    return paginate(qb, query, toEndpointResponse);
  }

  async get(organizationId: string, id: string): Promise<WebhookEndpointResponse> {
    return toEndpointResponse(await this.find(this.endpoints.manager, organizationId, id));
  }

  /** Changes url, events, description or enabled (nothing named: nothing changes); enabling again clears the failure record. */
  async update(organizationId: string, id: string, dto: UpdateWebhookEndpointDto, actor: AuditActor): Promise<WebhookEndpointResponse> {
    const url = dto.url === undefined ? undefined : await this.checkUrl(dto.url);
    const updated = await this.endpoints.manager.transaction(async (tx) => {
      const endpoint = await this.find(tx, organizationId, id, true);
      const changes: Record<string, { before: unknown; after: unknown }> = {};
      const patch: Partial<WebhookEndpoint> = {};
      if (url !== undefined && url !== endpoint.url) {
        changes.url = { before: endpoint.url, after: url };
        patch.url = url;
      }
      if (dto.events && !sameList(dto.events, endpoint.events)) {
        changes.events = { before: endpoint.events, after: dto.events };
        patch.events = dto.events;
      }
      if (dto.description !== undefined && (dto.description ?? null) !== endpoint.description) {
        changes.description = { before: endpoint.description, after: dto.description ?? null };
        patch.description = dto.description ?? null;
      }
      if (dto.enabled !== undefined && dto.enabled !== endpoint.enabled) {
        changes.enabled = { before: endpoint.enabled, after: dto.enabled };
        patch.enabled = dto.enabled;
        patch.disabledReason = dto.enabled ? null : 'disabled by a user';
        if (dto.enabled) {
          patch.consecutiveFailures = 0;
          patch.failingSince = null;
        }
      }
      if (Object.keys(patch).length === 0) return endpoint;
      await tx.getRepository(WebhookEndpoint).update({ id, organizationId }, patch);
      await this.recordChange(tx, 'webhook_endpoint.updated', organizationId, id, actor, { url: patch.url ?? endpoint.url, changes });
      return this.find(tx, organizationId, id);
    });
    if (dto.enabled) this.dispatcher.nudge();
    return toEndpointResponse(updated);
  }

  async remove(organizationId: string, id: string, actor: AuditActor): Promise<void> {
    await this.endpoints.manager.transaction(async (tx) => {
      const endpoint = await this.find(tx, organizationId, id, true);
      await tx.getRepository(WebhookEndpoint).delete({ id, organizationId });
      await this.recordChange(tx, 'webhook_endpoint.deleted', organizationId, id, actor, { url: endpoint.url });
    });
  }

  /** A new signing secret, shown once; the old one stops signing at once. */
  async rotateSecret(organizationId: string, id: string, actor: AuditActor): Promise<{ secret: string }> {
    const { secret, sealed } = await this.secrets.issue(id);
    await this.endpoints.manager.transaction(async (tx) => {
      const endpoint = await this.find(tx, organizationId, id, true);
      await tx.getRepository(WebhookEndpoint).update({ id, organizationId }, { secretEncrypted: sealed });
      await this.recordChange(tx, 'webhook_endpoint.updated', organizationId, id, actor, {
        url: endpoint.url,
        rotated: 'signing secret',
      });
    });
    return { secret };
  }

  /** Queues a webhook.test event for this endpoint alone (subscribed or not). */
  async test(organizationId: string, id: string): Promise<DeliveryAcceptedResponse> {
    await this.find(this.endpoints.manager, organizationId, id);
    const delivery = await this.deliveries.save(
      this.deliveries.create({
        endpointId: id,
        eventId: newEventId(),
        eventType: TEST_EVENT_TYPE,
        payload: testPayload(organizationId, id, new Date()) as unknown as Record<string, unknown>,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: new Date(),
      }),
    );
    this.dispatcher.nudge();
    return { delivery_id: delivery.id };
  }

  async listDeliveries(organizationId: string, id: string, query: PageQueryDto): Promise<Page<WebhookDeliveryResponse>> {
    await this.find(this.endpoints.manager, organizationId, id);
    const qb = this.deliveries.createQueryBuilder('delivery').where('delivery.endpointId = :id', { id });
    return paginate(qb, query, toDeliveryResponse);
  }

  /** A new attempt series of the same event: same webhook-id, so a receiver that has it can drop it. */
  async redeliver(organizationId: string, id: string, deliveryId: string): Promise<DeliveryAcceptedResponse> {
    await this.find(this.endpoints.manager, organizationId, id);
    const original = await this.deliveries.findOneBy({ id: deliveryId, endpointId: id });
    if (!original) throw new NotFoundException('Delivery not found');
    const copy = await this.deliveries.save(
      this.deliveries.create({
        endpointId: id,
        eventId: original.eventId,
        eventType: original.eventType,
        payload: original.payload,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: new Date(),
      }),
    );
    this.dispatcher.nudge();
    return { delivery_id: copy.id };
  }

  private async checkUrl(raw: string): Promise<string> {
    try {
      const url = await assertSafeWebhookUrl(raw, {
        allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE_URLS,
        production: this.config.NODE_ENV === 'production',
      });
      return url.toString();
    } catch (err) {
      if (err instanceof UnsafeUrlError) throw new BadRequestException(err.message);
      throw err;
    }
  }

  private async find(tx: EntityManager, organizationId: string, id: string, lock = false): Promise<WebhookEndpoint> {
    const endpoint = await tx.getRepository(WebhookEndpoint).findOne({
      where: { id, organizationId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!endpoint) throw new NotFoundException('Webhook endpoint not found');
    return endpoint;
  }

  private recordChange(
    tx: EntityManager,
    action: 'webhook_endpoint.created' | 'webhook_endpoint.updated' | 'webhook_endpoint.deleted',
    organizationId: string,
    id: string,
    actor: AuditActor,
    metadata: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record({ organizationId, action, actor, targetType: 'webhook_endpoint', targetId: id, metadata }, tx);
  }
}
