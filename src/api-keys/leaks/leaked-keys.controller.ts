import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../audit/actor.decorator';
import type { AuditActor } from '../../audit/audit.service';
import { Public } from '../../auth/public.decorator';
import { ApiError, ApiErrors } from '../../common/api-errors.decorator';
import { LeakReportResponse, MAX_LEAKED_KEYS, ReportLeakedKeysDto } from './dto/report-leaked-keys.dto';
import { LeakReportAttempts } from './leak-report-attempts';
import { LeakReports } from './leak-reports';

/** Anyone who finds keys in public may report them; genuine active ones are revoked. */
@ApiTags('api-keys')
@Controller('api-keys')
export class LeakedKeysController {
  constructor(
    private readonly attempts: LeakReportAttempts,
    private readonly reports: LeakReports,
  ) {}

  @Public()
  @Post('leaked')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Report leaked keys: every genuine, active one among them is revoked',
    description:
      `Up to ${MAX_LEAKED_KEYS} strings found somewhere public, and optionally where. The answer is the same ` +
      'whatever they were: it says how many strings were received, never which were keys or whose. Genuine, ' +
      "active keys are revoked shortly after (audited as api_key.revoked with reason 'leaked'). " +
      'Limited per client address (LEAK_REPORTS_PER_ADDRESS_PER_HOUR).',
  })
  @ApiAcceptedResponse({ type: LeakReportResponse, description: 'Received; genuine keys among them will be revoked' })
  @ApiErrors({ 400: 'keys or url is missing or invalid' })
  @ApiError(429, {
    description: 'Too many leak reports from this address (LEAK_REPORTS_PER_ADDRESS_PER_HOUR), or too many waiting',
    message: 'Too many leak reports from this address; try again in 1800 seconds',
    headers: { 'Retry-After': { description: 'Seconds until this address may report again', schema: { type: 'integer' } } },
  })
  async report(@Body() dto: ReportLeakedKeysDto, @Actor() actor: AuditActor): Promise<LeakReportResponse> {
    await this.attempts.reserve(actor.clientIp);
    this.reports.accept(dto.keys, dto.url, actor);
    return { received: dto.keys.length };
  }
}
