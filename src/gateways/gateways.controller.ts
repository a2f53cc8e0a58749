import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../api-keys/scopes.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal } from '../auth/principal';
import { ApiErrors } from '../common/api-errors.decorator';
import { PageQueryDto } from '../common/pagination';
import { UuidParam } from '../common/uuid.pipe';
import { GatewaysService } from './gateways.service';
import { GatewayPageResponse, GatewayResponse } from './dto/gateway.response';
import { CreateGatewayDto } from './dto/create-gateway.dto';
import { UpdateGatewayDto } from './dto/update-gateway.dto';

@ApiTags('gateways')
@Controller('gateways')
export class GatewaysController {
  constructor(private readonly gateways: GatewaysService) {}

  @Get()
  @Scopes('gateways:read')
  @ApiOperation({ summary: "List the organization's gateways, newest first" })
  @ApiOkResponse({ type: GatewayPageResponse })
  @ApiErrors({ 400: 'limit or cursor is invalid' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<GatewayPageResponse> {
    return this.gateways.list(principal.organizationId, query);
  }

  @Post()
  @Scopes('gateways:write')
  @ApiOperation({ summary: 'Create a gateway' })
  @ApiCreatedResponse({ type: GatewayResponse })
  @ApiErrors({ 400: 'A field is missing, invalid or unknown' })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateGatewayDto): Promise<GatewayResponse> {
    return this.gateways.create(principal.organizationId, dto);
  }

  @Get(':id')
  @Scopes('gateways:read')
  @ApiOperation({ summary: 'Get a gateway' })
  @ApiOkResponse({ type: GatewayResponse })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No gateway with this id in the organization' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<GatewayResponse> {
    return this.gateways.get(principal.organizationId, id);
  }

  @Patch(':id')
  @Scopes('gateways:write')
  @ApiOperation({ summary: 'Update a gateway; only the fields sent change' })
  @ApiOkResponse({ type: GatewayResponse })
  @ApiErrors({
    400: 'id is not a UUID, or a field is invalid or unknown',
    404: 'No gateway with this id in the organization',
  })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateGatewayDto,
  ): Promise<GatewayResponse> {
    return this.gateways.update(principal.organizationId, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('gateways:write')
  @ApiOperation({ summary: 'Delete a gateway' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No gateway with this id in the organization' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam()) id: string): Promise<void> {
    return this.gateways.remove(principal.organizationId, id);
  }
}
