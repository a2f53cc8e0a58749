import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../api-keys/scopes.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { PageQueryDto } from '../common/pagination';
import { UuidParam } from '../common/uuid.pipe';
import { AgentsService } from './agents.service';
import { AgentPageResponse, AgentResponse } from './dto/agent.response';
import { CreateAgentDto } from './dto/create-agent.dto';
import { UpdateAgentDto } from './dto/update-agent.dto';

@ApiTags('agents')
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @Scopes('agents:read')
  @ApiOperation({ summary: "List the organization's agents, newest first" })
  @ApiOkResponse({ type: AgentPageResponse })
  @ApiErrors({ 400: 'limit or cursor is invalid' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<AgentPageResponse> {
    return this.agents.list(principal.organizationId, query);
  }

  @Post()
  @Scopes('agents:write')
  @ApiOperation({ summary: 'Create an agent' })
  @ApiCreatedResponse({ type: AgentResponse })
  @ApiErrors({ 400: 'A field is missing, invalid or unknown' })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateAgentDto): Promise<AgentResponse> {
    return this.agents.create(principal.organizationId, dto);
  }

  @Get(':id')
  @Scopes('agents:read')
  @ApiOperation({ summary: 'Get an agent' })
  @ApiOkResponse({ type: AgentResponse })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No agent with this id in the organization' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<AgentResponse> {
    return this.agents.get(principal.organizationId, id);
  }

  @Patch(':id')
  @Scopes('agents:write')
  @ApiOperation({ summary: 'Update an agent; only the fields sent change' })
  @ApiOkResponse({ type: AgentResponse })
  @ApiErrors({
    400: 'id is not a UUID, or a field is invalid or unknown',
    404: 'No agent with this id in the organization',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateAgentDto,
  ): Promise<AgentResponse> {
    return this.agents.update(principal.organizationId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('agents:write')
  @ApiOperation({ summary: 'Delete an agent and its deployments' })
  @ApiNoContentResponse({ description: 'Deleted, with its deployments' })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No agent with this id in the organization' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<void> {
    return this.agents.remove(principal.organizationId, id);
  }
}
