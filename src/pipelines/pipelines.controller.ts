import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../api-keys/scopes.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { PageQueryDto } from '../common/pagination';
import { UuidParam } from '../common/uuid.pipe';
import { PipelinesService } from './pipelines.service';
import { PipelinePageResponse, PipelineResponse } from './dto/pipeline.response';
import { CreatePipelineDto } from './dto/create-pipeline.dto';
import { UpdatePipelineDto } from './dto/update-pipeline.dto';

@ApiTags('pipelines')
@Controller('pipelines')
export class PipelinesController {
  constructor(private readonly pipelines: PipelinesService) {}

  @Get()
  @Scopes('pipelines:read')
  @ApiOperation({ summary: "List the organization's pipelines, newest first" })
  @ApiOkResponse({ type: PipelinePageResponse })
  @ApiErrors({ 400: 'limit or cursor is invalid' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<PipelinePageResponse> {
    return this.pipelines.list(principal.organizationId, query);
  }

  @Post()
  @Scopes('pipelines:write')
  @ApiOperation({ summary: 'Create a pipeline' })
  @ApiCreatedResponse({ type: PipelineResponse })
  @ApiErrors({ 400: 'A field is missing, invalid or unknown' })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreatePipelineDto): Promise<PipelineResponse> {
    return this.pipelines.create(principal.organizationId, dto);
  }

  @Get(':id')
  @Scopes('pipelines:read')
  @ApiOperation({ summary: 'Get a pipeline' })
  @ApiOkResponse({ type: PipelineResponse })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No pipeline with this id in the organization' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<PipelineResponse> {
    return this.pipelines.get(principal.organizationId, id);
  }

  @Patch(':id')
  @Scopes('pipelines:write')
  @ApiOperation({ summary: 'Update a pipeline; only the fields sent change' })
  @ApiOkResponse({ type: PipelineResponse })
  @ApiErrors({
    400: 'id is not a UUID, or a field is invalid or unknown',
    404: 'No pipeline with this id in the organization',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdatePipelineDto,
  ): Promise<PipelineResponse> {
    return this.pipelines.update(principal.organizationId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('pipelines:write')
  @ApiOperation({ summary: 'Delete a pipeline' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No pipeline with this id in the organization' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<void> {
    return this.pipelines.remove(principal.organizationId, id);
  }
}
