import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { deleteOwned, findOwned, updateOwned } from '../common/owned';
import { OwnedPages } from '../common/owned-pages';
import { Page, PageQueryDto } from '../common/pagination';
import { CreateGatewayDto } from './dto/create-gateway.dto';
import { GatewayResponse } from './dto/gateway.response';
import { UpdateGatewayDto } from './dto/update-gateway.dto';
import { Gateway } from './gateway.entity';

const NOT_FOUND = 'Gateway not found';

/** The organization's gateways; every query is scoped by organization. */
@Injectable()
export class GatewaysService {
  private readonly pages: OwnedPages<Gateway>;

  constructor(@InjectRepository(Gateway) private readonly gateways: Repository<Gateway>) {
    this.pages = new OwnedPages(this.gateways, 'gateway');
  }

  /** One page of the organization's gateways, newest first. */
  list(orgId: string, query: PageQueryDto): Promise<Page<GatewayResponse>> {
    return this.pages.page(orgId, query, toResponse);
  }

  async create(orgId: string, dto: CreateGatewayDto): Promise<GatewayResponse> {
    const gateway = await this.gateways.save(
      this.gateways.create({ organizationId: orgId, name: dto.name, url: dto.url, status: dto.status ?? 'active' }),
    );
    return toResponse(gateway);
  }

  async get(orgId: string, id: string): Promise<GatewayResponse> {
    return toResponse(await findOwned(this.gateways, orgId, id, NOT_FOUND));
  }

  async update(orgId: string, id: string, dto: UpdateGatewayDto): Promise<GatewayResponse> {
    const changes = { name: dto.name, url: dto.url, status: dto.status };
    return toResponse(await updateOwned(this.gateways, orgId, id, changes, NOT_FOUND));
  }

  remove(orgId: string, id: string): Promise<void> {
    return deleteOwned(this.gateways, orgId, id, NOT_FOUND);
  }

}

function toResponse(gateway: Gateway): GatewayResponse {
  return {
    id: gateway.id,
    name: gateway.name,
    url: gateway.url,
    status: gateway.status,
    created_at: gateway.createdAt.toISOString(),
    updated_at: gateway.updatedAt.toISOString(),
  };
}
