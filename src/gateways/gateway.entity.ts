import { Column, Entity, Index } from 'typeorm';
import { OrganizationResource } from '../organizations/organization-resource.entity';

export const GATEWAY_STATUSES = ['active', 'inactive'] as const;
export type GatewayStatus = (typeof GATEWAY_STATUSES)[number];

@Entity('gateways')
@Index('IDX_gateways_organization_created', ['organizationId', 'createdAt'])
export class Gateway extends OrganizationResource {
  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** An http or https URL. */
  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: GatewayStatus;
}
