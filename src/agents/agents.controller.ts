import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Scopes } from '../api-keys/scopes.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal } from '../auth/principal';
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
  @ApiOkResponse({ type: AgentPageResponse })
  @ApiBadRequestResponse({ description: 'limit or cursor is invalid' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<AgentPageResponse> {
    return this.agents.list(principal.organizationId, query);
  }

  @Post()
  @Scopes('agents:write')
  @ApiCreatedResponse({ type: AgentResponse })
  @ApiBadRequestResponse({ description: 'A field is missing, invalid or unknown' })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateAgentDto): Promise<AgentResponse> {
    return this.agents.create(principal.organizationId, dto);
  }

  @Get(':id')
  @Scopes('agents:read')
  @ApiOkResponse({ type: AgentResponse })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No agent with this id in the organization' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<AgentResponse> {
    return this.agents.get(principal.organizationId, id);
  }

  @Patch(':id')
  @Scopes('agents:write')
  @ApiOkResponse({ type: AgentResponse })
  @ApiBadRequestResponse({ description: 'id is not a UUID, or a field is invalid or unknown' })
  @ApiNotFoundResponse({ description: 'No agent with this id in the organization' })
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
  @ApiNoContentResponse({ description: 'Deleted, with its deployments' })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No agent with this id in the organization' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<void> {
    return this.agents.remove(principal.organizationId, id);
  }
}
