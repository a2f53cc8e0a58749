import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { Membership } from './membership.entity';
import { Organization } from './organization.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Organization, Membership]), ApiKeysModule],
  exports: [ApiKeysModule],
})
export class OrganizationsModule {}
