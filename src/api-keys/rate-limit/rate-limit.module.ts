import { Module } from '@nestjs/common';
import { InstanceRegistry } from './instance-registry';
import { ResilientRateLimitStorage } from './redis-rate-limit.storage';
import { InMemoryRateLimitStorage, RateLimitStorage } from './rate-limit.storage';

/** Provides the rate-limit counters (Redis when configured, else in-process) to the throttler and the usage endpoint. */
@Module({
  providers: [InMemoryRateLimitStorage, InstanceRegistry, { provide: RateLimitStorage, useClass: ResilientRateLimitStorage }],
  exports: [RateLimitStorage],
})
export class RateLimitModule {}
