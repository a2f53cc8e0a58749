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
  @ApiOkResponse({ type: PipelinePageResponse })
  @ApiBadRequestResponse({ description: 'limit or cursor is invalid' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<PipelinePageResponse> {
    return this.pipelines.list(principal.organizationId, query);
  }

  @Post()
  @Scopes('pipelines:write')
  @ApiCreatedResponse({ type: PipelineResponse })
  @ApiBadRequestResponse({ description: 'A field is missing, invalid or unknown' })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreatePipelineDto): Promise<PipelineResponse> {
    return this.pipelines.create(principal.organizationId, dto);
  }

  @Get(':id')
  @Scopes('pipelines:read')
  @ApiOkResponse({ type: PipelineResponse })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No pipeline with this id in the organization' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<PipelineResponse> {
    return this.pipelines.get(principal.organizationId, id);
  }

  @Patch(':id')
  @Scopes('pipelines:write')
  @ApiOkResponse({ type: PipelineResponse })
  @ApiBadRequestResponse({ description: 'id is not a UUID, or a field is invalid or unknown' })
  @ApiNotFoundResponse({ description: 'No pipeline with this id in the organization' })
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
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No pipeline with this id in the organization' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<void> {
    return this.pipelines.remove(principal.organizationId, id);
  }
}
