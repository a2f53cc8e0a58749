import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAt, UpdatedAt } from '../common/timestamps';

/** Where an organization wants its events sent (the migration's foreign key deletes it with the organization). */
@Entity('webhook_endpoints')
@Index('IDX_webhook_endpoints_organization_created', ['organizationId', 'createdAt'])
export class WebhookEndpoint {
  /** Chosen by the service before the insert: the encrypted secret is bound to it (AES-GCM associated data). */
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'text', array: true })
  events: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  /** The signing secret, AES-256-GCM encrypted (secret-box.ts); never selected unless asked for. */
  @Column({ name: 'secret_encrypted', type: 'text', select: false })
  secretEncrypted: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'disabled_reason', type: 'varchar', length: 200, nullable: true })
  disabledReason: string | null;

  /** Failed attempts in a row (any delivery); a success resets it. */
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 })
  consecutiveFailures: number;

  /** When the current run of failures began; null while the endpoint answers. */
  @Column({ name: 'failing_since', type: 'timestamptz', precision: 3, nullable: true })
  failingSince: Date | null;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;
}
