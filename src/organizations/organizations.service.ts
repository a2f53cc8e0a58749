import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OrganizationResponse } from './dto/organization.response';
import { UpdateOrganizationDto } from './dto/update-organization.dto';
import { Organization } from './organization.entity';

/** The caller's own organization; there is no way to address another one. */
@Injectable()
export class OrganizationsService {
  constructor(@InjectRepository(Organization) private readonly organizations: Repository<Organization>) {}

  /** The organization with this id. */
  async get(organizationId: string): Promise<OrganizationResponse> {
    const organization = await this.organizations.findOne({ where: { id: organizationId } });
    if (!organization) throw new NotFoundException('Organization not found');
    return toOrganizationResponse(organization);
  }

  /** Renames the organization (updated_at moves with it). */
  async update(organizationId: string, dto: UpdateOrganizationDto): Promise<OrganizationResponse> {
    await this.organizations.update({ id: organizationId }, { name: dto.name });
    return this.get(organizationId);
  }
}

function toOrganizationResponse(organization: Organization): OrganizationResponse {
  return {
    id: organization.id,
    name: organization.name,
    created_at: organization.createdAt.toISOString(),
    updated_at: organization.updatedAt.toISOString(),
  };
}
