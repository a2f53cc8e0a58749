import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ApiKey } from '../api-key.entity';

/** Requests of one key in one hour, by outcome (see usage-outcome.ts). */
@Entity('api_key_usage')
@Index('IDX_api_key_usage_organization_bucket', ['organizationId', 'bucketStart'])
export class ApiKeyUsage {
  @PrimaryColumn({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @PrimaryColumn({ name: 'bucket_start', type: 'timestamptz', precision: 3 })
  bucketStart: Date;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'served_count', type: 'bigint', default: 0 })
  servedCount: string;

  @Column({ name: 'refused_count', type: 'bigint', default: 0 })
  refusedCount: string;

  @Column({ name: 'denied_count', type: 'bigint', default: 0 })
  deniedCount: string;

  @Column({ name: 'failed_count', type: 'bigint', default: 0 })
  failedCount: string;

  @Column({ name: 'rejected_count', type: 'bigint', default: 0 })
  rejectedCount: string;

  @ManyToOne(() => ApiKey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'key_id' })
  key?: ApiKey;
}
