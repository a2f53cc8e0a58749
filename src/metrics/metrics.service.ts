import { Injectable } from '@nestjs/common';
import { AgentsService } from '../agents/agents.service';
import { UsageService } from '../api-keys/usage/usage.service';
import { DeploymentsService } from '../deployments/deployments.service';
import { GatewaysService } from '../gateways/gateways.service';
import { PipelinesService } from '../pipelines/pipelines.service';
import { MetricsResponse } from './dto/metrics.response';

@Injectable()
export class MetricsService {
  constructor(
    private readonly agents: AgentsService,
    private readonly deployments: DeploymentsService,
    private readonly pipelines: PipelinesService,
    private readonly gateways: GatewaysService,
    private readonly usage: UsageService,
  ) {}

  /** The organization's resource counts and the requests made with its API keys. */
  async forOrganization(orgId: string): Promise<MetricsResponse> {
    const [agents, deployments, pipelines, gateways, requests] = await Promise.all([
      this.agents.count(orgId),
      this.deployments.count(orgId),
      this.pipelines.count(orgId),
      this.gateways.count(orgId),
      this.usage.totals(orgId),
    ]);
    return { resources: { agents, deployments, pipelines, gateways }, requests };
  }
}
