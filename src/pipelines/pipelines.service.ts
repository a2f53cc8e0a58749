import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { deleteOwned, findOwned, updateOwned } from '../common/owned';
import { OwnedPages } from '../common/owned-pages';
import { Page, PageQueryDto } from '../common/pagination';
import { CreatePipelineDto } from './dto/create-pipeline.dto';
import { PipelineResponse } from './dto/pipeline.response';
import { UpdatePipelineDto } from './dto/update-pipeline.dto';
import { Pipeline } from './pipeline.entity';

const NOT_FOUND = 'Pipeline not found';

/** The organization's pipelines; every query is scoped by organization. */
@Injectable()
export class PipelinesService {
  private readonly pages: OwnedPages<Pipeline>;

  constructor(@InjectRepository(Pipeline) private readonly pipelines: Repository<Pipeline>) {
    this.pages = new OwnedPages(this.pipelines, 'pipeline');
  }

  /** One page of the organization's pipelines, newest first. */
  list(orgId: string, query: PageQueryDto): Promise<Page<PipelineResponse>> {
    return this.pages.page(orgId, query, toResponse);
  }

  async create(orgId: string, dto: CreatePipelineDto): Promise<PipelineResponse> {
    const pipeline = await this.pipelines.save(
      this.pipelines.create({
        organizationId: orgId,
        name: dto.name,
        description: dto.description ?? null,
        steps: dto.steps,
      }),
    );
    return toResponse(pipeline);
  }

  async get(orgId: string, id: string): Promise<PipelineResponse> {
    return toResponse(await findOwned(this.pipelines, orgId, id, NOT_FOUND));
  }

  async update(orgId: string, id: string, dto: UpdatePipelineDto): Promise<PipelineResponse> {
    const changes = { name: dto.name, description: dto.description, steps: dto.steps };
    return toResponse(await updateOwned(this.pipelines, orgId, id, changes, NOT_FOUND));
  }

  remove(orgId: string, id: string): Promise<void> {
    return deleteOwned(this.pipelines, orgId, id, NOT_FOUND);
  }

}

function toResponse(pipeline: Pipeline): PipelineResponse {
  return {
    id: pipeline.id,
    name: pipeline.name,
    description: pipeline.description,
    steps: pipeline.steps,
    created_at: pipeline.createdAt.toISOString(),
    updated_at: pipeline.updatedAt.toISOString(),
  };
}
