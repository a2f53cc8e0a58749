import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { Actor } from '../audit/actor.decorator';
import type { AuditActor } from '../audit/audit.service';
import { CurrentUser } from '../auth/current-principal.decorator';
import { UserPrincipal } from '../auth/principal';
import { UsersOnly } from '../auth/users-only.decorator';
import { Page, PageQueryDto } from '../common/pagination';
import { UuidParam } from '../common/uuid.pipe';
import { AddMemberDto } from './dto/add-member.dto';
import { MemberPageResponse, MemberResponse } from './dto/member.response';
import { RemoveMemberQuery } from './dto/remove-member.query';
import { UpdateMemberDto } from './dto/update-member.dto';
import { MembersService } from './members.service';

const USER_ID = 'user_id';

@ApiTags('organizations')
@Controller('organizations/current/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @UsersOnly()
  @Get()
  @ApiOperation({ summary: "List the organization's members, newest first" })
  @ApiOkResponse({ type: MemberPageResponse, description: 'Members, newest first' })
  @ApiBadRequestResponse({ description: 'limit or cursor is invalid' })
  list(@CurrentUser() user: UserPrincipal, @Query() query: PageQueryDto): Promise<Page<MemberResponse>> {
    return this.members.list(user.organizationId, query);
  }

  @UsersOnly('owner', 'admin')
  @ApiForbiddenResponse({ description: 'Only an owner can add an owner' })
  @Post()
  @ApiOperation({ summary: 'Add a member: creates their user account with the given role' })
  @ApiCreatedResponse({ type: MemberResponse, description: 'User account created and added with the given role' })
  @ApiBadRequestResponse({ description: 'A field is missing or invalid (email, password 8-72, name 1-100, role)' })
  @ApiConflictResponse({ description: 'A user with this email already exists' })
  add(@CurrentUser() user: UserPrincipal, @Body() dto: AddMemberDto, @Actor() actor: AuditActor): Promise<MemberResponse> {
    return this.members.add(user, dto, actor);
  }

  @UsersOnly('owner', 'admin')
  @ApiForbiddenResponse({ description: "Only an owner can make an owner or change an owner's role" })
  @Patch(`:${USER_ID}`)
  @ApiOperation({ summary: "Change a member's role" })
  @ApiParam({ name: USER_ID, format: 'uuid' })
  @ApiOkResponse({ type: MemberResponse, description: 'The member with the new role' })
  @ApiBadRequestResponse({ description: 'user_id is not a UUID or role is invalid' })
  @ApiNotFoundResponse({ description: 'Member not found' })
  @ApiConflictResponse({ description: 'An organization must keep at least one owner' })
  update(
    @CurrentUser() user: UserPrincipal,
    @Param(USER_ID, UuidParam(USER_ID)) userId: string,
    @Body() dto: UpdateMemberDto,
    @Actor() actor: AuditActor,
  ): Promise<MemberResponse> {
    return this.members.updateRole(user, userId, dto.role, actor);
  }

  @UsersOnly('owner', 'admin')
  @ApiForbiddenResponse({ description: 'Only an owner can remove an owner' })
  @Delete(`:${USER_ID}`)
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a member and delete their user account',
    description:
      'The API keys the member holds are revoked (audited with reason member_removed), unless transfer_keys_to ' +
      'names another member who may hold keys (owner, admin or developer): then they take the keys over.',
  })
  @ApiParam({ name: USER_ID, format: 'uuid' })
  @ApiNoContentResponse({ description: 'Member removed, their user account deleted, their keys revoked or transferred' })
  @ApiBadRequestResponse({
    description: 'user_id or transfer_keys_to is not a UUID, or transfer_keys_to names the member being removed or a viewer',
  })
  @ApiNotFoundResponse({ description: 'Member not found, or transfer_keys_to is not a member of the organization' })
  @ApiConflictResponse({ description: 'An organization must keep at least one owner' })
  remove(
    @CurrentUser() user: UserPrincipal,
    @Param(USER_ID, UuidParam(USER_ID)) userId: string,
    @Query() query: RemoveMemberQuery,
    @Actor() actor: AuditActor,
  ): Promise<void> {
    return this.members.remove(user, userId, actor, query.transfer_keys_to);
  }
}
