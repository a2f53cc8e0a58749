import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-principal.decorator';
import { UserPrincipal } from '../auth/principal';
import { UsersOnly } from '../auth/users-only.decorator';
import { OrganizationResponse } from './dto/organization.response';
import { UpdateOrganizationDto } from './dto/update-organization.dto';
import { OrganizationsService } from './organizations.service';

@ApiTags('organizations')
@Controller('organizations/current')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @UsersOnly()
  @Get()
  @ApiOperation({ summary: "The caller's organization" })
  @ApiOkResponse({ type: OrganizationResponse, description: "The caller's organization" })
  get(@CurrentUser() user: UserPrincipal): Promise<OrganizationResponse> {
    return this.organizations.get(user.organizationId);
  }

  @UsersOnly('owner', 'admin')
  @Patch()
  @ApiOperation({ summary: 'Rename the organization' })
  @ApiOkResponse({ type: OrganizationResponse, description: 'The organization, renamed' })
  @ApiBadRequestResponse({ description: 'name is missing, blank or longer than 100 characters, or an unknown field was sent' })
  update(@CurrentUser() user: UserPrincipal, @Body() dto: UpdateOrganizationDto): Promise<OrganizationResponse> {
    return this.organizations.update(user.organizationId, dto);
  }
}
