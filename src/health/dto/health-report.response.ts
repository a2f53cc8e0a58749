import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DependencyHealth {
  @ApiProperty({ enum: ['up', 'down', 'not configured'], example: 'up' })
  status!: 'up' | 'down' | 'not configured';

  @ApiPropertyOptional({ description: 'how long the check took, when it answered', example: 2 })
  response_time_ms?: number;

  @ApiPropertyOptional({ example: 'database unavailable' })
  message?: string;
}

/** Per kind of bcrypt work: a key's first use, a secret suspected wrong, a password, a new hash. */
export class BcryptKindCounts {
  @ApiProperty({ type: 'integer', minimum: 0 }) key_first_use!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) key_suspect!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) password!: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) hash!: number;
}

/** This process's bcrypt work since it started: whether a restart cost compares, and what is queueing. */
export class BcryptHealth {
  @ApiProperty({ enum: ['up'], example: 'up' }) status!: 'up';
  @ApiProperty({ type: BcryptKindCounts, description: 'bcrypt compares run since start, by kind' }) compares!: BcryptKindCounts;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'bcrypt hashes run since start' }) hashes!: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'bcrypt jobs running now' }) running!: number;
  @ApiProperty({ type: BcryptKindCounts, description: 'bcrypt jobs waiting now, by kind' }) waiting!: BcryptKindCounts;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'jobs refused (503) because their queue was full' }) refused!: number;
}

export class HealthDetails {
  @ApiProperty({ type: DependencyHealth, description: 'up or down' })
  database!: DependencyHealth;

  @ApiProperty({ type: DependencyHealth, description: 'up, down, or not configured (REDIS_URL unset: state is per instance)' })
  redis!: DependencyHealth;

  @ApiProperty({ type: BcryptHealth })
  bcrypt!: BcryptHealth;
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
