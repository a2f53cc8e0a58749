import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Actor } from '../audit/actor.decorator';
import { AuditActor } from '../audit/audit.service';
import { CurrentUser } from '../auth/current-principal.decorator';
import { UserPrincipal } from '../auth/principal';
import { UsersOnly } from '../auth/users-only.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { UuidParam } from '../common/uuid.pipe';
import { toApiKeyResponse, toCreatedApiKeyResponse, toRotatedApiKeyResponse } from './api-key.mapper';
import { ApiKeysService } from './api-keys.service';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { UpdateApiKeyDto } from './dto/update-api-key.dto';
import {
  ApiKeyPageResponse,
  ApiKeyResponse,
  CreatedApiKeyResponse,
  KeyUsageResponse,
  RotatedApiKeyResponse,
  ScopeListResponse,
  UsageHistoryResponse,
} from './dto/api-key.response';
import { UsageHistoryQuery } from './dto/usage-history.query';
import { UsageService } from './usage/usage.service';
import { ListApiKeysQuery } from './dto/list-api-keys.query';
import { DEFAULT_GRACE_PERIOD_SECONDS, RotateApiKeyDto } from './dto/rotate-api-key.dto';

/** Key management, for signed-in users only: an API key can never manage keys. */
@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly usageService: UsageService,
  ) {}

  @Get('scopes')
  @UsersOnly()
  @ApiOperation({ summary: 'List the scopes a key can hold' })
  @ApiOkResponse({ type: ScopeListResponse })
  scopes(): ScopeListResponse {
    return { data: this.apiKeys.scopes() };
  }

  @Post()
  @UsersOnly('owner', 'admin', 'developer')
  @ApiOperation({ summary: 'Create a key; the plain key is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  @ApiErrors({ 400: 'Invalid name, scopes, rate_limit or expires_at' })
  async create(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: CreateApiKeyDto,
    @Actor() actor: AuditActor,
  ): Promise<CreatedApiKeyResponse> {
    const { record, plainKey } = await this.apiKeys.create(
      user.organizationId,
      {
        name: dto.name,
        scopes: dto.scopes,
        rateLimit: dto.rate_limit,
        expiresAt: dto.expires_at ? new Date(dto.expires_at) : null,
        ipAllowlist: dto.ip_allowlist ?? [],
        metadata: dto.metadata ?? {},
      },
      user.userId,
      actor,
    );
    return toCreatedApiKeyResponse(record, plainKey);
  }

  @Get()
  @UsersOnly()
  @ApiOperation({ summary: "List the organization's keys, newest first" })
  @ApiOkResponse({ type: ApiKeyPageResponse })
  @ApiErrors({ 400: 'limit, cursor, status or unused_for_days is invalid' })
  list(@CurrentUser() user: UserPrincipal, @Query() query: ListApiKeysQuery): Promise<ApiKeyPageResponse> {
    return this.apiKeys.list(user.organizationId, query);
  }

  @Get(':id')
  @UsersOnly()
  @ApiOperation({ summary: 'Get a key (never the key itself)' })
  @ApiOkResponse({ type: ApiKeyResponse })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No such key in this organization' })
  async get(@CurrentUser() user: UserPrincipal, @Param('id', UuidParam()) id: string): Promise<ApiKeyResponse> {
    return toApiKeyResponse(await this.apiKeys.get(user.organizationId, id));
  }

  @Patch(':id')
  @UsersOnly('owner', 'admin', 'developer')
  @ApiOperation({
    summary: "Change a key's name, scopes, rate limit, expiry, allow-list, metadata or enabled",
    description:
      'Send only the fields to change (at least one). Every instance applies the change from the next request. ' +
      'A change is audited as api_key.updated with the before and after of each changed field.',
  })
  @ApiOkResponse({ type: ApiKeyResponse })
  @ApiErrors({
    400: 'id is not a UUID, the body is empty, or a field is invalid (the message names it)',
    404: 'No such key in this organization',
    409: 'The key is revoked, or expires_at is sent for a key that was rotated',
  })
  async update(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: UpdateApiKeyDto,
    @Actor() actor: AuditActor,
  ): Promise<ApiKeyResponse> {
    const key = await this.apiKeys.update(
      id,
      user,
      {
        name: dto.name,
        scopes: dto.scopes,
        rateLimit: dto.rate_limit,
        expiresAt: dto.expires_at === undefined ? undefined : dto.expires_at ? new Date(dto.expires_at) : null,
        ipAllowlist: dto.ip_allowlist === undefined ? undefined : (dto.ip_allowlist ?? []),
        metadata: dto.metadata === undefined ? undefined : (dto.metadata ?? {}),
        enabled: dto.enabled,
      },
      actor,
    );
    return toApiKeyResponse(key);
  }

  @Delete(':id')
  @HttpCode(204)
  @UsersOnly('owner', 'admin', 'developer')
  @ApiOperation({ summary: 'Revoke a key; it stops working at once. Revoking twice is fine.' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No such key in this organization' })
  revoke(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidParam()) id: string,
    @Actor() actor: AuditActor,
  ): Promise<void> {
    return this.apiKeys.revoke(id, user, actor);
  }

  @Post(':id/rotate')
  @UsersOnly('owner', 'admin', 'developer')
  @ApiOperation({
    summary: 'Rotate a key: a new key now, the old one working until the grace period ends',
    description: 'The new key has the same name, scopes and rate limit and is shown only in this response.',
  })
  @ApiCreatedResponse({ type: RotatedApiKeyResponse })
  @ApiErrors({
    400: 'id is not a UUID, or grace_period_seconds or expires_at is invalid',
    404: 'No such key in this organization',
    409: 'The key is revoked or expired, or was already rotated (the message names its successor)',
  })
  async rotate(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidParam()) id: string,
    @Body() dto: RotateApiKeyDto,
    @Actor() actor: AuditActor,
  ): Promise<RotatedApiKeyResponse> {
    const rotated = await this.apiKeys.rotate(
      id,
      user,
      {
        gracePeriodSeconds: dto.grace_period_seconds ?? DEFAULT_GRACE_PERIOD_SECONDS,
        expiresAt: dto.expires_at ? new Date(dto.expires_at) : null,
      },
      actor,
    );
    return toRotatedApiKeyResponse(rotated);
  }

  @Get(':id/usage')
  @UsersOnly()
  @ApiOperation({ summary: "The key's current rate-limit window" })
  @ApiOkResponse({ type: KeyUsageResponse })
  @ApiErrors({ 400: 'id is not a UUID', 404: 'No such key in this organization' })
  usage(@CurrentUser() user: UserPrincipal, @Param('id', UuidParam()) id: string): Promise<KeyUsageResponse> {
    return this.apiKeys.usage(user.organizationId, id);
  }

  @Get(':id/usage/history')
  @UsersOnly()
  @ApiOperation({ summary: "The key's served and refused requests per hour or day (UTC)" })
  @ApiOkResponse({ type: UsageHistoryResponse })
  @ApiErrors({ 400: 'id is not a UUID, or granularity, from or to is invalid', 404: 'No such key in this organization' })
  usageHistory(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidParam()) id: string,
    @Query() query: UsageHistoryQuery,
  ): Promise<UsageHistoryResponse> {
    return this.usageService.history(user.organizationId, id, query);
  }
}
