import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { RedisModule } from '../redis/redis.module';
import { MembershipCache } from './membership-cache';
import { Membership } from './membership.entity';

/**
 * Members' current roles for the guards (users' tokens in auth/, API keys in api-keys/). A module of
 * its own so both can import it without importing the organizations feature, which uses api-keys/.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Membership]), RedisModule, DatabaseModule],
  providers: [MembershipCache],
  exports: [MembershipCache],
})
export class MembershipModule {}
