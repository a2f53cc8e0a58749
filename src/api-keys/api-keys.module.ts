import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AttemptsModule } from '../attempts/attempts.module';
import { API_KEY_AUTHENTICATOR } from '../auth/api-key-authenticator';
import { MembershipModule } from '../organizations/membership.module';
import { RedisModule } from '../redis/redis.module';
import { ApiKey } from './api-key.entity';
import { ApiKeyUsage } from './usage/api-key-usage.entity';
import { ClusterVerifier } from './verification/cluster-verifier';
import { KeyEvents } from './verification/key-events';
import { KeyFailures } from './verification/key-failures';
import { KeyVerifier } from './verification/key-verifier';
import { KeyStateLoader } from './verification/key-state-loader';
import { RedisUsageLog } from './usage/redis-usage-log';
import { UsageRecorder } from './usage/usage-recorder';
import { UsageWriter } from './usage/usage-writer';
import { UsageService } from './usage/usage.service';
import { VerifiedKeyCache } from './verification/verified-key-cache';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyThrottlerGuard, keyThrottlerOptions } from './rate-limit/api-key-throttler.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RateLimitStorage } from './rate-limit/rate-limit.storage';

@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKey, ApiKeyUsage]),
    RedisModule,
    MembershipModule,
    AttemptsModule,
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
    KeyStateLoader,
    VerifiedKeyCache,
    ClusterVerifier,
    KeyFailures,
    KeyEvents,
    UsageRecorder,
    UsageWriter,
    RedisUsageLog,
    UsageService,
    { provide: API_KEY_AUTHENTICATOR, useExisting: ApiKeyGuard },
  ],
  exports: [ApiKeysService, ApiKeyGuard, UsageService, API_KEY_AUTHENTICATOR],
})
export class ApiKeysModule {}
