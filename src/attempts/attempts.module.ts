import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module';
import { AttemptBudget } from './attempt-budget';

/** Atomic attempt budgets (logins, registrations, failed key checks), shared through Redis when configured. */
@Module({
  imports: [RedisModule],
  providers: [AttemptBudget],
  exports: [AttemptBudget],
})
export class AttemptsModule {}
