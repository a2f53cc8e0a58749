import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt } from '../common/timestamps';
import { Organization } from '../organizations/organization.entity';
import type { Scope } from '../auth/scopes';

/** Stored state; `expired` is derived from expires_at, never stored. */
export type StoredKeyStatus = 'active' | 'revoked';

@Entity('api_keys')
@Index('IDX_api_keys_organization_created', ['organizationId', 'createdAt'])
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** bcrypt hash of the whole key; the key itself is never stored. */
  @Column({ name: 'key_hash', type: 'varchar', length: 72, select: false })
  keyHash: string;

  /** `sk_live_<8 chars>`: the lookup handle of a presented key. */
  @Index('UQ_api_keys_key_prefix', { unique: true })
  @Column({ name: 'key_prefix', type: 'varchar', length: 16 })
  keyPrefix: string;

  @Column({ type: 'text', array: true })
  scopes: Scope[];

  /** Requests per 60-second window. */
  @Column({ name: 'rate_limit', type: 'integer' })
  rateLimit: number;

  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3, nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', precision: 3, nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: StoredKeyStatus;

  /** The user who created the key (kept as a reference, even after that member leaves). */
  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreatedAt()
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', precision: 3, nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoked_by', type: 'uuid', nullable: true })
  revokedBy: string | null;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;
}
