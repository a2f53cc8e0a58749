import { ApiProperty } from '@nestjs/swagger';

export class ResourceCounts {
  @ApiProperty({ type: 'integer', minimum: 0, example: 12 }) agents: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 30 }) deployments: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 4 }) pipelines: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 2 }) gateways: number;
}

export class RequestTotals {
  @ApiProperty({ type: 'integer', minimum: 0, example: 1520, description: 'requests served with API keys (may lag a few seconds)' }) request_count: number;
  @ApiProperty({ type: 'integer', minimum: 0, example: 12, description: 'requests refused by a key rate limit (429)' }) refused_count: number;
}

/** GET /metrics: the caller's organization. An object of groups, so more groups can be added. */
export class MetricsResponse {
  @ApiProperty({ type: ResourceCounts, description: "how many of each resource the caller's organization has" })
  resources: ResourceCounts;

  @ApiProperty({ type: RequestTotals, description: "requests made with the organization's API keys, all time" })
  requests: RequestTotals;
}
