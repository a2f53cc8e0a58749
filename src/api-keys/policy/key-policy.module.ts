import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock } from '../../common/clock';
import { RedisModule } from '../../redis/redis.module';
import { KeyPolicyCache } from './key-policy-cache';
import { KeyPolicyController } from './key-policy.controller';
import { KeyPolicy } from './key-policy.entity';
import { KeyPolicyService } from './key-policy.service';

/**
 * Organizations' key policies. ApiKeysModule imports it (keys are checked against the policy); the
 * scheduled job that enforces the policy on existing keys needs ApiKeysService, so it is provided by
 * ApiKeysModule rather than here.
 */
@Module({
  imports: [TypeOrmModule.forFeature([KeyPolicy]), RedisModule],
  controllers: [KeyPolicyController],
  providers: [KeyPolicyService, KeyPolicyCache, Clock],
  exports: [KeyPolicyService, Clock],
})
export class KeyPolicyModule {}
