import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';

/**
 * Leases on the `scheduled_jobs` rows: of the instances that try at the same moment, one gets a job's
 * lease and runs it; the others skip their turn. A lease row rather than an advisory lock because it
 * needs no connection held for the whole run (the embedded database's single session would make
 * every other query wait behind an open transaction) and it works the same on PGlite and PostgreSQL.
 * A holder that dies keeps the lease until it lapses; the jobs are written so that two overlapping
 * runs would still do everything once (see KeyPolicyJob).
 */
@Injectable()
export class JobLease {
  /** This process, as `scheduled_jobs.locked_by` names it. */
  readonly holder = `${hostname().slice(0, 40)}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when this process now holds the job's lease for `ms` (nobody held it, or theirs had lapsed). */
  async acquire(job: string, ms: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO scheduled_jobs (name, locked_by, locked_until, last_started_at)
       VALUES ($1, $2, now() + make_interval(secs => $3::double precision), now())
       ON CONFLICT (name) DO UPDATE SET locked_by = EXCLUDED.locked_by, locked_until = EXCLUDED.locked_until, last_started_at = now()
       WHERE scheduled_jobs.locked_until <= now()
       RETURNING name`,
      [job, this.holder, ms / 1000],
    );
    return rows.length === 1;
  }

  /** Ends this process's lease and records how the run went; another instance may take the next turn at once. */
  async release(job: string, outcome: { result?: Record<string, unknown>; error?: string }): Promise<void> {
    await this.dataSource.query(
      `UPDATE scheduled_jobs SET locked_until = now(), last_finished_at = now(), last_error = $3, last_result = $4
       WHERE name = $1 AND locked_by = $2`,
      [job, this.holder, outcome.error ?? null, outcome.result ? JSON.stringify(outcome.result) : null],
    );
  }
}
