import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Organization } from '../organizations/organization.entity';

export const COUNTED_RESOURCES = ['agents', 'deployments', 'pipelines', 'gateways'] as const;
export type CountedResource = (typeof COUNTED_RESOURCES)[number];

/**
 * How many rows of a resource an organization has, kept by a database trigger on every insert and
 * delete (migration UsageOutcomesAndRollups), so /metrics reads four rows however many there are.
 */
@Entity('organization_resource_counts')
export class OrganizationResourceCount {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid', primaryKeyConstraintName: 'PK_organization_resource_counts' })
  organizationId: string;

  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'PK_organization_resource_counts' })
  resource: CountedResource;

  @Column({ type: 'bigint', default: 0 })
  count: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'FK_organization_resource_counts_organization' })
  organization?: Organization;
}
