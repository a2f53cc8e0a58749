import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../audit/actor.decorator';
import { AuditActor } from '../../audit/audit.service';
import { CurrentUser } from '../../auth/current-principal.decorator';
import { UserPrincipal } from '../../auth/principal';
import { UsersOnly } from '../../auth/users-only.decorator';
import { ApiErrors } from '../../common/api-errors.decorator';
import { KeyPolicyResponse } from './dto/key-policy.response';
import { UpdateKeyPolicyDto } from './dto/update-key-policy.dto';
import { KeyPolicyService } from './key-policy.service';

/** The organization's rules for its keys: owners and admins only. */
@ApiTags('organizations')
@Controller('organizations/current/key-policy')
export class KeyPolicyController {
  constructor(private readonly policies: KeyPolicyService) {}

  @UsersOnly('owner', 'admin')
  @Get()
  @ApiOperation({ summary: "The organization's key policy" })
  @ApiOkResponse({ type: KeyPolicyResponse, description: 'The policy; an organization that never set one has the defaults' })
  get(@CurrentUser() user: UserPrincipal): Promise<KeyPolicyResponse> {
    return this.policies.get(user.organizationId);
  }

  @UsersOnly('owner', 'admin')
  @Patch()
  @ApiOperation({
    summary: "Change the organization's key policy",
    description:
      'Send any of the fields (an empty body changes nothing); null clears a limit. New keys, rotations and key edits that break the policy are ' +
      'refused with 400 naming the rule; existing keys are left as they are, except that keys unused for longer ' +
      'than auto_revoke_unused_days are revoked by a scheduled job (reason `unused`).',
  })
  @ApiOkResponse({ type: KeyPolicyResponse, description: 'The policy after the change' })
  @ApiErrors({ 400: 'A field is invalid, or an unknown field was sent' })
  update(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: UpdateKeyPolicyDto,
    @Actor() actor: AuditActor,
  ): Promise<KeyPolicyResponse> {
    return this.policies.update(user.organizationId, dto, actor);
  }
}
