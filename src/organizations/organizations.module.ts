import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { AuthModule } from '../auth/auth.module';
import { MembersController } from './members.controller';
import { MembersService } from './members.service';
import { MembershipModule } from './membership.module';
import { Membership } from './membership.entity';
import { Organization } from './organization.entity';
import { OrganizationsController } from './organizations.controller';
import { OrganizationsService } from './organizations.service';

@Module({
  // AuthModule for PasswordHasher (new members get a password); it does not import this module.
  // ApiKeysModule: a removed member's keys are revoked or transferred with the removal.
  imports: [TypeOrmModule.forFeature([Organization, Membership]), ApiKeysModule, AuthModule, MembershipModule],
  controllers: [OrganizationsController, MembersController],
  providers: [OrganizationsService, MembersService],
  exports: [ApiKeysModule],
})
export class OrganizationsModule {}
