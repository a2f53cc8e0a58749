import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RedisModule } from '../redis/redis.module';
import { ApiKey } from './api-key.entity';
import { ApiKeyUsage } from './api-key-usage.entity';
import { BcryptGate } from './bcrypt-gate';
import { KeyEvents } from './key-events';
import { KeyFailures } from './key-failures';
import { KeyVerifier } from './key-verifier';
import { UsageRecorder } from './usage-recorder';
import { UsageService } from './usage.service';
import { VerifiedKeyCache } from './verified-key-cache';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyThrottlerGuard, keyThrottlerOptions } from './api-key-throttler.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { RateLimitModule } from './rate-limit.module';
import { RateLimitStorage } from './rate-limit.storage';

@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKey, ApiKeyUsage]),
    RedisModule,
    RateLimitModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitModule],
      inject: [RateLimitStorage],
      useFactory: keyThrottlerOptions,
    }),
  ],
  controllers: [ApiKeysController],
  providers: [
    ApiKeysService,
    ApiKeyThrottlerGuard,
    ApiKeyGuard,
    KeyVerifier,
    VerifiedKeyCache,
    BcryptGate,
    KeyFailures,
    KeyEvents,
    UsageRecorder,
    UsageService,
  ],
  exports: [ApiKeysService, ApiKeyGuard, UsageService],
})
export class ApiKeysModule {}
