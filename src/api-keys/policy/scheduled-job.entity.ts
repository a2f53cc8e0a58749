import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A scheduled job's lease and its last run: the instance that holds the lease (locked_until in the
 * future) is the one running it; the others skip their turn. Also what an operator reads to see what
 * ran, when, and how it ended.
 */
@Entity('scheduled_jobs')
export class ScheduledJob {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ name: 'locked_by', type: 'varchar', length: 64, nullable: true })
  lockedBy: string | null;

  @Column({ name: 'locked_until', type: 'timestamptz', precision: 3, default: () => 'now()' })
  lockedUntil: Date;

  @Column({ name: 'last_started_at', type: 'timestamptz', precision: 3, nullable: true })
  lastStartedAt: Date | null;

  @Column({ name: 'last_finished_at', type: 'timestamptz', precision: 3, nullable: true })
  lastFinishedAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'last_result', type: 'jsonb', nullable: true })
  lastResult: Record<string, unknown> | null;
}
