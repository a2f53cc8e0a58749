import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import { deleteOwned, findOwned, updateOwned } from '../common/owned';
import { OwnedPages } from '../common/owned-pages';
import { Page, PageQueryDto } from '../common/pagination';
import { Deployment } from './deployment.entity';
import { CreateDeploymentDto } from './dto/create-deployment.dto';
import { DeploymentResponse } from './dto/deployment.response';
import { UpdateDeploymentDto } from './dto/update-deployment.dto';

const NOT_FOUND = 'Deployment not found';

/** The organization's deployments; every query is scoped by organization. */
@Injectable()
export class DeploymentsService {
  private readonly pages: OwnedPages<Deployment>;

  constructor(
    @InjectRepository(Deployment) private readonly deployments: Repository<Deployment>,
    private readonly agents: AgentsService,
  ) {
    this.pages = new OwnedPages(this.deployments, 'deployment');
  }

  /** One page of the organization's deployments, newest first. */
  list(orgId: string, query: PageQueryDto): Promise<Page<DeploymentResponse>> {
    return this.pages.page(orgId, query, toResponse);
  }

  async create(orgId: string, dto: CreateDeploymentDto): Promise<DeploymentResponse> {
    await this.assertAgentOf(orgId, dto.agent_id);
    const deployment = await this.deployments.save(
      this.deployments.create({
        organizationId: orgId,
        agentId: dto.agent_id,
        environment: dto.environment,
        version: dto.version,
        status: dto.status ?? 'pending',
      }),
    );
    return toResponse(deployment);
  }

  async get(orgId: string, id: string): Promise<DeploymentResponse> {
    return toResponse(await findOwned(this.deployments, orgId, id, NOT_FOUND));
  }

  async update(orgId: string, id: string, dto: UpdateDeploymentDto): Promise<DeploymentResponse> {
    if (dto.agent_id !== undefined) await this.assertAgentOf(orgId, dto.agent_id);
    const changes = { agentId: dto.agent_id, environment: dto.environment, version: dto.version, status: dto.status };
    return toResponse(await updateOwned(this.deployments, orgId, id, changes, NOT_FOUND));
  }

  remove(orgId: string, id: string): Promise<void> {
    return deleteOwned(this.deployments, orgId, id, NOT_FOUND);
  }

  // Another organization's agent reads as no agent at all: the message does not tell them apart.
  private async assertAgentOf(orgId: string, agentId: string): Promise<void> {
    if (!(await this.agents.exists(orgId, agentId))) {
      throw new BadRequestException('agent_id does not name an agent of this organization');
    }
  }
}

function toResponse(deployment: Deployment): DeploymentResponse {
  return {
    id: deployment.id,
    agent_id: deployment.agentId,
    environment: deployment.environment,
    version: deployment.version,
    status: deployment.status,
    created_at: deployment.createdAt.toISOString(),
    updated_at: deployment.updatedAt.toISOString(),
  };
}
