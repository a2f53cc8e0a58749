import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Organization } from '../../organizations/organization.entity';

/** All-time requests of an organization's keys by outcome, kept by the usage writer: /metrics reads one row. */
@Entity('organization_usage_totals')
export class OrganizationUsageTotals {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid', primaryKeyConstraintName: 'PK_organization_usage_totals' })
  organizationId: string;

  @Column({ name: 'served_count', type: 'bigint', default: 0 }) servedCount: string;
  @Column({ name: 'refused_count', type: 'bigint', default: 0 }) refusedCount: string;
  @Column({ name: 'denied_count', type: 'bigint', default: 0 }) deniedCount: string;
  @Column({ name: 'failed_count', type: 'bigint', default: 0 }) failedCount: string;
  @Column({ name: 'rejected_count', type: 'bigint', default: 0 }) rejectedCount: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'FK_organization_usage_totals_organization' })
  organization?: Organization;
}
