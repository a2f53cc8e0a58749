import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { DATABASE_RETRY_AFTER_SECONDS } from '../common/dependency-failures';
import { DatabaseAvailability } from '../database/database-availability';
import { BcryptHealthIndicator } from '../bcrypt/bcrypt.health';
import { RedisHealthIndicator } from '../redis/redis.health';
import { DependencyHealth, HealthReport } from './dto/health-report.response';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: TypeOrmHealthIndicator,
    private readonly availability: DatabaseAvailability,
    private readonly redis: RedisHealthIndicator,
    private readonly bcrypt: BcryptHealthIndicator,
  ) {}

  /**
   * Each dependency by name. 200 while the service can serve: `ok`, or `degraded` when Redis is
   * down (limits and key events fall back to this instance). 503 with Retry-After when the
   * database is down.
   */
  @Public()
  @Get()
  @ApiOperation({ summary: 'Liveness and readiness: the database and Redis, each up, down or not configured' })
  @ApiOkResponse({ type: HealthReport, description: 'status ok or degraded, with each dependency' })
  @ApiServiceUnavailableResponse({ type: HealthReport, description: 'status error: the database is unreachable (with Retry-After)' })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const [database, redis] = await Promise.all([this.database(), this.redis.check()]);
    const bcrypt = this.bcrypt.stats();
    if (database.status === 'down') {
      res.status(503).setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      return { status: 'error', details: { database, redis, bcrypt } };
    }
    return { status: redis.status === 'down' ? 'degraded' : 'ok', details: { database, redis, bcrypt } };
  }

  private async database(): Promise<DependencyHealth> {
    const started = Date.now();
    let failure = 'no answer';
    try {
      const result = await this.db.pingCheck('database', { timeout: 3000 });
      if (result.database?.status === 'up') return { status: 'up', response_time_ms: Date.now() - started };
      failure = String(result.database?.message ?? failure);
    } catch (err) {
      failure = (err as Error).message;
    }
    this.availability.databaseUnreachable(failure);
    return { status: 'down', message: 'database unavailable' };
  }
}
