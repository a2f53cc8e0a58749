import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ApiKey } from '../api-key.entity';

/** Requests of one key in one hour: served, and refused by its rate limit (429). */
@Entity('api_key_usage')
@Index('IDX_api_key_usage_organization_bucket', ['organizationId', 'bucketStart'])
export class ApiKeyUsage {
  @PrimaryColumn({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @PrimaryColumn({ name: 'bucket_start', type: 'timestamptz', precision: 3 })
  bucketStart: Date;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'request_count', type: 'bigint', default: 0 })
  requestCount: string;

  @Column({ name: 'refused_count', type: 'bigint', default: 0 })
  refusedCount: string;

  @ManyToOne(() => ApiKey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'key_id' })
  key?: ApiKey;
}
