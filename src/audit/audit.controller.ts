import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-principal.decorator';
import { UserPrincipal } from '../auth/principal';
import { UsersOnly } from '../auth/users-only.decorator';
import { Page } from '../common/pagination';
import { AuditService } from './audit.service';
import { AuditLogPageResponse, AuditLogResponse } from './dto/audit-log.response';
import { ListAuditLogsQuery } from './dto/list-audit-logs.query';

@ApiTags('audit')
@Controller('audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @UsersOnly('owner', 'admin')
  @ApiOperation({ summary: "The organization's audit log: key and member events, newest first" })
  @ApiOkResponse({ type: AuditLogPageResponse })
  @ApiBadRequestResponse({ description: 'Invalid action, actor_id, actor_type, target_id, from, to, limit or cursor' })
  list(@CurrentUser() user: UserPrincipal, @Query() query: ListAuditLogsQuery): Promise<Page<AuditLogResponse>> {
    return this.audit.list(user.organizationId, query);
  }
}
