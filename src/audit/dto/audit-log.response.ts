import { ApiProperty } from '@nestjs/swagger';
import { ACTOR_TYPES, ActorType, AUDIT_ACTIONS, AuditAction, TARGET_TYPES, TargetType } from '../audit-log.entity';

/** One audit entry as the API shows it. */
export class AuditLogResponse {
  @ApiProperty({ format: 'uuid', example: '0b7c1e9a-4f3d-4a51-9c2e-8d6f5a4b3c21' }) id: string;
  @ApiProperty({ enum: AUDIT_ACTIONS, example: 'member.role_changed' }) action: AuditAction;
  @ApiProperty({ enum: ACTOR_TYPES, example: 'user' }) actor_type: ActorType;
  @ApiProperty({
    format: 'uuid',
    type: String,
    nullable: true,
    example: '5d2f8a61-7c3b-4e9d-a1f0-6b8c9d0e1f23',
    description: 'user id or API key id; null for the system',
  })
  actor_id: string | null;
  @ApiProperty({ enum: TARGET_TYPES, example: 'member' }) target_type: TargetType;
  @ApiProperty({
    format: 'uuid',
    type: String,
    nullable: true,
    example: '9e4a7b12-3c5d-4f6e-8a9b-0c1d2e3f4a5b',
    description: 'the API key id, or the user id of the member',
  })
  target_id: string | null;
  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' }) client_ip: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 512, example: 'Mozilla/5.0 (X11; Linux x86_64)' })
  user_agent: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { from: 'developer', to: 'admin' },
    description: 'event details; never a key, password or token',
  })
  metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) created_at: string;
}

export class AuditLogPageResponse {
  @ApiProperty({ type: [AuditLogResponse], description: 'newest first' }) data: AuditLogResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page; null on the last page' })
  next_cursor: string | null;
}
