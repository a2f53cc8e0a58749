import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditActor, AuditService } from '../../audit/audit.service';
import { Clock } from '../../common/clock';
import { appConfig } from '../../config/app.config';
import { ApiKeysService } from '../api-keys.service';
import { JobLease } from './job-lease';

export const KEY_POLICY_JOB = 'key-policy';
/** The thresholds of `api_key.expiring`: days left before a key's expires_at. */
export const EXPIRY_NOTICE_DAYS = [7, 1] as const;

const DAY_MS = 86_400_000;
/** Keys read per query; a run goes on until a query returns fewer. */
const BATCH = 200;
/** A run's lease; the runs take seconds, and an overlap past it would still act once per key (see below). */
const LEASE_MS = 10 * 60_000;
const SYSTEM: AuditActor = { type: 'system', id: null, clientIp: null, userAgent: null };

export interface KeyPolicyRunResult {
  revoked: number;
  notified: number;
}

interface ExpiringKey {
  id: string;
  organization_id: string;
  name: string;
  key_prefix: string;
  expires_at: Date;
  days_left: number;
}

/**
 * Enforces key policies on existing keys, every KEY_POLICY_JOB_MS, on one instance at a time (JobLease):
 *
 * 1. revokes the active, unexpired keys unused (or, never used, not created) for longer than their
 *    organization's auto_revoke_unused_days, through ApiKeysService.revoke (reason `unused`), so every
 *    instance drops them at once and the revocation is audited once even if two runs overlapped;
 * 2. records `api_key.expiring` 7 days and 1 day before an active key's expires_at, each once per key,
 *    threshold and expiry date: the notice row and the audit entry commit together, and the notice's
 *    primary key refuses a second one. A key whose expires_at changes is notified again for its new
 *    date. Keys already rotated (their successor is the key to watch), revoked or expired get none, and
 *    a key found inside a threshold late (created with 3 days to live, or the job was down) gets only
 *    the nearest notice, once.
 *
 * Times come from Clock, so a test can move them; the lease and revoked_at use the database's clock.
 */
@Injectable()
export class KeyPolicyJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(KeyPolicyJob.name);
  private readonly intervalMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly lease: JobLease,
    @Inject(appConfig.KEY) config: Pick<ConfigType<typeof appConfig>, 'KEY_POLICY_JOB_MS'>,
  ) {
    this.intervalMs = config.KEY_POLICY_JOB_MS;
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  /** Stops scheduling and waits for a run in progress, before the database connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One run if no other instance is running the job; null when another holds the lease. */
  async runIfLeader(): Promise<KeyPolicyRunResult | null> {
    if (!(await this.lease.acquire(KEY_POLICY_JOB, LEASE_MS))) return null;
    let result: KeyPolicyRunResult | undefined;
    let error: string | undefined;
    try {
      result = await this.runOnce();
      return result;
    } catch (err) {
      error = (err as Error).message ?? String(err);
      throw err;
    } finally {
      await this.lease
        .release(KEY_POLICY_JOB, { result: result && { ...result }, error })
        .catch((err: Error) => this.logger.warn(`Key policy job lease not released (it lapses by itself): ${err.message}`));
    }
  }

  /** One pass over every organization's keys, without the lease (runIfLeader takes it). */
  async runOnce(): Promise<KeyPolicyRunResult> {
    const now = this.clock.now();
    const revoked = await this.revokeUnused(now);
    const notified = await this.recordExpiring(now);
    // Notices matter only until their key expires: a key past expiry is never notified again.
    await this.dataSource.query(`DELETE FROM api_key_expiry_notices WHERE expires_at < $1`, [new Date(now.getTime() - DAY_MS)]);
    if (revoked || notified) this.logger.log(`Key policy job: ${revoked} unused keys revoked, ${notified} expiry notices recorded`);
    return { revoked, notified };
  }

  private schedule(): void {
    if (this.stopped) return;
    // A chain of timeouts, not an interval: a slow run is never overlapped by this process's next one.
    this.timer = setTimeout(() => {
      this.running = this.runIfLeader()
        .then(() => undefined)
        .catch((err: Error) => this.logger.warn(`Key policy job failed (next run in ${this.intervalMs} ms): ${err.message}`))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async revokeUnused(now: Date): Promise<number> {
    const policies: { organization_id: string; auto_revoke_unused_days: number }[] = await this.dataSource.query(
      `SELECT organization_id, auto_revoke_unused_days FROM organization_key_policies WHERE auto_revoke_unused_days IS NOT NULL`,
    );
    let revoked = 0;
    for (const policy of policies) {
      const cutoff = new Date(now.getTime() - policy.auto_revoke_unused_days * DAY_MS);
      for (;;) {
        // (organization_id, COALESCE(last_used_at, created_at)) is IDX_api_keys_organization_last_activity.
        const keys: { id: string }[] = await this.dataSource.query(
          `SELECT id FROM api_keys
           WHERE organization_id = $1 AND COALESCE(last_used_at, created_at) < $2
             AND status = 'active' AND (expires_at IS NULL OR expires_at > $3)
           ORDER BY COALESCE(last_used_at, created_at) LIMIT $4`,
          [policy.organization_id, cutoff, now, BATCH],
        );
        for (const key of keys) {
          await this.apiKeys.revoke(key.id, undefined, SYSTEM, 'unused');
          revoked += 1;
        }
        if (keys.length < BATCH) break;
      }
    }
    return revoked;
  }

  private async recordExpiring(now: Date): Promise<number> {
    const [nearest, farthest] = [Math.min(...EXPIRY_NOTICE_DAYS), Math.max(...EXPIRY_NOTICE_DAYS)];
    let notified = 0;
    for (;;) {
      // IDX_api_keys_active_expires_at covers exactly these keys (active, with an expiry, not rotated).
      const keys: ExpiringKey[] = await this.dataSource.query(
        `SELECT k.id, k.organization_id, k.name, k.key_prefix, k.expires_at, d.days_left
         FROM api_keys k
         CROSS JOIN LATERAL (SELECT CASE WHEN k.expires_at <= $2 THEN ${nearest} ELSE ${farthest} END AS days_left) d
         WHERE k.status = 'active' AND k.expires_at IS NOT NULL AND k.replaced_by_id IS NULL
           AND k.expires_at > $1 AND k.expires_at <= $3
           AND NOT EXISTS (SELECT 1 FROM api_key_expiry_notices n
                           WHERE n.key_id = k.id AND n.days_left = d.days_left AND n.expires_at = k.expires_at)
         ORDER BY k.expires_at LIMIT $4`,
        [now, new Date(now.getTime() + nearest * DAY_MS), new Date(now.getTime() + farthest * DAY_MS), BATCH],
      );
      for (const key of keys) if (await this.recordNotice(key)) notified += 1;
      if (keys.length < BATCH) return notified;
    }
  }

  /** The notice and its audit entry in one transaction; false when another run recorded it first. */
  private recordNotice(key: ExpiringKey): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const inserted: unknown[] = await tx.query(
        `INSERT INTO api_key_expiry_notices (key_id, days_left, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING key_id`,
        [key.id, key.days_left, key.expires_at],
      );
      if (!inserted.length) return false;
      await this.audit.record(
        {
          organizationId: key.organization_id,
          action: 'api_key.expiring',
          actor: SYSTEM,
          targetType: 'api_key',
          targetId: key.id,
          metadata: {
            name: key.name,
            key_prefix: key.key_prefix,
            expires_at: new Date(key.expires_at).toISOString(),
            days_left: Number(key.days_left),
          },
        },
        tx,
      );
      return true;
    });
  }
}
