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
import { LegacyKeys } from './verification/legacy-keys';
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
import { GithubSignatureGuard } from './leaks/github-signature.guard';
import { LeakReportAttempts } from './leaks/leak-report-attempts';
import { LeakReports } from './leaks/leak-reports';
import { LeakedKeys } from './leaks/leaked-keys';
import { LeakedKeysController } from './leaks/leaked-keys.controller';
import { SecretScanningController } from './leaks/secret-scanning.controller';
import { ApiKeysService } from './api-keys.service';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RateLimitStorage } from './rate-limit/rate-limit.storage';
import { RateLimitedNotices } from './rate-limit/rate-limited-notices';
import { KeyPolicyJob } from './policy/key-policy.job';
import { JobLease } from './policy/job-lease';
import { KeyPolicyModule } from './policy/key-policy.module';
import { DatabaseModule } from '../database/database.module';

@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKey, ApiKeyUsage]),
    RedisModule,
    DatabaseModule,
    MembershipModule,
    AttemptsModule,
    RateLimitModule,
    KeyPolicyModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitModule],
      inject: [RateLimitStorage],
      useFactory: keyThrottlerOptions,
    }),
  ],
  controllers: [ApiKeysController, LeakedKeysController, SecretScanningController],
  providers: [
    ApiKeysService,
    ApiKeyThrottlerGuard,
    RateLimitedNotices,
    ApiKeyGuard,
    KeyVerifier,
    KeyStateLoader,
    VerifiedKeyCache,
    ClusterVerifier,
    KeyFailures,
    LegacyKeys,
    LeakedKeys,
    LeakReports,
    LeakReportAttempts,
    GithubSignatureGuard,
    KeyEvents,
    UsageRecorder,
    UsageWriter,
    RedisUsageLog,
    UsageService,
    JobLease,
    KeyPolicyJob,
    { provide: API_KEY_AUTHENTICATOR, useExisting: ApiKeyGuard },
  ],
  exports: [ApiKeysService, ApiKeyGuard, UsageService, API_KEY_AUTHENTICATOR, KeyPolicyModule],
})
export class ApiKeysModule {}
