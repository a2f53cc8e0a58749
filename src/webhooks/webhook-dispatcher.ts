import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { Webhook } from 'standardwebhooks';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { appConfig } from '../config/app.config';
import { parseRetrySchedule, retryDelayMs } from './retry-schedule';
import { WebhookSecrets } from './webhook-secrets';
import { sendWebhook, SendResult } from './webhook-sender';

/** Deliveries one instance has in flight at most; the rest wait for the next claim. */
const MAX_IN_FLIGHT = 16;
/** A claimed delivery is someone's for its timeout plus this; then any instance may claim it again. */
const LEASE_MARGIN_MS = 5_000;

interface ClaimedRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  payload: Record<string, unknown>;
  attempts: number;
  url: string;
  secret_encrypted: string;
  organization_id: string;
}

/**
 * Sends the outbox, on every instance at once: each claims due rows with FOR UPDATE SKIP LOCKED
 * in one short statement (taking a lease: next_attempt_at moves past the attempt's timeout, and
 * attempts counts it), sends them outside any transaction, then records the result. A crashed
 * instance's rows come due again when their lease ends. Works on PostgreSQL and PGlite alike.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly schedule: number[];
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private pollAgain = false;
  private stopping = false;
  /** Set while polls fail (database away), so the outage is logged once, not every poll. */
  private pollFailing = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
    private readonly secrets: WebhookSecrets,
    private readonly audit: AuditService,
  ) {
    this.schedule = parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE);
  }

  /** Attempts per delivery: the first and one after each wait of the schedule. */
  get maxAttempts(): number {
    return this.schedule.length + 1;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.nudge(), this.config.WEBHOOK_POLL_MS);
    this.timer.unref();
    this.nudge();
  }

  /** Looks for due deliveries now (after this instance committed some), besides the regular poll. */
  nudge(): void {
    if (this.stopping) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    void this.poll().finally(() => (this.polling = false));
  }

  /** Stops claiming, and lets the deliveries in flight finish (each within its timeout) and record their result. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    while (this.polling || this.inFlight.size > 0) {
      await Promise.all([...this.inFlight]);
      if (this.polling) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async poll(): Promise<void> {
    try {
      do {
        this.pollAgain = false;
        const room = MAX_IN_FLIGHT - this.inFlight.size;
        if (room <= 0 || this.stopping) return;
        const claimed = await this.claim(room);
        for (const row of claimed) {
          const attempt: Promise<void> = this.attempt(row).finally(() => {
            this.inFlight.delete(attempt);
            // A slot is free: more may be waiting.
            if (claimed.length === room) this.nudge();
          });
          this.inFlight.add(attempt);
        }
        if (claimed.length === room) this.pollAgain = true;
      } while (this.pollAgain && !this.stopping);
      if (this.pollFailing) this.logger.log('webhook deliveries resumed');
      this.pollFailing = false;
    } catch (err) {
      // The database is away: the next poll tries again.
      if (!this.pollFailing) this.logger.warn(`webhook poll failed (retrying every poll): ${(err as Error).message}`);
      this.pollFailing = true;
    }
  }

  private async claim(limit: number): Promise<ClaimedRow[]> {
    const leaseSeconds = (this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS) / 1000;
    const [rows] = (await this.dataSource.query(
      `UPDATE webhook_deliveries d
          SET attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
         FROM webhook_endpoints e
        WHERE e.id = d.endpoint_id
          AND d.id IN (SELECT q.id FROM webhook_deliveries q
                         JOIN webhook_endpoints qe ON qe.id = q.endpoint_id AND qe.enabled
                        WHERE q.status = 'pending' AND q.next_attempt_at <= now()
                        ORDER BY q.next_attempt_at
                        LIMIT $1
                        FOR UPDATE OF q SKIP LOCKED)
      RETURNING d.id, d.endpoint_id, d.event_id, d.payload, d.attempts, e.url, e.secret_encrypted, e.organization_id`,
      [limit, leaseSeconds],
    )) as [ClaimedRow[], number];
    return rows;
  }

  private async attempt(row: ClaimedRow): Promise<void> {
    let result: SendResult;
    try {
      const secret = await this.secrets.open(row.secret_encrypted, row.endpoint_id);
      const body = JSON.stringify(row.payload);
      const now = new Date();
      const signature = new Webhook(secret).sign(row.event_id, now, body);
      result = await sendWebhook(row.url, body, {
        timeoutMs: this.config.WEBHOOK_TIMEOUT_MS,
        allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE_URLS,
        headers: {
          'webhook-id': row.event_id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
      });
    } catch (err) {
      this.logger.warn(`webhook delivery ${row.id} could not be signed: ${(err as Error).message}`);
      result = { ok: false, statusCode: null, error: 'could not sign the event' };
    }
    try {
      await this.dataSource.transaction((tx) => this.recordResult(tx, row, result));
    } catch (err) {
      // Its lease ends and it is sent again: at least once, never lost.
      this.logger.warn(`webhook delivery ${row.id}: result not recorded: ${(err as Error).message}`);
    }
  }

  private async recordResult(tx: EntityManager, row: ClaimedRow, result: SendResult): Promise<void> {
    const error = result.error ? result.error.slice(0, 200) : null;
    if (result.ok) {
      await tx.query(
        `UPDATE webhook_deliveries SET status = 'succeeded', delivered_at = now(), next_attempt_at = now(),
                last_status_code = $2, last_error = NULL WHERE id = $1`,
        [row.id, result.statusCode],
      );
      await tx.query(
        `UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL
          WHERE id = $1 AND consecutive_failures > 0`,
        [row.endpoint_id],
      );
      return;
    }
    const delay = retryDelayMs(this.schedule, row.attempts);
    const final = delay === null;
    await tx.query(
      `UPDATE webhook_deliveries SET status = $2, next_attempt_at = now() + make_interval(secs => $3),
              last_status_code = $4, last_error = $5 WHERE id = $1`,
      [row.id, final ? 'failed' : 'pending', final ? 0 : delay / 1000, result.statusCode, error],
    );
    const [[endpoint]] = (await tx.query(
      `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
              failing_since = COALESCE(failing_since, now())
        WHERE id = $1 RETURNING consecutive_failures, enabled`,
      [row.endpoint_id],
    )) as [Array<{ consecutive_failures: number; enabled: boolean }>, number];
    // Disabled when a delivery has spent its whole schedule (24 h and more by default) and the
    // endpoint has answered none of its last that-many attempts, to any delivery.
    if (final && endpoint && endpoint.enabled && endpoint.consecutive_failures >= this.maxAttempts) {
      await this.disable(tx, row, endpoint.consecutive_failures);
    }
  }

  private async disable(tx: EntityManager, row: ClaimedRow, failures: number): Promise<void> {
    const reason = `${failures} delivery attempts in a row failed (last delivery ${row.event_id} gave up)`;
    const [updated] = (await tx.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now()
        WHERE id = $1 AND enabled RETURNING id`,
      [row.endpoint_id, reason.slice(0, 200)],
    )) as [unknown[], number];
    if (updated.length === 0) return;
    this.logger.warn(`webhook endpoint ${row.endpoint_id} disabled: ${reason}`);
    await this.audit.record(
      {
        organizationId: row.organization_id,
        action: 'webhook_endpoint.disabled',
        actor: { type: 'system', id: null, clientIp: null, userAgent: null },
        targetType: 'webhook_endpoint',
        targetId: row.endpoint_id,
        metadata: { url: row.url, reason, consecutive_failures: failures },
      },
      tx,
    );
  }
}
