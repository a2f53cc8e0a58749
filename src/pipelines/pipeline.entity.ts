import { Column, Entity, Index } from 'typeorm';
import { OrganizationResource } from '../organizations/organization-resource.entity';

@Entity('pipelines')
@Index('IDX_pipelines_organization_created', ['organizationId', 'createdAt'])
export class Pipeline extends OrganizationResource {
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description: string | null;

  /** The client's JSON array, stored as given. */
  @Column({ type: 'jsonb' })
  steps: unknown[];
}
