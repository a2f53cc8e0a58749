import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { databaseUnreachable, DependencyFailureListener } from '../common/dependency-failures';
import { appConfig } from '../config/app.config';
import { targetOf } from './connection-errors';

const PROBE_EVERY_MS = 1_000;

/**
 * Knows whether the database is reachable, so the log says once that it went away and once that
 * it came back, instead of a stack trace per failed request. Requests report failures (through
 * the error filter); while it is down, a probe asks the database every second.
 */
@Injectable()
export class DatabaseAvailability implements DependencyFailureListener, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private downSince: number | undefined;
  private probe: NodeJS.Timeout | undefined;
  private stopped = false;

  readonly databasePort?: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(appConfig.KEY) config: ConfigType<typeof appConfig>,
  ) {
    if (config.DATABASE_URL) this.databasePort = Number(targetOf(config.DATABASE_URL).port);
  }

  get available(): boolean {
    return this.downSince === undefined;
  }

  /**
   * For background work that failed (a cache refresh, a usage flush): true when the cause was the
   * database being unreachable, which is then reported here (one line for the whole outage) and the
   * caller logs nothing; false for any other failure, which the caller logs itself.
   */
  absorbs(err: unknown): boolean {
    const reason = databaseUnreachable(err, this.databasePort);
    if (!reason) return false;
    this.databaseUnreachable(reason);
    return true;
  }

  databaseUnreachable(reason: string): void {
    if (this.downSince !== undefined || this.stopped) return;
    this.downSince = Date.now();
    this.logger.warn(`database unavailable (${reason}); answering 503 with Retry-After until it is back`);
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    this.probe = setTimeout(() => void this.check(), PROBE_EVERY_MS);
    this.probe.unref();
  }

  private async check(): Promise<void> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      if (!this.stopped) this.scheduleProbe();
      return;
    }
    const seconds = ((Date.now() - (this.downSince ?? Date.now())) / 1000).toFixed(1);
    this.downSince = undefined;
    this.logger.log(`database available again after ${seconds} s`);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.probe);
  }
}
