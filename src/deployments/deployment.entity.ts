import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { Agent } from '../agents/agent.entity';
import { OrganizationResource } from '../organizations/organization-resource.entity';

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export const DEPLOYMENT_STATUSES = ['pending', 'running', 'stopped', 'failed'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** A version of an agent running in an environment; deleted with its agent. */
@Entity('deployments')
@Index('IDX_deployments_organization_created', ['organizationId', 'createdAt'])
export class Deployment extends OrganizationResource {
  /** Always an agent of the same organization (checked by the service). */
  @Index('IDX_deployments_agent') // the cascade from agents looks deployments up by agent_id
  @Column({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @Column({ type: 'varchar', length: 16 })
  environment: Environment;

  @Column({ type: 'varchar', length: 50 })
  version: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeploymentStatus;


  @ManyToOne(() => Agent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id' })
  agent?: Agent;
}
