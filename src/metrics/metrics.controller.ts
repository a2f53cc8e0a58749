import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Scopes } from '../api-keys/scopes.decorator';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal } from '../auth/principal';
import { MetricsResponse } from './dto/metrics.response';
import { MetricsService } from './metrics.service';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Scopes('metrics:read')
  @ApiOperation({ summary: "The organization's resource counts and API-key request totals" })
  @ApiOkResponse({ type: MetricsResponse })
  get(@CurrentPrincipal() principal: Principal): Promise<MetricsResponse> {
    return this.metrics.forOrganization(principal.organizationId);
  }
}
