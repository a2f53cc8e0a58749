import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { UpdatedAt } from '../../common/timestamps';
import { Organization } from '../../organizations/organization.entity';
import type { Scope } from '../../auth/scopes';

/** An organization's rules for its keys; an organization without a row has the defaults (see DEFAULT_POLICY). */
@Entity('organization_key_policies')
export class KeyPolicy {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'require_expiry', type: 'boolean', default: false })
  requireExpiry: boolean;

  @Column({ name: 'max_lifetime_days', type: 'integer', nullable: true })
  maxLifetimeDays: number | null;

  /** null: any scope. */
  @Column({ name: 'allowed_scopes', type: 'text', array: true, nullable: true })
  allowedScopes: Scope[] | null;

  @Column({ name: 'auto_revoke_unused_days', type: 'integer', nullable: true })
  autoRevokeUnusedDays: number | null;

  @UpdatedAt()
  updatedAt: Date;

  @OneToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;
}
