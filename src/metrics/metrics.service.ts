import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UsageService } from '../api-keys/usage/usage.service';
import { MetricsResponse } from './dto/metrics.response';
import { OrganizationResourceCount } from './organization-resource-count.entity';

@Injectable()
export class MetricsService {
  constructor(
    @InjectRepository(OrganizationResourceCount) private readonly counts: Repository<OrganizationResourceCount>,
    private readonly usage: UsageService,
  ) {}

  /** The organization's resource counts and the requests made with its API keys: rollups, never a scan of history. */
  async forOrganization(orgId: string): Promise<MetricsResponse> {
    const [rows, requests] = await Promise.all([
      this.counts.find({ select: { resource: true, count: true }, where: { organizationId: orgId } }),
      this.usage.totals(orgId),
    ]);
    const resources: MetricsResponse['resources'] = { agents: 0, deployments: 0, pipelines: 0, gateways: 0 };
    for (const row of rows) resources[row.resource] = Number(row.count);
    return { resources, requests };
  }
}
