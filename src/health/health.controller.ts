import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { BcryptHealthIndicator } from '../bcrypt/bcrypt.health';
import { RedisHealthIndicator } from '../redis/redis.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly bcrypt: BcryptHealthIndicator,
  ) {}

  /**
   * 200 while the service can serve: `ok`, or `degraded` when Redis is unreachable (limits and
   * revocation fall back to this instance). 503 when the database is down.
   */
  @Public()
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and readiness: the database and Redis' })
  @ApiOkResponse({ description: 'status ok or degraded, with each dependency' })
  @ApiServiceUnavailableResponse({ description: 'the database is unreachable' })
  async check(): Promise<Omit<HealthCheckResult, 'status'> & { status: HealthCheckResult['status'] | 'degraded' }> {
    const result = await this.health.check([
      () => this.db.pingCheck('database', { timeout: 3000 }),
      () => this.redis.check('redis'),
      () => this.bcrypt.check('bcrypt'),
    ]);
    const degraded = Object.values(result.details).some((detail) => detail.degraded === true);
    return degraded ? { ...result, status: 'degraded' } : result;
  }
}
