import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DependencyHealth {
  @ApiProperty({ enum: ['up', 'down', 'not configured'], example: 'up' })
  status!: 'up' | 'down' | 'not configured';

  @ApiPropertyOptional({ description: 'how long the check took, when it answered', example: 2 })
  response_time_ms?: number;

  @ApiPropertyOptional({ example: 'database unavailable' })
  message?: string;
}

export class HealthDetails {
  @ApiProperty({ type: DependencyHealth, description: 'up or down' })
  database!: DependencyHealth;

  @ApiProperty({ type: DependencyHealth, description: 'up, down, or not configured (REDIS_URL unset: state is per instance)' })
  redis!: DependencyHealth;
}

export class HealthReport {
  @ApiProperty({
    enum: ['ok', 'degraded', 'error'],
    description: 'ok; degraded when Redis is down (the service serves with per-instance limits); error when the database is down (503)',
    example: 'ok',
  })
  status!: 'ok' | 'degraded' | 'error';

  @ApiProperty({ type: HealthDetails })
  details!: HealthDetails;
}
