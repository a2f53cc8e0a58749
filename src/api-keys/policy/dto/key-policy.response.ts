import { ApiProperty } from '@nestjs/swagger';
import { ALL_SCOPES, Scope } from '../../../auth/scopes';

export class KeyPolicyResponse {
  @ApiProperty({ example: true, description: 'every new key must have expires_at' })
  require_expiry: boolean;

  @ApiProperty({ type: 'integer', nullable: true, example: 90, description: 'days a new key may live at most; null: no limit' })
  max_lifetime_days: number | null;

  @ApiProperty({ enum: ALL_SCOPES, isArray: true, nullable: true, example: ['agents:read'], description: 'null: any scope' })
  allowed_scopes: Scope[] | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 90, description: 'days without use after which a key is revoked; null: never' })
  auto_revoke_unused_days: number | null;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    example: '2024-01-15T10:00:00.000Z',
    description: 'when the policy last changed; null: never set (the defaults)',
  })
  updated_at: string | null;
}
