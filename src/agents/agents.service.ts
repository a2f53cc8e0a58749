import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { deleteOwned, findOwned, updateOwned } from '../common/owned';
import { OwnedPages } from '../common/owned-pages';
import { Page, PageQueryDto } from '../common/pagination';
import { Agent } from './agent.entity';
import { AgentResponse } from './dto/agent.response';
import { CreateAgentDto } from './dto/create-agent.dto';
import { UpdateAgentDto } from './dto/update-agent.dto';

const NOT_FOUND = 'Agent not found';

/** The organization's agents; every query is scoped by organization. */
@Injectable()
export class AgentsService {
  private readonly pages: OwnedPages<Agent>;

  constructor(@InjectRepository(Agent) private readonly agents: Repository<Agent>) {
    this.pages = new OwnedPages(this.agents, 'agent');
  }

  /** One page of the organization's agents, newest first. */
  list(orgId: string, query: PageQueryDto): Promise<Page<AgentResponse>> {
    return this.pages.page(orgId, query, toResponse);
  }

  async create(orgId: string, dto: CreateAgentDto): Promise<AgentResponse> {
    const agent = await this.agents.save(
      this.agents.create({
        organizationId: orgId,
        name: dto.name,
        description: dto.description ?? null,
        model: dto.model ?? null,
        status: dto.status ?? 'active',
      }),
    );
    return toResponse(agent);
  }

  async get(orgId: string, id: string): Promise<AgentResponse> {
    return toResponse(await findOwned(this.agents, orgId, id, NOT_FOUND));
  }

  async update(orgId: string, id: string, dto: UpdateAgentDto): Promise<AgentResponse> {
    const changes = { name: dto.name, description: dto.description, model: dto.model, status: dto.status };
    return toResponse(await updateOwned(this.agents, orgId, id, changes, NOT_FOUND));
  }

  remove(orgId: string, id: string): Promise<void> {
    return deleteOwned(this.agents, orgId, id, NOT_FOUND);
  }

  /** Whether the organization has an agent with this id. */
  exists(orgId: string, id: string): Promise<boolean> {
    return this.agents.existsBy({ id, organizationId: orgId });
  }

}

function toResponse(agent: Agent): AgentResponse {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    model: agent.model,
    status: agent.status,
    created_at: agent.createdAt.toISOString(),
    updated_at: agent.updatedAt.toISOString(),
  };
}
