import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../api-keys/scopes.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { PageQueryDto } from '../common/pagination';
import { UuidParam } from '../common/uuid.pipe';
import { DeploymentsService } from './deployments.service';
import { DeploymentPageResponse, DeploymentResponse } from './dto/deployment.response';
import { CreateDeploymentDto } from './dto/create-deployment.dto';
import { UpdateDeploymentDto } from './dto/update-deployment.dto';

@ApiTags('deployments')
@Controller('deployments')
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Get()
  @Scopes('deployments:read')
  @ApiOperation({ summary: "List the organization's deployments, newest first" })
  @ApiOkResponse({ type: DeploymentPageResponse })
  @ApiErrors({ 400: 'limit or cursor is invalid' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<DeploymentPageResponse> {
    return this.deployments.list(principal.organizationId, query);
  }

  @Post()
  @Scopes('deployments:write')
  @ApiOperation({ summary: 'Create a deployment' })
  @ApiCreatedResponse({ type: DeploymentResponse })
  @ApiErrors({ 400: 'A field is missing, invalid or unknown, or agent_id names no agent of this organization' })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateDeploymentDto): Promise<DeploymentResponse> {
    return this.deployments.create(principal.organizationId, dto);
  }

  @Get(':id')
  @Scopes('deployments:read')
  @ApiOperation({ summary: 'Get a deployment' })
  @ApiOkResponse({ type: DeploymentResponse })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No deployment with this id in the organization' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<DeploymentResponse> {
    return this.deployments.get(principal.organizationId, id);
  }

  @Patch(':id')
  @Scopes('deployments:write')
  @ApiOperation({ summary: 'Update a deployment; only the fields sent change' })
  @ApiOkResponse({ type: DeploymentResponse })
  @ApiErrors({
    400: 'id is not a UUID, a field is invalid or unknown, or agent_id names no agent of this organization',
    404: 'No deployment with this id in the organization',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateDeploymentDto,
  ): Promise<DeploymentResponse> {
    return this.deployments.update(principal.organizationId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('deployments:write')
  @ApiOperation({ summary: 'Delete a deployment' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No deployment with this id in the organization' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<void> {
    return this.deployments.remove(principal.organizationId, id);
  }
}
