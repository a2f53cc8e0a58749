import { ApiProperty } from '@nestjs/swagger';
import { UsageCountsResponse } from '../../api-keys/dto/api-key.response';

export class ResourceCounts {
  @ApiProperty({ type: 'integer', minimum: 0, example: 12 }) agents: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 30 }) deployments: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 4 }) pipelines: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 2 }) gateways: number;
}

/** GET /metrics: the caller's organization. An object of groups, so more groups can be added. */
export class MetricsResponse {
  @ApiProperty({ type: ResourceCounts, description: "how many of each resource the caller's organization has" })
  resources: ResourceCounts;

  @ApiProperty({ type: UsageCountsResponse, description: "requests made with the organization's API keys, all time (may lag by USAGE_FLUSH_MS)" })
  requests: UsageCountsResponse;
}
