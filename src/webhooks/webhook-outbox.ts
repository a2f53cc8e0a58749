import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { AuditEntry, AuditService } from '../audit/audit.service';
import { eventPayload, isWebhookEvent, newEventId, WebhookEventPayload } from './webhook-events';
import { WebhookDispatcher } from './webhook-dispatcher';

/**
 * Writes the outbox: subscribed to the audit log, it turns each entry that is an event into one
 * delivery row per enabled endpoint of the organization subscribed to it, in the transaction that
 * writes the entry, so an event exists exactly when its change committed. One indexed INSERT ...
 * SELECT per event, which finds no endpoint at the cost of one index probe.
 */
@Injectable()
export class WebhookOutbox implements OnModuleInit, EntitySubscriberInterface {
  /** Transactions of this process that wrote deliveries: their commit nudges the dispatcher. */
  private readonly wrote = new WeakSet<QueryRunner>();

  constructor(
    private readonly audit: AuditService,
    private readonly dispatcher: WebhookDispatcher,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.audit.onRecorded((entry, tx) => this.onAuditEntry(entry, tx), isWebhookEvent);
    // TypeORM tells subscribers when a transaction commits: the moment the rows become claimable.
    this.dataSource.subscribers.push(this);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (!this.wrote.has(event.queryRunner)) return;
    this.wrote.delete(event.queryRunner);
    this.dispatcher.nudge();
  }

  private async onAuditEntry(entry: AuditEntry, tx: EntityManager): Promise<void> {
    if (!isWebhookEvent(entry.action)) return;
    const written = await this.enqueue(tx, entry.organizationId, entry.action, eventPayload(entry, new Date()));
    if (written > 0 && tx.queryRunner) this.wrote.add(tx.queryRunner);
  }

  /** One delivery per enabled endpoint of the organization that subscribed to `type`; how many. */
  private async enqueue(tx: EntityManager, organizationId: string, type: string, payload: WebhookEventPayload): Promise<number> {
    const rows = (await tx.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, payload, next_attempt_at)
       SELECT id, $2, $3::varchar, $4::jsonb, now() FROM webhook_endpoints
        WHERE organization_id = $1 AND enabled AND $3::text = ANY(events)
       RETURNING id`,
      [organizationId, newEventId(), type, JSON.stringify(payload)],
    )) as unknown[];
    return rows.length;
  }
}
