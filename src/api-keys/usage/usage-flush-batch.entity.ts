import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A usage batch moved from Redis and written, recorded in the same transaction as its counts, so it
 * is never written twice. Kept a day (the writer prunes older ones): a batch is retried within seconds.
 */
@Entity('usage_flush_batches')
export class UsageFlushBatch {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'PK_usage_flush_batches' })
  id: string;

  @CreateDateColumn({ name: 'applied_at', type: 'timestamptz', precision: 3 })
  appliedAt: Date;
}
