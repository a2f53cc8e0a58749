import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DatabaseModule } from '../database/database.module';
import { BcryptHealthIndicator } from '../bcrypt/bcrypt.health';
import { RedisHealthIndicator } from '../redis/redis.health';
import { RedisModule } from '../redis/redis.module';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), DatabaseModule, RedisModule],
  controllers: [HealthController],
  providers: [RedisHealthIndicator, BcryptHealthIndicator],
})
export class HealthModule {}
