import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt, UpdatedAt } from '../common/timestamps';
import { Organization } from '../organizations/organization.entity';

export const GATEWAY_STATUSES = ['active', 'inactive'] as const;
export type GatewayStatus = (typeof GATEWAY_STATUSES)[number];

@Entity('gateways')
@Index('IDX_gateways_organization_created', ['organizationId', 'createdAt'])
export class Gateway {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** An http or https URL. */
  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: GatewayStatus;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;
}
