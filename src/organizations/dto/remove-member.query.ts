import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class RemoveMemberQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "Another member (owner, admin or developer) who takes over the removed member's API keys. " +
      "Without it, the removed member's keys are revoked.",
  })
  @IsOptional()
  @IsUUID('all', { message: 'transfer_keys_to must be a UUID' })
  transfer_keys_to?: string;
}
