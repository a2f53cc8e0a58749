import { Column, Entity, Index } from 'typeorm';
import { OrganizationResource } from '../organizations/organization-resource.entity';

export const AGENT_STATUSES = ['active', 'inactive'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

@Entity('agents')
@Index('IDX_agents_organization_created', ['organizationId', 'createdAt'])
export class Agent extends OrganizationResource {
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  model: string | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: AgentStatus;
}
