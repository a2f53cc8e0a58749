import { Column, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Organization } from './organization.entity';
import { CreatedAt, UpdatedAt } from '../common/timestamps';

/**
 * The columns every protected resource shares: its id, the organization that owns it (rows go
 * with the organization) and its timestamps. Not an entity itself; each resource has its own table.
 */
export abstract class OrganizationResource {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @CreatedAt()
  createdAt: Date;

  @UpdatedAt()
  updatedAt: Date;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;
}
