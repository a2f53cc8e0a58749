import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt } from '../common/timestamps';
import { Organization } from '../organizations/organization.entity';

export const AUDIT_ACTIONS = [
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'api_key.transferred',
  'api_key.refused_revoked',
  'api_key.refused_expired',
  'api_key.updated',
  'api_key.refused_address',
  'member.added',
  'member.role_changed',
  'member.removed',
  'api_key.rate_limited',
  'webhook_endpoint.created',
  'webhook_endpoint.updated',
  'webhook_endpoint.deleted',
  'webhook_endpoint.disabled',
  'api_key.expiring',
  'key_policy.updated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const ACTOR_TYPES = ['user', 'api_key', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const TARGET_TYPES = ['api_key', 'member', 'organization', 'webhook_endpoint'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/**
 * One recorded event. Append-only: rows are never updated. actor_id and target_id carry no foreign
 * key on purpose, so the entry outlives the user or key it names.
 */
@Entity('audit_logs')
@Index('IDX_audit_logs_organization_created', ['organizationId', 'createdAt'])
@Index('IDX_audit_logs_organization_action_created', ['organizationId', 'action', 'createdAt'])
@Index('IDX_audit_logs_organization_actor_created', ['organizationId', 'actorId', 'createdAt'])
@Index('IDX_audit_logs_organization_target_created', ['organizationId', 'targetId', 'createdAt'])
@Index('IDX_audit_logs_organization_actor_type_created', ['organizationId', 'actorType', 'createdAt'])
export class AuditLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ type: 'varchar', length: 64 })
  action: AuditAction;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType: ActorType;

  /** The user id or API key id; null for the system. */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'target_type', type: 'varchar', length: 32 })
  targetType: TargetType;

  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId: string | null;

  @Column({ name: 'client_ip', type: 'varchar', length: 64, nullable: true })
  clientIp: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @CreatedAt()
  createdAt: Date;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;
}
